"""What the compiled reads of one family's record share (server/api/compiled.py): the family id they are
asked for, the family decision they answer under, and the JSON of the agencies and workers their records
name, written as the generic executor's batch loads (agency_by_id, user_by_id) resolve them."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Act
from server.access.facts import FamilyFacts
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.agency.models import Agency
from server.api.context import Context
from server.api.json_sql import EMPTY_LIST, iso
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


async def readable_family(access: AccessControl, session: AsyncSession, family: uuid.UUID) -> FamilyFacts | None:
    """The family's facts when the caller may read its record; None otherwise, for the generic executor to
    refuse it as not found and log the refusal (AccessControl.require_visible_family)."""
    facts = await access.facts(session, family)
    return facts if access.decide(Act.read, Kind.family, facts).allowed else None


# The statement of a family's record, given the family's id, the caller's AccessControl, the session and the
# family's facts (for decisions beyond the family's own).
RecordStatement = Callable[[uuid.UUID, AccessControl, AsyncSession, FamilyFacts], Awaitable[sa.Select]]


async def family_record(
    context: Context, variables: dict[str, Any], name: str, statement: RecordStatement
) -> str | None:
    """A compiled read of one family's record asked for by its id (the variable `name`, and nothing else): the
    answer's `data` from `statement`, run once the family decision allows it; None for the generic executor
    (see server/api/compiled.py) when the id is not one, or the family does not exist or is not the caller's
    to see (the generic executor refuses it, and logs the refusal)."""
    family = family_id(variables, name)
    if family is None:
        return None
    access = context.access
    async with context.read() as session:
        facts = await readable_family(access, session, family)
        if facts is None:
            return None
        row = (await session.exec(await statement(family, access, session, facts))).first()
    return row[0] if row is not None else None


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
