from __future__ import annotations

import strawberry

from server.access.actor import Act, Actor
from server.access.kinds import Kind
from server.agency.api import AgencyType
from server.api.scalars import Info, parse_id
from server.user import service as user_service
from server.user.models import SystemRole, User, UserKind

SystemRoleType = strawberry.enum(SystemRole, name="SystemRole", description="What a staff account may do.")
UserKindType = strawberry.enum(UserKind, name="UserKind", description="Staff member or family member.")


@strawberry.type(name="StaffMember", description="A practitioner or manager, as colleagues see them.")
class StaffMemberType:
    id: strawberry.ID
    display_name: str
    role: SystemRoleType | None  # type: ignore[valid-type]
    agency_id: strawberry.Private[object]

    @strawberry.field
    async def agency(self, info: Info) -> AgencyType | None:
        row = await info.context.loaders.agency_by_id.load(self.agency_id) if self.agency_id else None
        return AgencyType.from_row(row) if row else None

    @classmethod
    def of_actor(cls, actor: Actor) -> StaffMemberType:
        """The caller as colleagues see them, from their sign-in (what they just wrote needs no read of them)."""
        return cls(
            id=strawberry.ID(str(actor.user_id)),
            display_name=actor.display_name,
            role=SystemRole(actor.role),
            agency_id=actor.agency_id,
        )

    @classmethod
    def from_row(cls, row: User) -> StaffMemberType:
        return cls(
            id=strawberry.ID(str(row.id)),
            display_name=row.display_name,
            role=row.role,
            agency_id=row.agency_id,
        )


@strawberry.type(name="Me", description="The signed-in account.")
class MeType:
    id: strawberry.ID
    display_name: str
    kind: UserKindType  # type: ignore[valid-type]
    role: SystemRoleType | None = strawberry.field(  # type: ignore[valid-type]
        description="The system role of a staff account; null for a family member's portal account."
    )
    agency_id: strawberry.Private[object]

    @strawberry.field(description="The staff member's agency; null for a family member.")
    async def agency(self, info: Info) -> AgencyType | None:
        row = await info.context.loaders.agency_by_id.load(self.agency_id) if self.agency_id else None
        return AgencyType.from_row(row) if row else None

    @classmethod
    def from_actor(cls, actor: Actor) -> MeType:
        role = SystemRole(actor.role) if actor.kind == UserKind.staff.value else None
        return cls(
            id=strawberry.ID(str(actor.user_id)),
            display_name=actor.display_name,
            kind=UserKind(actor.kind),
            role=role,
            agency_id=actor.agency_id,
        )


@strawberry.type
class UserQuery:
    @strawberry.field(description="Who is signed in. UNAUTHENTICATED without a valid token.")
    def me(self, info: Info) -> MeType:
        return MeType.from_actor(info.context.require_actor())

    @strawberry.field(
        description="Active practitioners and managers, to choose who joins a team (at most 100 per call)."
        " Shows names, roles and agencies only. Requires a staff account."
    )
    async def staff_directory(
        self, info: Info, agency_id: strawberry.ID | None = None, search: str | None = None, first: int = 50
    ) -> list[StaffMemberType]:
        await info.context.spend("search")
        info.context.access.require_outside_family(Act.read, Kind.staff_directory)
        async with info.context.read() as session:
            rows = await user_service.staff_directory(
                session,
                agency_id=parse_id(agency_id, "agencyId") if agency_id else None,
                search=search,
                first=first,
            )
        return [StaffMemberType.from_row(row) for row in rows]
