"""FamilyChronology (graphql/operations/chronology.graphql) compiled to one SQL statement.

The family's chronology page asks it, 100 entries at a time, with its filters and cursor. The statement is the
service's page (service.decided_statement: the sources' UNION ALL, each item decided by the enforcement point's
SQL form of the rules over the family's facts read in the same statement, StatementPolicy) with the family
decision and each source's `seen_as` decision made in it too, and returns the `data` member of the answer as
JSON, field for field as the document selects and formatted as Strawberry formats it: days and times as
Python's isoformat, cursors as service.cursor encodes them, the labels and descriptions from the same data the
service writes them from (sources.SOURCES, words.py). Its text depends only on the reader's role and which
filters are set, so it is built and compiled once (server/db/prepared.py).

Anything the generic executor would refuse or answer with an error (an id that is not one, a bad page size,
cursor or filter, a family that does not exist or that the caller may not see) and any variable it does not
know are left to the generic executor.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by

from server import pagination
from server.access.pep import StatementPolicy
from server.api import compiled_parts as parts
from server.api.context import Context
from server.api.json_sql import EMPTY_LIST, cursor, iso
from server.chronology import service
from server.chronology.sources import SOURCES
from server.chronology.words import looked_up, table
from server.db.prepared import prepared
from server.errors import BadUserInput

DEFAULT_FIRST = 50  # the document's default for $first
_VARIABLES = {"familyId", "first", "after", "filter"}
_FILTER = {"agencyId", "kinds", "happenedFrom", "happenedTo"}
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

_KINDS = json.dumps([{"kind": source.kind, "label": source.label} for source in SOURCES])
_LABELS = {source.kind: source.label for source in SOURCES}


def _uuid(value: Any) -> uuid.UUID | None:
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _page_size(variables: dict[str, Any]) -> int | None:
    first = variables.get("first", DEFAULT_FIRST)
    return first if type(first) is int and 1 <= first <= pagination.MAX_PAGE else None


def _day(value: Any) -> tuple[bool, date | None]:
    """(understood, the day): null is no day; a day is YYYY-MM-DD and nothing else."""
    if value is None:
        return True, None
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        return False, None
    try:
        return True, date.fromisoformat(value)
    except ValueError:
        return False, None


def _filters(value: Any) -> service.Filters | None:
    """ChronologyFilter.to_filters of the variable, when it is one the generic executor would take; None else."""
    if value is None:
        return service.Filters()
    if not isinstance(value, dict) or set(value) - _FILTER:
        return None
    agency, kinds = value.get("agencyId"), value.get("kinds")
    if agency is not None and not isinstance(agency, str):
        return None
    agency_id = _uuid(agency) if agency else None  # an empty id is no filter, as to_filters reads it
    if agency and agency_id is None:
        return None
    if kinds is not None and (not isinstance(kinds, list) or not all(isinstance(kind, str) for kind in kinds)):
        return None
    (from_ok, happened_from), (to_ok, happened_to) = _day(value.get("happenedFrom")), _day(value.get("happenedTo"))
    if not from_ok or not to_ok:
        return None
    filters = service.Filters(agency_id, tuple(dict.fromkeys(kinds or ())), happened_from, happened_to)
    try:
        filters.check()
    except BadUserInput:
        return None
    return filters


def _cursor_key(after: Any) -> tuple[bool, tuple | None]:
    if after is None:
        return True, None
    if not isinstance(after, str):
        return False, None
    try:
        return True, service.decode_cursor(after)
    except BadUserInput:
        return False, None


def statement(policy: StatementPolicy, given: service.Given, after: bool) -> sa.Select:
    """One row when the family (:family_id) exists: whether the reader may read it, the answer's `data` as JSON
    text, and the entries of the page whose words are shown (subject id, content kind, owning agency, category,
    the rule that allowed it) with the facts row's override ids, for the audit. Parameters as service.parameters
    gives them, the page size :page_size being one more than :first."""
    rows = service.decided_statement(policy, given, after).subquery("entries")
    r = rows.c
    order = (r.happened_on.desc(), r.recorded_at.desc(), r.kind.desc(), r.subject_id.desc())
    numbered = sa.select(rows, sa.func.row_number().over(order_by=order).label("position")).subquery("numbered")
    n = numbered.c
    first = sa.bindparam("first", type_=sa.Integer())
    shown = sa.and_(n.kind.is_not(None), n.position <= first)
    named = parts.agency_rows("named_agency")
    codes = (n.code0, n.code1)
    description = sa.case(
        {source.kind: source.describe.sql(codes) for source in SOURCES}, value=n.kind, else_=sa.literal("")
    )
    node = sa.func.json_build_object(
        "kind", n.kind,
        "label", looked_up(table(_LABELS), n.kind),
        "happenedOn", parts.day(n.happened_on),
        "recordedAt", iso(n.recorded_at),
        "description", description,
        "content", n.content,
        "contentVisible", n.content.is_not(None),
        "contentWithheld", sa.func.coalesce(n.withheld, sa.false()),
        "subjectId", sa.cast(n.subject_id, sa.Text),
        "agency", parts.joined_agency(named),
    )  # fmt: skip
    nodes = sa.func.json_agg(aggregate_order_by(node, n.position)).filter(shown)
    key = cursor(parts.day(n.happened_on), iso(n.recorded_at), n.kind, sa.cast(n.subject_id, sa.Text))
    last_first = sa.func.json_agg(aggregate_order_by(key, n.position.desc())).filter(shown)
    end_cursor = last_first.op("->>", return_type=sa.Text())(sa.literal_column("0"))  # null when none is shown
    chronology = sa.func.json_build_object(
        "nodes", sa.func.coalesce(nodes, EMPTY_LIST),
        "pageInfo", sa.func.json_build_object("hasNextPage", sa.func.count(n.kind) > first, "endCursor", end_cursor),
        "totalCount", sa.func.max(n.total),
    )  # fmt: skip
    family_id = sa.func.max(sa.cast(n.family_id, sa.Text))  # the same on every row
    family = sa.func.json_build_object("id", family_id, "chronology", chronology)
    data = sa.func.json_build_object(
        "chronologyKinds", sa.cast(sa.bindparam("chronology_kinds", _KINDS, type_=sa.Text()), sa.JSON),
        "family", family,
    )  # fmt: skip
    read = sa.func.json_build_array(
        sa.cast(n.subject_id, sa.Text), n.content_kind, sa.cast(n.owner, sa.Text), n.category, n.basis
    )
    reads = sa.func.json_agg(aggregate_order_by(read, n.position)).filter(sa.and_(shown, n.content.is_not(None)))
    override_ids = sa.func.array_to_json(sa.func.max(n.override_ids))  # the same on every row
    return (
        sa.select(
            sa.func.bool_and(n.visible), sa.cast(data, sa.Text), sa.cast(reads, sa.Text), sa.cast(override_ids, sa.Text)
        )
        .select_from(numbered.outerjoin(named, named.c.id == n.agency_id))
        .having(sa.func.count() > 0)
    )


async def family_chronology(context: Context, variables: dict[str, Any]) -> str | None:
    """The answer's `data`, or None for the generic executor (see server/api/compiled.py)."""
    if set(variables) - _VARIABLES:
        return None
    family_id, first = _uuid(variables.get("familyId")), _page_size(variables)
    filters = _filters(variables.get("filter"))
    understood, after = _cursor_key(variables.get("after"))
    if family_id is None or first is None or filters is None or not understood:
        return None
    access = context.access
    policy = access.statement_policy()
    given = service.Given.of(filters)
    values = {**service.parameters(policy, access, family_id, filters, first + 1, after), "first": first}
    engine = context.engine
    if engine is None:
        return None
    key = (__name__, policy.key, engine.dialect.name, given, after is not None)
    statement_of = prepared(key, engine.dialect, lambda: statement(policy, given, after is not None))
    row = await statement_of.first_alone(engine, values)
    if row is None or not row[0]:
        return None  # no such family, or one the reader may not see: the generic executor refuses it, and logs it
    _visible, data, reads, override_ids = row
    shown = [tuple(read) for read in json.loads(reads)] if reads else []
    service.note_reads(access, family_id, shown, json.loads(override_ids) if override_ids else ())
    return data
