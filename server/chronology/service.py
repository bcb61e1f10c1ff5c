"""The family's chronology: significant events across agencies, each on the day it happened, shown only to
whoever may see the record it comes from, by the same decisions as everywhere else.

Every kind of event is a `Source` (sources.py). One page is one UNION ALL statement over the sources the
reader may read (and one to count), whatever the number of entries or kinds: the words of case content are
selected only where the enforcement point's SQL form of the rule (`AccessControl.item_filter`) allows them.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.sql import Select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import pagination
from server.access.actor import Act
from server.access.facts import ItemFacts
from server.access.kinds import CONTENT_KINDS, Kind
from server.access.pep import AccessControl
from server.chronology.sources import BY_KIND, SOURCES, Shape, Source
from server.errors import BadUserInput

MAX_EXPORT = 5000  # entries in one CSV file; a longer chronology is exported in parts, by date range


@dataclass(frozen=True)
class Filters:
    agency_id: uuid.UUID | None = None
    kinds: tuple[str, ...] = ()  # none: every kind
    happened_from: date | None = None
    happened_to: date | None = None

    def check(self) -> None:
        unknown = sorted(set(self.kinds) - set(BY_KIND))
        if unknown:
            raise BadUserInput(f"Unknown kind of event: {', '.join(unknown)}.", field="kinds")
        if self.happened_from and self.happened_to and self.happened_from > self.happened_to:
            raise BadUserInput("The start of the date range must be on or before its end.", field="happenedFrom")


@dataclass(frozen=True)
class ChronologyEntry:
    kind: str
    label: str
    happened_on: date
    recorded_at: datetime
    agency_id: uuid.UUID | None
    description: str
    content: str | None  # the words of case content, only where the reader may read them
    content_withheld: bool  # there are words the reader may not read
    subject_id: uuid.UUID
    content_kind: Kind | None  # the kind of case content shown, for the audit of the read


def cursor(entry: ChronologyEntry) -> str:
    return pagination.encode(entry.happened_on, entry.recorded_at, entry.kind, entry.subject_id)


async def for_family(
    session: AsyncSession,
    access: AccessControl,
    family_id: uuid.UUID,
    filters: Filters = Filters(),
    *,
    first: int = 50,
    after: str | None = None,
) -> pagination.Page[ChronologyEntry]:
    """Newest first by the day things happened. Entries the reader may not see are neither listed nor counted."""
    pagination.check_first(first)
    filters.check()
    await access.require_visible_family(session, family_id)
    union = await _union(session, access, family_id, filters)
    if union is None:
        return pagination.Page([], False, 0)
    entries = union.subquery("chronology")
    total = (await session.exec(sa.select(sa.func.count()).select_from(entries))).one()[0]
    statement = _ordered(entries)
    if after is not None:
        key = pagination.decode(after, date, datetime, str, uuid.UUID)
        statement = statement.where(_key(entries) < sa.tuple_(*key))
    rows = (await session.exec(statement.limit(first + 1))).all()
    page = pagination.Page.of([_entry(row) for row in rows], first, total=total)
    _note_reads(access, family_id, rows[:first])
    return page


async def export(
    session: AsyncSession, access: AccessControl, family_id: uuid.UUID, filters: Filters
) -> list[ChronologyEntry]:
    """Every entry the filters match (at most MAX_EXPORT), in the order of the page."""
    filters.check()
    await access.require_visible_family(session, family_id)
    union = await _union(session, access, family_id, filters)
    if union is None:
        return []
    rows = (await session.exec(_ordered(union.subquery("chronology")).limit(MAX_EXPORT + 1))).all()
    if len(rows) > MAX_EXPORT:
        raise BadUserInput(
            f"More than {MAX_EXPORT} events match: export a shorter date range at a time.", field="happenedFrom"
        )
    _note_reads(access, family_id, rows)
    return [_entry(row) for row in rows]


def as_csv(entries: list[ChronologyEntry], agency_names: dict[uuid.UUID, str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Happened on", "Recorded at (UTC)", "Event", "Agency", "Description", "Content"])
    for entry in entries:
        content = entry.content or ("Withheld: you may not read this" if entry.content_withheld else "")
        agency = agency_names.get(entry.agency_id, "") if entry.agency_id else ""
        cells = [entry.happened_on.isoformat(), entry.recorded_at.isoformat(timespec="minutes"), entry.label]
        writer.writerow([_cell(cell) for cell in [*cells, agency, entry.description, content]])
    return out.getvalue()


def _cell(text: str) -> str:
    """Never a formula in a spreadsheet: a cell that starts like one is kept as text."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


async def _union(
    session: AsyncSession, access: AccessControl, family_id: uuid.UUID, filters: Filters
) -> sa.CompoundSelect | Select | None:
    chosen = [source for source in SOURCES if not filters.kinds or source.kind in filters.kinds]
    branches = []
    for source in chosen:
        seen_as = source.seen_as  # a Kind (sources.py), which the enforcement point checks again
        if await access.can(session, Act.read, seen_as, family_id):
            branches.append(await _branch(session, access, family_id, source, filters))
    if not branches:
        return None
    return sa.union_all(*branches) if len(branches) > 1 else branches[0]


