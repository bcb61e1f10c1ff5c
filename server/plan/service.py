"""Use cases for the family plan. The lead professional edits goals and sets actions; each agency
updates its own actions. Every version of a goal or an action is kept in plan_history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import outbox
from notifications.events import ActionAssigned, ActionDone
from server.access.actor import Act
from server.access.facts import ItemFacts
from server.access.pep import AccessControl
from server.errors import BadUserInput, Forbidden, NotFound
from server.plan.models import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    GoalStatus,
    OutcomeDomain,
    PlanAction,
    PlanGoal,
    PlanHistory,
)
from server.plan.notices import action_fields
from server.plan.versioning import snapshot, today, update_versioned
from server.team.models import TeamMembership
from server.team.service import lock_and_require
from server.validation import required_text

GOAL_FIELDS = ("in_family_words", "agreed_with_family", "agreed_on", "target_date", "outcome_domain", "status")
ACTION_FIELDS = ("description", "goal_id", "meeting_id", "owning_agency_id", "owner_user_id", "due_date", "status")
GOAL_NOT_FOUND = "No goal with that id, or you may not see it."
ACTION_NOT_FOUND = "No action with that id, or you may not see it."


@dataclass(frozen=True)
class GoalIn:
    in_family_words: str
    outcome_domain: OutcomeDomain
    agreed_with_family: bool = False
    agreed_on: date | None = None
    target_date: date | None = None
    status: GoalStatus = GoalStatus.open


@dataclass(frozen=True)
class ActionIn:
    description: str
    owner_user_id: uuid.UUID
    due_date: date
    goal_id: uuid.UUID | None = None
    status: ActionStatus = ActionStatus.open


@dataclass(frozen=True)
class Plan:
    goals: list[PlanGoal]
    actions: list[PlanAction]


def is_overdue(action: PlanAction, on: date | None = None) -> bool:
    return action.status.value in OPEN_ACTION_STATUSES and action.due_date < (on or today())


async def add_goal(session: AsyncSession, access: AccessControl, *, family_id: uuid.UUID, data: GoalIn) -> PlanGoal:
    await lock_and_require(session, access, Act.update, "plan", family_id)
    row = PlanGoal(
        family_id=family_id,
        created_by_user_id=access.actor.user_id,
        owning_agency_id=access.actor.agency_id,
        **_goal_values(data, today()),
    )
    session.add(row)
    await session.flush()
    _record(session, "goal", row, GOAL_FIELDS, access)
    return row


async def edit_goal(
    session: AsyncSession, access: AccessControl, *, goal_id: uuid.UUID, expected_version: int, changes: dict
) -> PlanGoal:
    """`changes` holds only the fields the caller sent; a stale expected_version is a CONFLICT."""
    goal = await session.get(PlanGoal, goal_id)
    if goal is None or not await access.can(session, Act.read, "plan", goal.family_id):
        raise NotFound(GOAL_NOT_FOUND)
    await lock_and_require(session, access, Act.update, "plan", goal.family_id)
    merged = GoalIn(**{**{name: getattr(goal, name) for name in GoalIn.__dataclass_fields__}, **changes})
    values = _goal_values(merged, goal.created_at.date())
    row = await update_versioned(session, PlanGoal, goal_id, expected_version, values, what="goal")
    _record(session, "goal", row, GOAL_FIELDS, access)
    return row


async def add_action(
    session: AsyncSession,
    access: AccessControl,
    *,
    family_id: uuid.UUID,
    data: ActionIn,
    meeting_id: uuid.UUID | None = None,
) -> PlanAction:
    await lock_and_require(session, access, Act.update, "plan", family_id)
    owner = await _team_member(session, family_id, data.owner_user_id)
    await _check_goal(session, family_id, data.goal_id)
    if data.due_date < today():
        raise BadUserInput("An action cannot be due before the day it is set.", field="dueDate")
    row = PlanAction(
        family_id=family_id,
        goal_id=data.goal_id,
        meeting_id=meeting_id,
        description=required_text(data.description, "description", 2000),
        owning_agency_id=owner.agency_id,
        owner_user_id=owner.user_id,
        due_date=data.due_date,
        status=data.status,
        created_by_user_id=access.actor.user_id,
    )
    session.add(row)
    await session.flush()
    _record(session, "action", row, ACTION_FIELDS, access)
    await outbox.append(session, ActionAssigned(**action_fields(row), actor_user_id=access.actor.user_id))
    return row


async def edit_action(
    session: AsyncSession, access: AccessControl, *, action_id: uuid.UUID, expected_version: int, changes: dict
) -> PlanAction:
    """The owning agency updates its action; only the lead professional hands it to another agency."""
    action = await session.get(PlanAction, action_id)
    if action is None or not await access.can(session, Act.read, "plan", action.family_id):
        raise NotFound(ACTION_NOT_FOUND)
    await lock_and_require(session, access, Act.read, "plan", action.family_id, seen_as="plan")
    if not await access.can_item(session, Act.update, "plan_action", action.family_id, _facts(action)):
        raise Forbidden("Only the agency that owns an action, or the lead professional, can change it.")
    values = await _action_changes(session, access, action, changes)
    before_owner, before_status = action.owner_user_id, action.status  # the row object is refreshed in place
    row = await update_versioned(session, PlanAction, action_id, expected_version, values, what="action")
    _record(session, "action", row, ACTION_FIELDS, access)
    if row.owner_user_id != before_owner:
        await outbox.append(session, ActionAssigned(**action_fields(row), actor_user_id=access.actor.user_id))
    if row.status is ActionStatus.done and before_status is not ActionStatus.done:
        await outbox.append(session, ActionDone(**action_fields(row), actor_user_id=access.actor.user_id))
    return row


async def plan_of_family(session: AsyncSession, access: AccessControl, family_id: uuid.UUID) -> Plan:
    await access.require(session, Act.read, "plan", family_id)
    goals = await session.exec(
        select(PlanGoal).where(PlanGoal.family_id == family_id).order_by(col(PlanGoal.created_at), col(PlanGoal.id))
    )
    actions = await session.exec(
        select(PlanAction)
        .where(PlanAction.family_id == family_id)
        .order_by(col(PlanAction.due_date), col(PlanAction.created_at))
    )
    return Plan(goals=list(goals.all()), actions=list(actions.all()))


async def history_of_family(
    session: AsyncSession, access: AccessControl, family_id: uuid.UUID, *, entity_id: uuid.UUID | None = None
) -> list[PlanHistory]:
    await access.require(session, Act.read, "plan", family_id)
    statement = select(PlanHistory).where(PlanHistory.family_id == family_id)
    if entity_id is not None:
        statement = statement.where(PlanHistory.entity_id == entity_id)
    ordered = statement.order_by(col(PlanHistory.created_at), col(PlanHistory.version))
    return list((await session.exec(ordered)).all())


async def open_actions(session: AsyncSession, family_id: uuid.UUID) -> list[PlanAction]:
    statement = select(PlanAction).where(
        PlanAction.family_id == family_id, col(PlanAction.status).in_(OPEN_ACTION_STATUSES)
    )
    return list((await session.exec(statement)).all())


async def cancel_actions(session: AsyncSession, access: AccessControl, actions: list[PlanAction]) -> None:
    """For closure: the caller has already been allowed to change the family's record."""
    for action in actions:
        row = await update_versioned(
            session, PlanAction, action.id, action.version, {"status": ActionStatus.cancelled.value}, what="action"
        )
        _record(session, "action", row, ACTION_FIELDS, access)


