"""What the compiled reads of one family's record share (server/api/compiled.py): the family id they are
asked for, the family decision they answer under, and the JSON of the agencies and workers their records
name, written as the generic executor's batch loads (agency_by_id, user_by_id) resolve them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.elements import ColumnElement

from server.access.facts import facts_row
from server.access.pep import StatementPolicy
from server.access.rules import FactsColumns, facts_columns
from server.agency.models import Agency
from server.api.context import Context
from server.api.json_sql import EMPTY_LIST, iso
from server.clock import utcnow
from server.db.prepared import prepared
from server.user.models import User


def family_id(variables: dict[str, Any], name: str, others: frozenset[str] = frozenset()) -> uuid.UUID | None:
    """The family asked for, when the variables are that id and none but `others`; None for the generic
    executor (which answers an id that is not one, or a missing one, with its own error)."""
    value = variables.get(name)
    if not set(variables) <= {name, *others} or not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


# The statement of a family's record: given the policy for the caller's role, the columns of the family's facts
# row (facts.facts_row, for decisions beyond the family's own) and the family's id (a column of that row), the
# answer's `data` as JSON text, one row when the family exists. Its values are parameters (:now, :today and the
# facts row's), so it is built and compiled once per role (server/db/prepared.py).
RecordStatement = Callable[[StatementPolicy, FactsColumns, ColumnElement], sa.Select]


def record_statement(policy: StatementPolicy, build: RecordStatement) -> sa.Select:
    """One row when the family (:family_id) exists: whether the caller may read its record (the family decision
    over its facts, read in the same statement), and the answer's `data` when they may (null when not, without
    reading the record)."""
    facts = facts_row()
    known = facts_columns(facts)
    allowed = policy.family_condition(known)
    data = build(policy, known, facts.c.family_id).scalar_subquery()
    return sa.select(allowed, sa.case((allowed, data), else_=sa.null())).select_from(facts)


async def family_record(context: Context, variables: dict[str, Any], name: str, build: RecordStatement) -> str | None:
    """A compiled read of one family's record asked for by its id (the variable `name`, and nothing else): the
    answer's `data` from `build`, under the family decision, in one statement on a pooled connection without a
    session (Prepared.first_alone); None for the generic executor (see server/api/compiled.py) when the id is
    not one, or the family does not exist or is not the caller's to see (the generic executor refuses it, and
    logs the refusal)."""
    family = family_id(variables, name)
    engine = context.engine
    if family is None or engine is None:
        return None
    actor = context.access.actor
    policy = StatementPolicy(context.enforcer, actor)
    now = utcnow()
    values = {**policy.facts_parameters(actor, family), "now": now, "today": now.date()}
    key = (__name__, build, policy.key, engine.dialect.name)
    row = await prepared(key, engine.dialect, lambda: record_statement(policy, build)).first_alone(engine, values)
    if row is None or not row[0]:
        return None
    return row[1]


def now_parameter() -> ColumnElement:
    """:now, the time of the request (UTC), in a record's statement."""
    return sa.bindparam("now", type_=sa.DateTime(timezone=True))


def today_parameter() -> ColumnElement:
    """:today, the day of the request (UTC), in a record's statement."""
    return sa.bindparam("today", type_=sa.Date())


def iso_or_null(timestamp: ColumnElement) -> ColumnElement:
    return sa.case((timestamp.is_(None), sa.null()), else_=iso(timestamp))


def day(value: ColumnElement) -> ColumnElement:
    """A date as date.isoformat() writes it (Strawberry's Date); null stays null."""
    return sa.func.to_char(value, "YYYY-MM-DD")


def agency(agency_id: ColumnElement, *, kind: bool = False) -> ColumnElement:
    """An agency's {id, name} (and kind), by its id: a row every reference to an agency has (a foreign key)."""
    row = Agency.__table__.alias()
    fields = ["id", sa.cast(row.c.id, sa.Text), "name", row.c.name, *(("kind", row.c.kind) if kind else ())]
    return sa.select(sa.func.json_build_object(*fields)).where(row.c.id == agency_id).scalar_subquery()


def agency_rows(name: str) -> sa.FromClause:
    """The agency table under `name`, to join (outer) to a page's rows for `joined_agency`."""
    return Agency.__table__.alias(name)


def joined_agency(row: sa.FromClause) -> ColumnElement:
    """`agency` of an agency row joined (outer) to each of a page's rows, null where none joined: one hash join
    for the page, not a look-up per row (-0.25 ms of FamilyChronology's statement; bench/README.md)."""
    named = sa.func.json_build_object("id", sa.cast(row.c.id, sa.Text), "name", row.c.name)
    return sa.case((row.c.id.is_(None), sa.null()), else_=named)


def agencies(agency_ids: ColumnElement) -> ColumnElement:
    """agency_by_id.load_many(ids) as a list of {id, name}: in the array's order, an id without a row left out."""
    listed = sa.func.unnest(agency_ids).table_valued("agency_id", with_ordinality="position").render_derived()
    row = Agency.__table__.alias()
    each = sa.func.json_build_object("id", sa.cast(row.c.id, sa.Text), "name", row.c.name)
    found = (
        sa.select(sa.func.json_agg(aggregate_order_by(each, listed.c.position)))
        .select_from(listed.join(row, row.c.id == listed.c.agency_id))
        .scalar_subquery()
    )
    return sa.func.coalesce(found, EMPTY_LIST)


def staff_member(user_id: ColumnElement) -> ColumnElement:
    """A worker's {id, displayName}, by their id (a foreign key)."""
    row = User.__table__.alias()
    fields = ("id", sa.cast(row.c.id, sa.Text), "displayName", row.c.display_name)
    return sa.select(sa.func.json_build_object(*fields)).where(row.c.id == user_id).scalar_subquery()


def listed(node: ColumnElement, *order: Any) -> Any:
    """json_agg of `node` in `order`; the caller's select says from where, and coalesce makes none []."""
    return sa.func.json_agg(aggregate_order_by(node, *order))