async def _branch(
    session: AsyncSession, access: AccessControl, family_id: uuid.UUID, source: Source, filters: Filters
) -> Select:
    shape = source.shape()
    conditions = [shape.family_id == family_id, *shape.where, *_filtered(shape, filters)]
    columns = [
        sa.literal(source.kind, sa.Text).label("kind"),
        shape.subject_id.label("subject_id"),
        sa.cast(shape.happened_on, sa.Date).label("happened_on"),
        shape.recorded_at.label("recorded_at"),
        (shape.agency_id if shape.agency_id is not None else sa.null()).cast(sa.Uuid).label("agency_id"),
        *[_code(shape, i).label(f"code{i}") for i in range(2)],
        *await _content(session, access, family_id, shape, conditions),
    ]
    statement = sa.select(*columns).where(*conditions)
    return statement.select_from(shape.from_) if shape.from_ is not None else statement


def _code(shape: Shape, i: int) -> sa.ColumnElement:
    return sa.cast(shape.codes[i], sa.Text) if i < len(shape.codes) else sa.null().cast(sa.Text)


def _filtered(shape: Shape, filters: Filters) -> list[sa.ColumnElement]:
    day = sa.cast(shape.happened_on, sa.Date)
    found = []
    if filters.agency_id is not None:
        found.append(shape.agency_id == filters.agency_id if shape.agency_id is not None else sa.false())
    if filters.happened_from is not None:
        found.append(day >= filters.happened_from)
    if filters.happened_to is not None:
        found.append(day <= filters.happened_to)
    return found


async def _content(
    session: AsyncSession, access: AccessControl, family_id: uuid.UUID, shape: Shape, conditions: list
) -> list[sa.ColumnElement]:
    """The words where the reader may read them, whether any are withheld, and the facts of the content (for
    the audit of what was read). A whole-record source keeps only the rows the reader may read."""
    content = shape.content
    if content is None:
        nothing = [sa.null().cast(sa.Text).label("content"), sa.false().label("withheld")]
        facts = [
            sa.null().cast(sa.Text).label("content_kind"),
            sa.null().cast(sa.Uuid).label("owner"),
            sa.null().cast(sa.Text).label("category"),
            *[sa.false().label(name) for name in ("family_summary", "third_party", "team_shared")],
        ]
        return nothing + facts
    kind = content.kind
    visible = await access.item_filter(session, family_id, content.columns, kind=kind)
    if content.whole_record:
        conditions.append(visible)
    words = content.words if content.words is not None else sa.null()
    has_words = sa.and_(words.is_not(None), sa.cast(words, sa.Text) != "") if content.words is not None else sa.false()
    c = content.columns
    return [
        sa.case((sa.and_(visible, has_words), sa.cast(words, sa.Text)), else_=None).label("content"),
        sa.and_(sa.not_(visible), has_words).label("withheld"),
        sa.literal(content.kind.value, sa.Text).label("content_kind"),
        sa.cast(c.owning_agency_id, sa.Uuid).label("owner"),
        sa.cast(c.category, sa.Text).label("category"),
        sa.cast(c.family_summary, sa.Boolean).label("family_summary"),
        sa.cast(c.third_party, sa.Boolean).label("third_party"),
        sa.cast(c.team_shared, sa.Boolean).label("team_shared"),
    ]


def _key(entries: sa.Subquery) -> sa.Tuple:
    c = entries.c
    return sa.tuple_(c.happened_on, c.recorded_at, c.kind, c.subject_id)


def _ordered(entries: sa.Subquery) -> Select:
    c = entries.c
    return sa.select(entries).order_by(c.happened_on.desc(), c.recorded_at.desc(), c.kind.desc(), c.subject_id.desc())


def _entry(row) -> ChronologyEntry:
    source = BY_KIND[row.kind]
    return ChronologyEntry(
        kind=row.kind,
        label=source.label,
        happened_on=row.happened_on,
        recorded_at=row.recorded_at,
        agency_id=row.agency_id,
        description=source.describe([row.code0, row.code1]),
        content=row.content,
        content_withheld=bool(row.withheld),
        subject_id=row.subject_id,
        content_kind=Kind(row.content_kind) if row.content_kind else None,
    )


def _note_reads(access: AccessControl, family_id: uuid.UUID, rows) -> None:
    """Each other agency's content shown is audited as a read of its own kind (contribution, plan_goal, ...)."""
    for row in rows:
        if row.content is None or row.content_kind is None or Kind(row.content_kind) not in CONTENT_KINDS:
            continue
        facts = ItemFacts(
            owning_agency_id=row.owner,
            category=row.category,
            family_summary=bool(row.family_summary),
            third_party=bool(row.third_party),
            team_shared=bool(row.team_shared),
        )
        access.note_read(family_id, row.subject_id, Kind(row.content_kind), facts)