def _facts(action: PlanAction) -> ItemFacts:
    return ItemFacts(owning_agency_id=action.owning_agency_id, category="")


async def _action_changes(session: AsyncSession, access: AccessControl, action: PlanAction, changes: dict) -> dict:
    values: dict = {}
    if "description" in changes:
        values["description"] = required_text(changes["description"], "description", 2000)
    if "status" in changes:
        values["status"] = ActionStatus(changes["status"]).value
    if "due_date" in changes:
        if changes["due_date"] < action.created_at.date():
            raise BadUserInput("An action cannot be due before the day it was set.", field="dueDate")
        values["due_date"] = changes["due_date"]
    if "goal_id" in changes:
        await _check_goal(session, action.family_id, changes["goal_id"])
        values["goal_id"] = changes["goal_id"]
    if "owner_user_id" in changes:
        owner = await _team_member(session, action.family_id, changes["owner_user_id"])
        if owner.agency_id != action.owning_agency_id and not await access.can(
            session, Act.update, "plan", action.family_id
        ):
            raise Forbidden("Only the lead professional can hand an action to another agency.")
        values["owner_user_id"], values["owning_agency_id"] = owner.user_id, owner.agency_id
    if not values:
        raise BadUserInput("Send at least one field to change.")
    return values


def _goal_values(data: GoalIn, earliest: date) -> dict:
    if data.target_date is not None and data.target_date < earliest:
        raise BadUserInput("A goal's target date cannot be before the goal was set.", field="targetDate")
    agreed_on = data.agreed_on or (today() if data.agreed_with_family else None)
    if agreed_on is not None and agreed_on > today():
        raise BadUserInput("The family cannot have agreed a goal in the future.", field="agreedOn")
    return {
        "in_family_words": required_text(data.in_family_words, "inFamilyWords", 1000),
        "agreed_with_family": data.agreed_with_family,
        "agreed_on": agreed_on if data.agreed_with_family else None,
        "target_date": data.target_date,
        "outcome_domain": OutcomeDomain(data.outcome_domain).value,
        "status": GoalStatus(data.status).value,
    }


async def _team_member(session: AsyncSession, family_id: uuid.UUID, user_id: uuid.UUID) -> TeamMembership:
    statement = select(TeamMembership).where(
        TeamMembership.family_id == family_id,
        TeamMembership.user_id == user_id,
        col(TeamMembership.valid_to).is_(None),
    )
    membership = (await session.exec(statement)).first()
    if membership is None:
        raise BadUserInput("An action's owner must be a worker on the family's team.", field="ownerUserId")
    return membership


async def _check_goal(session: AsyncSession, family_id: uuid.UUID, goal_id: uuid.UUID | None) -> None:
    if goal_id is None:
        return
    goal = await session.get(PlanGoal, goal_id)
    if goal is None or goal.family_id != family_id:
        raise BadUserInput("That goal is not on this family's plan.", field="goalId")


def _record(
    session: AsyncSession, entity: str, row: PlanGoal | PlanAction, fields: tuple, access: AccessControl
) -> None:
    session.add(
        PlanHistory(
            family_id=row.family_id,
            entity=entity,
            entity_id=row.id,
            version=row.version,
            editor_user_id=access.actor.user_id,
            snapshot=snapshot(row, fields),
        )
    )
