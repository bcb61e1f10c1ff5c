"""What on a caseload needs attention: overdue actions and open escalations, per family.

Both are facts about records the caller may or may not read: an action is on the family plan, an
escalation is an escalation. So each is counted, and filtered on, only where the policy lets the caller
read that kind of record in that family (the SQL form of the same decision, from server.access), and is
null otherwise: a caseload filter never reveals what a family page would hide."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Act
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.clock import today
from server.escalation.models import Escalation, EscalationLevel
from server.family.models import Family
from server.plan.models import OPEN_ACTION_STATUSES, PlanAction


@dataclass(frozen=True)
class Attention:
    overdue_actions: int | None  # None: the caller may not read the family's plan
    open_escalations: int | None  # None: the caller may not see the family's escalations
    urgent_escalations: int | None = None  # of the open ones, those urgent or of immediate danger


def _overdue(family_id: ColumnElement, on: ColumnElement | None = None) -> list[ColumnElement]:
    return [
        col(PlanAction.family_id) == family_id,
        col(PlanAction.status).in_(OPEN_ACTION_STATUSES),
        col(PlanAction.due_date) < (today() if on is None else on),
    ]


def _open_escalations(family_id: ColumnElement) -> list[ColumnElement]:
    return [col(Escalation.family_id) == family_id, col(Escalation.resolved_at).is_(None)]


def _urgent_escalations(family_id: ColumnElement) -> list[ColumnElement]:
    return [*_open_escalations(family_id), col(Escalation.level) != EscalationLevel.concern.value]


def _exists(model: type, conditions: list[ColumnElement]) -> ColumnElement:
    return sa.exists().where(*conditions).select_from(model)


def _count(model: type, conditions: list[ColumnElement]) -> ColumnElement:
    return select(sa.func.count()).select_from(model).where(*conditions).scalar_subquery()


def filters(
    access: AccessControl, *, overdue_actions: bool, open_escalations: bool, on: ColumnElement | None = None
) -> list[ColumnElement]:
    """Conditions on Family.id for the caseload: families with an overdue action on a plan the caller may
    read, and with an unresolved escalation the caller may see. Overdue on `on` (a date in SQL), else today."""
    family_id = col(Family.id)
    conditions: list[ColumnElement] = []
    if overdue_actions:
        conditions += [
            access.family_filter(family_id, Act.read, Kind.plan),
            _exists(PlanAction, _overdue(family_id, on)),
        ]
    if open_escalations:
        conditions += [
            access.family_filter(family_id, Act.read, Kind.escalation),
            _exists(Escalation, _open_escalations(family_id)),
        ]
    return conditions


def counts(
    access: AccessControl, family_id: ColumnElement, *, on: ColumnElement | None = None
) -> tuple[ColumnElement, ColumnElement, ColumnElement]:
    """The overdue actions (on `on`, a date in SQL, else today), open escalations and urgent open escalations
    of the family in `family_id`, each null where the caller may not read that kind of record there: for this
    module's loader and for the compiled caseload alike."""
    plan = access.family_filter(family_id, Act.read, Kind.plan)
    escalations = access.family_filter(family_id, Act.read, Kind.escalation)
    return (
        sa.case((plan, _count(PlanAction, _overdue(family_id, on))), else_=None),
        sa.case((escalations, _count(Escalation, _open_escalations(family_id))), else_=None),
        sa.case((escalations, _count(Escalation, _urgent_escalations(family_id))), else_=None),
    )


async def of_families(
    session: AsyncSession, access: AccessControl, family_ids: list[uuid.UUID]
) -> dict[uuid.UUID, Attention]:
    """One statement for any number of families."""
    family_id = col(Family.id)
    statement = select(family_id, *counts(access, family_id)).where(family_id.in_(family_ids))
    rows = (await session.exec(statement)).all()
    found = {row[0]: Attention(row[1], row[2], row[3]) for row in rows}
    return {key: found.get(key, Attention(None, None)) for key in family_ids}
