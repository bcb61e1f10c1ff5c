"""The family's chronology: significant events across agencies, each on the day it happened, shown only to
whoever may see the record it comes from, by the same decisions as everywhere else.

Every kind of event is a `Source` (sources.py). One page is one statement, a UNION ALL over the sources the
reader may read with the total on each row, whatever the number of entries or kinds: the words of case content
are selected only where the enforcement point's SQL form of the rule allows them (`StatementPolicy`, over the
family's facts read in the same statement). Its text is the same for every family and request of a role (the
family, the actor and the filters' values are its parameters), so it is built and compiled once
(server/db/prepared.py) and prepared once per connection.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql import Select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import pagination
from server.access.actor import Act
from server.access.facts import facts_row
from server.access.kinds import CONTENT_KINDS, Kind
from server.access.pep import AccessControl, StatementPolicy
from server.access.rules import FactsColumns, facts_columns
from server.chronology.sources import BY_KIND, SOURCES, Shape, Source
from server.db.prepared import prepared
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


def decode_cursor(after: str) -> tuple:
    """The key `cursor` wrote; BAD_USER_INPUT for anything else."""
    return pagination.decode(after, date, datetime, str, uuid.UUID)


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
    key = decode_cursor(after) if after is not None else None
    rows = await _rows(session, access, family_id, filters, first + 1, key)
    if not rows:  # no source the reader may read (or the family erased meanwhile)
        return pagination.Page([], False, 0)
    entries = [row for row in rows if row.kind is not None]  # no entry on this page: one row, of the total only
    page = pagination.Page.of([_entry(row) for row in entries], first, total=rows[0].total)
    _note_reads(access, family_id, entries[:first])
    return page


async def export(
    session: AsyncSession, access: AccessControl, family_id: uuid.UUID, filters: Filters
) -> list[ChronologyEntry]:
    """Every entry the filters match (at most MAX_EXPORT), in the order of the page."""
    filters.check()
    await access.require_visible_family(session, family_id)
    rows = await _rows(session, access, family_id, filters, MAX_EXPORT + 1, None)
    entries = [row for row in rows or () if row.kind is not None]
    if len(entries) > MAX_EXPORT:
        raise BadUserInput(
            f"More than {MAX_EXPORT} events match: export a shorter date range at a time.", field="happenedFrom"
        )
    _note_reads(access, family_id, entries)
    return [_entry(row) for row in entries]


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


async def _rows(
    session: AsyncSession,
    access: AccessControl,
    family_id: uuid.UUID,
    filters: Filters,
    limit: int,
    after: tuple | None,
) -> list | None:
    """The rows of one page (at most `limit`, after the key `after`), each with the total: one statement, whose
    text depends only on the reader's role and kinds of ids, the kinds of source they may read here, and which
    filters are set, so it is built and compiled once and prepared once per connection; None when the reader
    may read no source at all."""
    # The sources whose `seen_as` kind (sources.py) the enforcement point lets the reader read in this family.
    # The statement holds those; the kinds filter is a parameter, so that the number of statements kept is
    # bounded by the policy, not by what callers ask for.
    chosen = []
    for source in SOURCES:
        seen_as = source.seen_as  # a Kind (sources.py), which the enforcement point checks again
        if await access.can(session, Act.read, seen_as, family_id):
            chosen.append(source)
    if not any(not filters.kinds or source.kind in filters.kinds for source in chosen):
        return None
    policy = access.statement_policy()
    given = Given.of(filters)
    kinds = tuple(source.kind for source in chosen)
    dialect = session.bind.dialect  # type: ignore[union-attr]
    key = (__name__, policy.key, dialect.name, kinds, given, after is not None)
    statement = prepared(key, dialect, lambda: _statement(policy, chosen, given, after is not None))
    return await statement.all(session, parameters(policy, access, family_id, filters, limit, after))


def parameters(
    policy: StatementPolicy,
    access: AccessControl,
    family_id: uuid.UUID,
    filters: Filters,
    limit: int,
    after: tuple | None,
) -> dict:
    """The values of a page's statement: the family's and the actor's, the page size, the filters', the key."""
    values = {
        **policy.facts_parameters(access.actor, family_id),
        "page_size": limit,
        "kinds": list(filters.kinds),
        "filter_agency_id": filters.agency_id,
        "happened_from": filters.happened_from,
        "happened_to": filters.happened_to,
    }
    if after is not None:
        values.update(zip(("after_on", "after_at", "after_kind", "after_id"), after, strict=True))
    return values


@dataclass(frozen=True)
class Given:
    """Which of the filters' values a statement compares with."""

    kinds: bool
    agency: bool
    happened_from: bool
    happened_to: bool

    @classmethod
    def of(cls, filters: Filters) -> Given:
        return cls(
            bool(filters.kinds),
            filters.agency_id is not None,
            filters.happened_from is not None,
            filters.happened_to is not None,
        )


