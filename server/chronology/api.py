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
    # Attached when the entries are built, one batched load per list (see ContributionType.many).
    agency: AgencyType | None

    @classmethod
    async def many(cls, info: Info, entries: list[ChronologyEntry]) -> list[ChronologyEntryType]:
        agency_ids = sorted({entry.agency_id for entry in entries if entry.agency_id})
        agencies = dict(zip(agency_ids, await info.context.loaders.agency_by_id.load_many(agency_ids), strict=True))
        return [
            cls(
                at=entry.at,
                kind=entry.kind,
                summary=entry.summary,
                subject_id=strawberry.ID(str(entry.subject_id)),
                agency=AgencyType.from_row(agencies[entry.agency_id])
                if entry.agency_id and agencies[entry.agency_id]
                else None,
            )
            for entry in entries
        ]


async def chronology_of_family(info: Info, family_id: uuid.UUID, first: int) -> list[ChronologyEntryType]:
    async with info.context.read() as session:
        entries = await chronology_service.for_family(session, info.context.access, family_id, first=first)
    return await ChronologyEntryType.many(info, entries)
