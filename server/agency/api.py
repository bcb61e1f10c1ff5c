from __future__ import annotations

import strawberry

from server.agency import service as agency_service
from server.agency.models import Agency, AgencyKind
from server.api.scalars import Info

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

    @classmethod
    def from_row(cls, row: Agency) -> AgencyType:
        return cls(id=strawberry.ID(str(row.id)), name=row.name, kind=row.kind, sso_only=row.sso_only)


@strawberry.type
class AgencyQuery:
    @strawberry.field(description="Every agency, by name. Requires sign-in.")
    async def agencies(self, info: Info) -> list[AgencyType]:
        async with info.context.read() as session:
            rows = await agency_service.list_agencies(session)
        return [AgencyType.from_row(row) for row in rows]