def decided_statement(policy: StatementPolicy, given: Given, after: bool) -> Select:
    """`_statement` over every source, each read only where the enforcement point's SQL form of the rules lets
    the reader read its `seen_as` kind in the family (StatementPolicy.family_condition, as `can` decides it), and
    with two more columns on each row: `visible`, whether the reader may read the family at all (as
    `require_visible_family` decides it), and the family's id. No decision is made before it runs, so it needs no
    facts read of its own (the compiled FamilyChronology, compiled_api.py). Parameters as `_rows` gives them."""
    return _statement(policy, list(SOURCES), given, after, decided=True)


def _statement(
    policy: StatementPolicy, chosen: list[Source], given: Given, after: bool, *, decided: bool = False
) -> Select:
    """The entries of `chosen` in the family (:family_id) as one UNION ALL, decided over the family's facts row
    (facts.facts_row) by the SQL form of the rules (StatementPolicy); then the page (:page_size rows, after the
    key :after_on, :after_at, :after_kind, :after_id when `after`) and, on each row, the total. When the page is
    empty, one row holds the total and nothing else; with each row, the facts row's override ids (for the audit).
    `decided`: see decided_statement."""
    facts = facts_row()
    known = facts_columns(facts)
    branches = [_branch(policy, facts, known, source, given, decided) for source in chosen]
    union = sa.union_all(*branches) if len(branches) > 1 else branches[0]
    entries = union.cte("chronology")
    c = entries.c
    counted = sa.select(sa.func.count().label("total")).select_from(entries).subquery("counted")
    listed = sa.select(entries)
    if after:
        key = (
            sa.bindparam("after_on", type_=sa.Date()),
            sa.bindparam("after_at", type_=sa.DateTime(timezone=True)),
            sa.bindparam("after_kind", type_=sa.Text()),
            sa.bindparam("after_id", type_=sa.Uuid()),
        )
        listed = listed.where(sa.tuple_(c.happened_on, c.recorded_at, c.kind, c.subject_id) < sa.tuple_(*key))
    page = _ordered(listed, c).limit(sa.bindparam("page_size", type_=sa.Integer())).lateral("page")
    decisions = (policy.family_condition(known).label("visible"), facts.c.family_id) if decided else ()
    statement = sa.select(counted.c.total, facts.c.override_ids, *decisions, *page.c).select_from(
        counted.join(facts, sa.true()).outerjoin(page, sa.true())
    )
    return _ordered(statement, page.c)


