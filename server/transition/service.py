"""Step up, step down, closure and re-opening: the lead professional moves the case, and each move is
kept as a record. A closed family is read-only (server/writes.py) until it is re-opened
with a reason."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import outbox
from notifications.events import FamilyStatusChanged
from server.access.actor import Act
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.assessment import reminders as assessment_reminders
from server.clock import moment_on, today
from server.errors import BadUserInput, Conflict
from server.family.models import Family, FamilyStatus, LevelOfNeed
from server.family.service import bump_version
from server.follow_up import service as follow_up_service
from server.panel import service as panel_service
from server.panel.models import PanelOutcome
from server.plan import service as plan_service
from server.transition.models import CareOutcome, ClosureOutcome, FamilyTransition, TransitionKind
from server.validation import optional_text, required_text
from server.writes import lock_and_require

STEP_DOWN_LEVELS = (LevelOfNeed.universal, LevelOfNeed.targeted)


class OpenActions(StrEnum):
    """What closing does with actions still open or in progress."""

    cancel = "cancel"
    keep = "keep"


@dataclass(frozen=True)
class StepIn:
    reason: str
    receiving_team: str
    effective_on: date
    panel_decision_id: uuid.UUID | None = None  # agreed at this panel decision (of the family, to step so)


@dataclass(frozen=True)
class ClosureIn:
    outcome: ClosureOutcome
    care_outcome: CareOutcome
    reason: str
    support_continuing: str
    contact_if_difficulties: str
    family_feedback: str
    effective_on: date
    open_actions: OpenActions | None = None


async def step_up(
    session: AsyncSession, access: AccessControl, *, family_id: uuid.UUID, expected_version: int, data: StepIn
) -> tuple[Family, FamilyTransition]:
    """To statutory services: the level of need becomes statutory."""
    family = await lock_and_require(session, access, Act.update, Kind.family, family_id)
    row = _transition(family, access, TransitionKind.step_up, data.reason, data.effective_on, data.receiving_team)
    row.panel_decision_id = await _agreed_at_panel(session, access, family_id, data, PanelOutcome.step_up)
    changes = {"status": FamilyStatus.stepped_up.value, "level_of_need": LevelOfNeed.statutory.value}
    return await _apply(session, access, expected_version, changes, row, transition="stepped_up")


async def step_down(
    session: AsyncSession,
    access: AccessControl,
    *,
    family_id: uuid.UUID,
    expected_version: int,
    data: StepIn,
    level_of_need: LevelOfNeed,
) -> tuple[Family, FamilyTransition]:
    check_step_down_level(level_of_need)
    family = await lock_and_require(session, access, Act.update, Kind.family, family_id)
    row = _transition(family, access, TransitionKind.step_down, data.reason, data.effective_on, data.receiving_team)
    row.panel_decision_id = await _agreed_at_panel(session, access, family_id, data, PanelOutcome.step_down)
    changes = {"status": FamilyStatus.stepped_down.value, "level_of_need": level_of_need.value}
    return await _apply(session, access, expected_version, changes, row, transition="stepped_down")


async def _agreed_at_panel(
    session: AsyncSession, access: AccessControl, family_id: uuid.UUID, data: StepIn, outcome: PanelOutcome
) -> uuid.UUID | None:
    if data.panel_decision_id is None:
        return None
    decision = await panel_service.require_step_decision(
        session, access, decision_id=data.panel_decision_id, family_id=family_id, outcome=outcome
    )
    return decision.id


async def close(
    session: AsyncSession, access: AccessControl, *, family_id: uuid.UUID, expected_version: int, data: ClosureIn
) -> tuple[Family, FamilyTransition]:
    """Close with an outcome (and where the young person lives: the edge-of-care outcome), a sustainability
    plan and the family's feedback, and schedule the follow-up checks 3, 6 and 12 months on. Open actions
    make this a BAD_USER_INPUT unless the caller chose to cancel or keep them."""
    family = await lock_and_require(session, access, Act.update, Kind.family, family_id)
    open_actions = await plan_service.open_actions(session, family_id)
    if open_actions and data.open_actions is None:
        raise BadUserInput(
            f"{len(open_actions)} action(s) on the plan are still open. Choose openActions: cancel to cancel"
            " them, or keep to leave them open with their owners.",
            field="openActions",
        )
    row = add_closure_details(_transition(family, access, TransitionKind.closure, data.reason, data.effective_on), data)
    if data.open_actions is OpenActions.cancel:
        await plan_service.cancel_actions(session, access, open_actions)
    closed_at = moment_on(data.effective_on, not_before=family.opened_at)
    changes = {"status": FamilyStatus.closed.value, "closed_at": closed_at}
    applied = await _apply(session, access, expected_version, changes, row, transition="closed")
    await follow_up_service.schedule_for(session, row)
    await assessment_reminders.follow(session, family.id)
    return applied


async def reopen(
    session: AsyncSession, access: AccessControl, *, family_id: uuid.UUID, expected_version: int, reason: str
) -> tuple[Family, FamilyTransition]:
    family = await lock_and_require(session, access, Act.update, Kind.family, family_id, open_only=False)
    if family.status is not FamilyStatus.closed:
        raise Conflict("This family's record is not closed.")
    row = _transition(family, access, TransitionKind.reopening, reason, today())
    changes = {"status": FamilyStatus.active.value, "closed_at": None}
    applied = await _apply(session, access, expected_version, changes, row, transition="reopened")
    await follow_up_service.cancel_pending(session, family_id)
    await assessment_reminders.follow(session, family_id)
    return applied


async def list_for_family(session: AsyncSession, access: AccessControl, family_id: uuid.UUID) -> list[FamilyTransition]:
    await access.require(session, Act.read, Kind.plan, family_id)
    statement = select(FamilyTransition).where(FamilyTransition.family_id == family_id)
    return list((await session.exec(statement.order_by(col(FamilyTransition.created_at)))).all())


def _transition(
    family: Family,
    access: AccessControl,
    kind: TransitionKind,
    reason: str,
    effective_on: date,
    receiving_team: str = "",
) -> FamilyTransition:
    return transition_row(
        family.id, family.opened_at.date(), access.actor.user_id, kind, reason, effective_on, receiving_team
    )


def transition_row(
    family_id: uuid.UUID,
    opened_on: date,
    recorded_by: uuid.UUID,
    kind: TransitionKind,
    reason: str,
    effective_on: date,
    receiving_team: str = "",
) -> FamilyTransition:
    return FamilyTransition(
        **transition_values(family_id, opened_on, recorded_by, kind, reason, effective_on, receiving_team)
    )


def transition_values(
    family_id: uuid.UUID,
    opened_on: date,
    recorded_by: uuid.UUID,
    kind: TransitionKind,
    reason: str,
    effective_on: date,
    receiving_team: str = "",
) -> dict[str, Any]:
    """A move of a family's case, checked: dated between the opening and today (a step up may be planned
    ahead), with a reason, and a receiving team for a step. Plain values, free of the database, so that
    the import (server/caseimport/) writes them in bulk by the same rules."""
    if effective_on < opened_on:
        raise BadUserInput("The date cannot be before the family's record was opened.", field="effectiveOn")
    if effective_on > today() and kind is not TransitionKind.step_up:
        raise BadUserInput("The date cannot be in the future.", field="effectiveOn")
    if kind in (TransitionKind.step_up, TransitionKind.step_down):
        receiving_team = required_text(receiving_team, "receivingTeam", 300)
    return {
        "family_id": family_id,
        "kind": kind,
        "effective_on": effective_on,
        "reason": required_text(reason, "reason", 5000),
        "receiving_team": receiving_team,
        "recorded_by_user_id": recorded_by,
    }


def check_step_down_level(level_of_need: LevelOfNeed) -> None:
    if level_of_need not in STEP_DOWN_LEVELS:
        raise BadUserInput("Stepping down is to universal or targeted (early help) support.", field="levelOfNeed")


def add_closure_details(row: FamilyTransition, data: ClosureIn) -> FamilyTransition:
    for name, value in closure_values(data).items():
        setattr(row, name, value)
    return row


def closure_values(data: ClosureIn) -> dict[str, Any]:
    """The closure's outcome and sustainability plan, checked, as the columns of its transition."""
    return {
        "outcome": data.outcome,
        "care_outcome": data.care_outcome,
        "support_continuing": required_text(data.support_continuing, "supportContinuing", 5000),
        "contact_if_difficulties": required_text(data.contact_if_difficulties, "contactIfDifficulties", 2000),
        "family_feedback": optional_text(data.family_feedback, "familyFeedback", 5000),
    }


async def _apply(
    session: AsyncSession,
    access: AccessControl,
    expected_version: int,
    changes: dict,
    row: FamilyTransition,
    *,
    transition: str,
) -> tuple[Family, FamilyTransition]:
    """Change the family as the transition says, record the transition, and tell the team."""
    updated = await bump_version(session, row.family_id, expected_version, changes)
    session.add(row)
    await session.flush()
    event = FamilyStatusChanged(
        family_id=row.family_id, actor_user_id=access.actor.user_id, transition=transition, transition_id=row.id
    )
    await outbox.append(session, event)
    return updated, row
