from __future__ import annotations

import uuid
from datetime import date, datetime

import strawberry

from server.agency.api import AgencyType
from server.api.mutation import mutate
from server.api.pagination import PageInfo
from server.api.scalars import Info, parse_id
from server.chronology import service as chronology_service
from server.chronology.service import ChronologyEntry, Filters
from server.chronology.sources import SOURCES


@strawberry.type(name="ChronologyEntry", description="A significant event in the family's multi-agency chronology.")
class ChronologyEntryType:
    kind: str = strawberry.field(description="The kind of event (see `chronologyKinds`), e.g. escalation_raised.")
    label: str = strawberry.field(description="The kind of event in plain English, e.g. 'Escalation raised'.")
    happened_on: date = strawberry.field(
        description="The day the event happened: the effective date of a step up or closure, a meeting's date, an"
        " assessment's date, a contact's day; for events with no date of their own, the day they were recorded."
    )
    recorded_at: datetime = strawberry.field(description="When the event was recorded in TAF.")
    description: str = strawberry.field(description="What happened, in plain words, without case content.")
    content: str | None = strawberry.field(
        description="The words of the case content the event holds (an escalation's reason, a goal's words, ...),"
        " only where the caller may read them; null otherwise."
    )
    content_visible: bool = strawberry.field(description="Whether `content` holds words the caller may read.")
    content_withheld: bool = strawberry.field(
        description="The event holds case content the caller may not read: the event is shown, its words are not."
    )
    subject_id: strawberry.ID = strawberry.field(description="The id of the record the entry comes from.")
    # Attached when the entries are built, one batched load per list (see ContributionType.many).
    agency: AgencyType | None

    @classmethod
    async def many(cls, info: Info, entries: list[ChronologyEntry]) -> list[ChronologyEntryType]:
        agencies = await _agencies(info, entries)
        return [
            cls(
                kind=entry.kind,
                label=entry.label,
                happened_on=entry.happened_on,
                recorded_at=entry.recorded_at,
                description=entry.description,
                content=entry.content,
                content_visible=entry.content is not None,
                content_withheld=entry.content_withheld,
                subject_id=strawberry.ID(str(entry.subject_id)),
                agency=AgencyType.from_row(agencies[entry.agency_id]) if agencies.get(entry.agency_id) else None,
            )
            for entry in entries
        ]


@strawberry.type(name="ChronologyKind", description="A kind of event the chronology shows, for its filters.")
class ChronologyKindType:
    kind: str
    label: str


@strawberry.type(description="A page of the family's chronology, newest first by the day things happened.")
class ChronologyConnection:
    nodes: list[ChronologyEntryType]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Events matching the filters that the caller may see.")


@strawberry.input(description="Which events of the chronology to show; leave a filter out to show all.")
class ChronologyFilter:
    agency_id: strawberry.ID | None = strawberry.field(default=None, description="Events of this agency only.")
    kinds: list[str] | None = strawberry.field(
        default=None, description="Events of these kinds only (`chronologyKinds`); an unknown kind is BAD_USER_INPUT."
    )
    happened_from: date | None = strawberry.field(default=None, description="Events that happened on or after.")
    happened_to: date | None = strawberry.field(default=None, description="Events that happened on or before.")

    def to_filters(self) -> Filters:
        kinds = tuple(dict.fromkeys(self.kinds or ()))
        agency = parse_id(self.agency_id, "agencyId") if self.agency_id else None
        return Filters(agency, kinds, self.happened_from, self.happened_to)


@strawberry.input
class ChronologyExportInput:
    family_id: strawberry.ID
    filter: ChronologyFilter | None = None


@strawberry.type(description="The filtered chronology as a spreadsheet (CSV, UTF-8).")
class ChronologyExport:
    filename: str
    csv: str
    entry_count: int


async def chronology_of_family(
    info: Info, family_id: uuid.UUID, *, first: int, after: str | None, filter: ChronologyFilter | None
) -> ChronologyConnection:
    filters = filter.to_filters() if filter else Filters()
    async with info.context.read() as session:
        page = await chronology_service.for_family(
            session, info.context.access, family_id, filters, first=first, after=after
        )
    return ChronologyConnection(
        nodes=await ChronologyEntryType.many(info, page.items),
        page_info=PageInfo.of(page, chronology_service.cursor),
        total_count=page.total,  # type: ignore[arg-type]
    )


async def _agencies(info: Info, entries: list[ChronologyEntry]) -> dict:
    agency_ids = sorted({entry.agency_id for entry in entries if entry.agency_id})
    return dict(zip(agency_ids, await info.context.loaders.agency_by_id.load_many(agency_ids), strict=True))


@strawberry.type
class ChronologyQuery:
    @strawberry.field(description="The kinds of event the chronology shows, in its order of filters.")
    def chronology_kinds(self) -> list[ChronologyKindType]:
        return [ChronologyKindType(kind=source.kind, label=source.label) for source in SOURCES]


@strawberry.type
class ChronologyMutation:
    @strawberry.mutation(
        description="The family's chronology, filtered, as a CSV file (at most 5,000 events: BAD_USER_INPUT beyond,"
        " export a shorter date range). Recorded in the audit log as an export, with the kinds of content read."
        " Withheld words are not in the file."
    )
    async def chronology_export(self, info: Info, input: ChronologyExportInput) -> ChronologyExport:
        family_id = parse_id(input.family_id, "familyId")
        filters = input.filter.to_filters() if input.filter else Filters()

        async def call(session, access) -> list[ChronologyEntry]:
            return await chronology_service.export(session, access, family_id, filters)

        entries: list[ChronologyEntry] = await mutate(info, call, family_id=family_id, audit=_export_detail(filters))
        names = {agency_id: row.name for agency_id, row in (await _agencies(info, entries)).items() if row}
        return ChronologyExport(
            filename=f"chronology-{family_id}.csv",
            csv=chronology_service.as_csv(entries, names),
            entry_count=len(entries),
        )


def _export_detail(filters: Filters):
    def detail(entries: list[ChronologyEntry]) -> dict:
        return {
            "entries": len(entries),
            "kinds": sorted({entry.kind for entry in entries}),
            "contentKinds": sorted(
                {entry.content_kind.value for entry in entries if entry.content and entry.content_kind}
            ),
            "filter": {
                "agencyId": str(filters.agency_id) if filters.agency_id else None,
                "kinds": list(filters.kinds),
                "happenedFrom": filters.happened_from.isoformat() if filters.happened_from else None,
                "happenedTo": filters.happened_to.isoformat() if filters.happened_to else None,
            },
        }

    return detail
