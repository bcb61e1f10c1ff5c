from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from server.agency.api import AgencyType
from server.api.scalars import Info
from server.chronology import service as chronology_service
from server.chronology.service import ChronologyEntry


@strawberry.type(name="ChronologyEntry", description="A significant event in the family's multi-agency chronology.")
class ChronologyEntryType:
    at: datetime
    kind: str = strawberry.field(description="e.g. family_opened, team_joined, contribution_concern, consent_given.")
    summary: str
    subject_id: strawberry.ID = strawberry.field(description="The id of the record the entry comes from.")
    agency_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field
    async def agency(self, info: Info) -> AgencyType | None:
        row = await info.context.loaders.agency_by_id.load(self.agency_id) if self.agency_id else None
        return AgencyType.from_row(row) if row else None

    @classmethod
    def from_entry(cls, entry: ChronologyEntry) -> ChronologyEntryType:
        return cls(
            at=entry.at,
            kind=entry.kind,
            summary=entry.summary,
            subject_id=strawberry.ID(str(entry.subject_id)),
            agency_id=entry.agency_id,
        )


async def chronology_of_family(info: Info, family_id: uuid.UUID, first: int) -> list[ChronologyEntryType]:
    async with info.context.read() as session:
        entries = await chronology_service.for_family(session, info.context.access, family_id, first=first)
    return [ChronologyEntryType.from_entry(entry) for entry in entries]
