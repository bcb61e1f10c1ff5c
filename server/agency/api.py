from __future__ import annotations

from functools import partial

import strawberry

from server.agency import service as agency_service
from server.agency.models import Agency, AgencyKind
from server.api.mutation import mutate
from server.api.scalars import Info, parse_id

AgencyKindType = strawberry.enum(AgencyKind, name="AgencyKind", description="The kind of organisation.")


@strawberry.type(name="Agency", description="An organisation whose staff work on families' teams.")
class AgencyType:
    id: strawberry.ID
    name: str
    kind: AgencyKindType  # type: ignore[valid-type]
    sso_only: bool = strawberry.field(
        default=False,
        description="Its staff sign in only through its organisation's sign-in service, never with a password.",
    )

    version: int = strawberry.field(default=1, description="Send it back with a change: a stale one is CONFLICT.")

    @classmethod
    def from_row(cls, row: Agency) -> AgencyType:
        return cls(
            id=strawberry.ID(str(row.id)), name=row.name, kind=row.kind, sso_only=row.sso_only, version=row.version
        )


@strawberry.input(description="A new agency.")
class AgencyCreateInput:
    name: str = strawberry.field(description="Unique, up to 200 characters.")
    kind: AgencyKindType  # type: ignore[valid-type]


@strawberry.input(description="Rename an agency or correct its kind.")
class AgencyUpdateInput:
    id: strawberry.ID
    version: int = strawberry.field(description="The version you read; CONFLICT if it has changed since.")
    name: str
    kind: AgencyKindType  # type: ignore[valid-type]


@strawberry.type
class AgencyQuery:
    @strawberry.field(description="Every agency, by name. Requires sign-in.")
    async def agencies(self, info: Info) -> list[AgencyType]:
        async with info.context.read() as session:
            rows = await agency_service.list_agencies(session)
        return [AgencyType.from_row(row) for row in rows]


@strawberry.type
class AgencyMutation:
    @strawberry.mutation(description="Administrators: add an agency. A name already in use is CONFLICT.")
    async def agency_create(self, info: Info, input: AgencyCreateInput) -> AgencyType:
        row = await mutate(
            info,
            partial(agency_service.add_agency, name=input.name, kind=AgencyKind(input.kind)),
            audit=lambda row: {"agencyId": str(row.id)},
        )
        return AgencyType.from_row(row)

    @strawberry.mutation(
        description="Administrators: rename an agency or correct its kind. CONFLICT if it changed since `version`"
        " or the name is another agency's."
    )
    async def agency_update(self, info: Info, input: AgencyUpdateInput) -> AgencyType:
        agency_id = parse_id(input.id, "id")
        row = await mutate(
            info,
            partial(
                agency_service.update_agency,
                agency_id=agency_id,
                version=input.version,
                name=input.name,
                kind=AgencyKind(input.kind),
            ),
            audit=lambda _: {"agencyId": str(agency_id)},
        )
        return AgencyType.from_row(row)