def _branch(
    policy: StatementPolicy, facts: sa.CTE, known: FactsColumns, source: Source, given: Given, decided: bool
) -> Select:
    shape = source.shape()
    # The family's id from its facts row, not the parameter: estimated alike with or without the value, so
    # PostgreSQL keeps one generic plan for the text instead of planning each run (bench/README.md, "Plans kept").
    conditions = [shape.family_id == facts.c.family_id, *shape.where, *_filtered(source.kind, shape, given)]
    if decided:
        seen_as = source.seen_as  # a Kind (sources.py): can(read, seen_as) over the facts row
        conditions.append(policy.family_condition(known, Act.read, seen_as))
    columns = [
        sa.literal(source.kind, sa.Text).label("kind"),
        shape.subject_id.label("subject_id"),
        sa.cast(shape.happened_on, sa.Date).label("happened_on"),
        shape.recorded_at.label("recorded_at"),
        (shape.agency_id if shape.agency_id is not None else sa.null()).cast(sa.Uuid).label("agency_id"),
        *[_code(shape, i).label(f"code{i}") for i in range(2)],
        *_content(policy, known, shape, conditions),
    ]
    rows = shape.from_ if shape.from_ is not None else shape.family_id.table  # type: ignore[attr-defined]
    return sa.select(*columns).select_from(rows.join(facts, sa.true())).where(*conditions)


def _code(shape: Shape, i: int) -> sa.ColumnElement:
    return sa.cast(shape.codes[i], sa.Text) if i < len(shape.codes) else sa.null().cast(sa.Text)


def _filtered(kind: str, shape: Shape, given: Given) -> list[sa.ColumnElement]:
    day = sa.cast(shape.happened_on, sa.Date)
    found = []
    if given.kinds:
        found.append(sa.literal(kind, sa.Text) == sa.any_(sa.bindparam("kinds", type_=ARRAY(sa.Text()))))
    if given.agency:
        agency = sa.bindparam("filter_agency_id", type_=sa.Uuid())
        found.append(shape.agency_id == agency if shape.agency_id is not None else sa.false())
    if given.happened_from:
        found.append(day >= sa.bindparam("happened_from", type_=sa.Date()))
    if given.happened_to:
        found.append(day <= sa.bindparam("happened_to", type_=sa.Date()))
    return found


def _content(policy: StatementPolicy, known: FactsColumns, shape: Shape, conditions: list) -> list[sa.ColumnElement]:
    """The words where the reader may read them, whether any are withheld, and the facts of the content with the
    rule that allowed it (for the audit of what was read). A whole-record source keeps only the rows the reader
    may read."""
    content = shape.content
    if content is None:
        nothing = [sa.null().cast(sa.Text).label("content"), sa.false().label("withheld")]
        facts = [
            sa.null().cast(sa.Text).label("content_kind"),
            sa.null().cast(sa.Uuid).label("owner"),
            sa.null().cast(sa.Text).label("category"),
            sa.null().cast(sa.Text).label("basis"),
        ]
        return nothing + facts
    visible = policy.item_condition(known, content.columns, kind=content.kind)
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
        sa.cast(policy.item_basis(known, c, kind=content.kind), sa.Text).label("basis"),
    ]


def _ordered(statement: Select, c) -> Select:
    return statement.order_by(c.happened_on.desc(), c.recorded_at.desc(), c.kind.desc(), c.subject_id.desc())


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
    shown = [
        (str(row.subject_id), row.content_kind, str(row.owner), row.category, row.basis)
        for row in rows
        if row.content is not None
    ]
    note_reads(access, family_id, shown, rows[0].override_ids if rows else ())


def note_reads(
    access: AccessControl,
    family_id: uuid.UUID,
    shown: list[tuple[str, str | None, str, str, str | None]],
    override_ids,
) -> None:
    """Each other agency's content shown (subject id, content kind, owning agency, category, basis, of each entry
    whose words are shown) is audited as a read of its own kind (contribution, plan_goal, ...), with the rule that
    allowed it (StatementPolicy.item_basis, worked out in the statement) and, when that was an override, which
    overrides in force shared it (the facts row's `override_ids`, "agency category override")."""
    agency = str(access.actor.agency_id)
    by_kind: dict[Kind, list[tuple[str, str, str, str | None]]] = {}
    for subject_id, content_kind, owner, category, basis in shown:
        if content_kind is None or Kind(content_kind) not in CONTENT_KINDS or owner == agency:
            continue
        by_kind.setdefault(Kind(content_kind), []).append((subject_id, owner, category, basis))
    for kind, reads in by_kind.items():
        access.note_reads_decided(family_id, kind, reads, override_ids)
