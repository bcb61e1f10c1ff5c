"""Use cases for the family plan. The lead professional edits goals and sets actions; each agency
updates its own actions. Every version of a goal or an action is kept in plan_history.

The plan's structure (goals' status and dates, actions' owner, due date, status and goal) is seen by
whoever may read the plan; the words of a goal or an action are case content (server/plan/content.py),
decided by the sharing policy: in SQL for lists, per facts for one item, per version for the history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import outbox
from notifications.events import ActionAssigned, ActionDone
from server.access.actor import Act
from server.access.categories import InformationCategory
from server.access.facts import ItemFacts
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.clock import today
from server.db.versioning import update_versioned
from server.errors import BadUserInput, Forbidden, NotFound
from server.meeting.models import Meeting, MeetingKind, MeetingStatus
from server.plan import reminders
from server.plan.content import (
    action_columns,
    action_facts,
    contingency_facts,
    goal_columns,
    goal_facts,
)
from server.plan.contingency import CONTINGENCY_TEXT, SeenContingency, contingencies_of_family
from server.plan.models import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    GoalStatus,
    OutcomeDomain,
    PlanAction,
    PlanContingency,
    PlanGoal,
    PlanHistory,
)
from server.plan.notices import action_fields
from server.plan.versions import record_version
from server.team.models import TeamMembership
from server.validation import required_text
from server.writes import lock_and_require

GOAL_FIELDS = (
    "in_family_words",
    "agreed_with_family",
    "agreed_on",
    "target_date",
    "outcome_domain",
    "status",
    "category",
    "owning_agency_id",
)
ACTION_FIELDS = (
    "description",
    "goal_id",
    "meeting_id",
    "owning_agency_id",
    "owner_user_id",
    "due_date",
    "status",
    "category",
)
# The words of each kind of plan entry: case content, withheld (null) where the policy withholds it.
TEXT_FIELDS = {"goal": ("in_family_words",), "action": ("description",), "contingency": CONTINGENCY_TEXT}
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
    category: InformationCategory = InformationCategory.other
    conference_id: uuid.UUID | None = None  # a goal of the plan the family made at this family group conference


@dataclass(frozen=True)
class ActionIn:
    description: str
    owner_user_id: uuid.UUID
    due_date: date
    goal_id: uuid.UUID | None = None
    status: ActionStatus = ActionStatus.open
    category: InformationCategory = InformationCategory.other


@dataclass(frozen=True)
class SeenGoal:
    """A goal as the caller may see it: its words only where the policy shares them."""

    row: PlanGoal
    content_visible: bool


@dataclass(frozen=True)
class SeenAction:
    """An action as the caller may see it: its description only where the policy shares it."""

    row: PlanAction
    content_visible: bool


@dataclass(frozen=True)
class SeenVersion:
    """One version of a goal or an action, decided on its own facts (its category then, its owner)."""

    row: PlanHistory
    category: str
    content_visible: bool


@dataclass(frozen=True)
class Plan:
    goals: list[SeenGoal]
    actions: list[SeenAction]
    contingencies: list[SeenContingency]


def is_overdue(action: PlanAction, on: date | None = None) -> bool:
    return action.status.value in OPEN_ACTION_STATUSES and action.due_date < (on or today())


async def add_goal(session: AsyncSession, access: AccessControl, *, family_id: uuid.UUID, data: GoalIn) -> PlanGoal:
    await lock_and_require(session, access, Act.update, Kind.plan, family_id)
    if data.conference_id is not None:
        data = await _from_conference(session, family_id, data)
    row = PlanGoal(
        family_id=family_id,
        created_by_user_id=access.actor.user_id,
        owning_agency_id=access.actor.agency_id,
        **_goal_values(data, today()),
    )
    session.add(row)
    await session.flush()
    record_version(session, "goal", row, GOAL_FIELDS, access.actor.user_id)
    return row


async def edit_goal(
    session: AsyncSession, access: AccessControl, *, goal_id: uuid.UUID, expected_version: int, changes: dict
) -> PlanGoal:
    """`changes` holds only the fields the caller sent; a stale expected_version is a CONFLICT."""
    goal = await session.get(PlanGoal, goal_id)
    if goal is None or not await access.can(session, Act.read, Kind.plan, goal.family_id):
        raise NotFound(GOAL_NOT_FOUND)
    await lock_and_require(session, access, Act.update, Kind.plan, goal.family_id)
    merged = GoalIn(**{**{name: getattr(goal, name) for name in GoalIn.__dataclass_fields__}, **changes})
    values = _goal_values(merged, goal.created_at.date())
    row = await update_versioned(session, PlanGoal, goal_id, expected_version, values, what="goal")
    record_version(session, "goal", row, GOAL_FIELDS, access.actor.user_id)
    return row


async def add_action(
    session: AsyncSession,
    access: AccessControl,
    *,
    family_id: uuid.UUID,
    data: ActionIn,
    meeting_id: uuid.UUID | None = None,
) -> PlanAction:
    await lock_and_require(session, access, Act.update, Kind.plan, family_id)
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
        category=InformationCategory(data.category).value,
        created_by_user_id=access.actor.user_id,
    )
    session.add(row)
    await session.flush()
    record_version(session, "action", row, ACTION_FIELDS, access.actor.user_id)
    await outbox.append(session, ActionAssigned(**action_fields(row), actor_user_id=access.actor.user_id))
    await reminders.follow(session, row)
    return row


async def edit_action(
    session: AsyncSession, access: AccessControl, *, action_id: uuid.UUID, expected_version: int, changes: dict
) -> PlanAction:
    """The owning agency updates its action; only the lead professional hands it to another agency."""
    action = await session.get(PlanAction, action_id)
    if action is None or not await access.can(session, Act.read, Kind.plan, action.family_id):
        raise NotFound(ACTION_NOT_FOUND)
    await lock_and_require(session, access, Act.read, Kind.plan, action.family_id, seen_as=Kind.plan)
    facts = action_facts(action, serves_agreed_goal=await _serves_agreed_goal(session, action.goal_id))
    if not await access.can_item(session, Act.update, Kind.plan_action, action.family_id, facts):
        raise Forbidden("Only the agency that owns an action, or the lead professional, can change it.")
    values = await _action_changes(session, access, action, changes)
    before_owner, before_status = action.owner_user_id, action.status  # the row object is refreshed in place
    row = await update_versioned(session, PlanAction, action_id, expected_version, values, what="action")
    record_version(session, "action", row, ACTION_FIELDS, access.actor.user_id)
    if row.owner_user_id != before_owner:
        await outbox.append(session, ActionAssigned(**action_fields(row), actor_user_id=access.actor.user_id))
    if row.status is ActionStatus.done and before_status is not ActionStatus.done:
        await outbox.append(session, ActionDone(**action_fields(row), actor_user_id=access.actor.user_id))
    await reminders.follow(session, row)
    return row


async def seen_goal(session: AsyncSession, access: AccessControl, goal: PlanGoal) -> SeenGoal:
    """One goal the caller may read the plan of: may they read its words?"""
    facts = goal_facts(goal)
    return SeenGoal(goal, await access.can_item(session, Act.read, Kind.plan_goal, goal.family_id, facts))


async def seen_action(session: AsyncSession, access: AccessControl, action: PlanAction) -> SeenAction:
    """One action the caller may read the plan of: may they read its description?"""
    facts = action_facts(action, serves_agreed_goal=await _serves_agreed_goal(session, action.goal_id))
    return SeenAction(action, await access.can_item(session, Act.read, Kind.plan_action, action.family_id, facts))


async def plan_of_family(session: AsyncSession, access: AccessControl, family_id: uuid.UUID) -> Plan:
    """Every goal and action of the plan; whether the caller may read each one's words is decided in SQL
    by the same rules as a single decision (item_filter), so the statements do not grow with the plan."""
    await access.require(session, Act.read, Kind.plan, family_id)
    goal_visible = await access.item_filter(session, family_id, goal_columns(), kind=Kind.plan_goal)
    action_visible = await access.item_filter(session, family_id, action_columns(), kind=Kind.plan_action)
    goals = await session.exec(
        select(PlanGoal, sa.case((goal_visible, True), else_=False))
        .where(PlanGoal.family_id == family_id)
        .order_by(col(PlanGoal.created_at), col(PlanGoal.id))
    )
    actions = await session.exec(
        select(PlanAction, sa.case((action_visible, True), else_=False))
        .where(PlanAction.family_id == family_id)
        .order_by(col(PlanAction.due_date), col(PlanAction.created_at))
    )
    plan = Plan(
        goals=[SeenGoal(row, bool(visible)) for row, visible in goals.all()],
        actions=[SeenAction(row, bool(visible)) for row, visible in actions.all()],
        contingencies=await contingencies_of_family(session, access, family_id),
    )
    agreed = {seen.row.id for seen in plan.goals if seen.row.agreed_with_family}
    for goal in plan.goals:
        if goal.content_visible:
            access.note_read(family_id, goal.row.id, Kind.plan_goal, goal_facts(goal.row))
    for action in plan.actions:
        if action.content_visible:
            facts = action_facts(action.row, serves_agreed_goal=action.row.goal_id in agreed)
            access.note_read(family_id, action.row.id, Kind.plan_action, facts)
    return plan


async def history_of_family(
    session: AsyncSession, access: AccessControl, family_id: uuid.UUID, *, entity_id: uuid.UUID | None = None
) -> list[SeenVersion]:
    """Every version, oldest first, each decided on its own facts: a version written under a category the
    caller may not read shows what changed in the plan's structure, never its words. A version stored
    before versions recorded their category and owner is decided with the entry's current ones."""
    await access.require(session, Act.read, Kind.plan, family_id)
    statement = select(PlanHistory).where(PlanHistory.family_id == family_id)
    if entity_id is not None:
        statement = statement.where(PlanHistory.entity_id == entity_id)
    ordered = statement.order_by(col(PlanHistory.created_at), col(PlanHistory.version))
    rows = list((await session.exec(ordered)).all())
    current = await _current_facts(session, family_id)
    agreed = {goal_id for goal_id, (_, _, is_agreed) in current.items() if is_agreed}
    seen = []
    for row in rows:
        kind, facts = _version_facts(row, current, agreed)
        visible = await access.can_item(session, Act.read, kind, family_id, facts)
        if visible:
            access.note_read(family_id, row.entity_id, kind, facts)
        seen.append(SeenVersion(row, facts.category, visible))
    return seen


async def _current_facts(session: AsyncSession, family_id: uuid.UUID) -> dict[uuid.UUID, tuple]:
    """(owning agency, category, agreed with the family) of every goal, action and contingency of the family,
    now."""
    goal, action, contingency = PlanGoal.__table__.c, PlanAction.__table__.c, PlanContingency.__table__.c
    statement = sa.union_all(
        sa.select(goal.id, goal.owning_agency_id, sa.cast(goal.category, sa.String), goal.agreed_with_family).where(
            goal.family_id == family_id
        ),
        sa.select(action.id, action.owning_agency_id, sa.cast(action.category, sa.String), sa.false()).where(
            action.family_id == family_id
        ),
        sa.select(
            contingency.id,
            contingency.owning_agency_id,
            sa.cast(contingency.category, sa.String),
            contingency.agreed_with_family,
        ).where(contingency.family_id == family_id),
    )
    return {row[0]: (row[1], row[2], row[3]) for row in (await session.exec(statement)).all()}


def _version_facts(row: PlanHistory, current: dict[uuid.UUID, tuple], agreed: set[uuid.UUID]) -> tuple[Kind, ItemFacts]:
    owner, category, _ = current.get(row.entity_id, (None, InformationCategory.other.value, False))
    snap = row.snapshot
    owning_agency_id = uuid.UUID(snap["owning_agency_id"]) if snap.get("owning_agency_id") else owner
    category = snap.get("category") or category
    if row.entity == "contingency":
        return Kind.plan_contingency, contingency_facts(
            PlanContingency(
                owning_agency_id=owning_agency_id,
                category=category,
                agreed_with_family=bool(snap.get("agreed_with_family")),
                names_third_party=bool(snap.get("names_third_party")),
            )
        )
    if row.entity == "goal":
        shared = bool(snap.get("agreed_with_family"))
        kind = Kind.plan_goal
    else:
        shared = snap.get("goal_id") is not None and uuid.UUID(snap["goal_id"]) in agreed
        kind = Kind.plan_action
    facts = ItemFacts(owning_agency_id, category, family_summary=shared, team_shared=shared)
    return kind, facts


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
        record_version(session, "action", row, ACTION_FIELDS, access.actor.user_id)
        await reminders.cancel(session, row)


async def _serves_agreed_goal(session: AsyncSession, goal_id: uuid.UUID | None) -> bool:
    goal = await session.get(PlanGoal, goal_id) if goal_id is not None else None
    return goal is not None and goal.agreed_with_family


async def _action_changes(session: AsyncSession, access: AccessControl, action: PlanAction, changes: dict) -> dict:
    values: dict = {}
    if "description" in changes:
        values["description"] = required_text(changes["description"], "description", 2000)
    if "status" in changes:
        values["status"] = ActionStatus(changes["status"]).value
    if "category" in changes:
        values["category"] = InformationCategory(changes["category"]).value
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
            session, Act.update, Kind.plan, action.family_id
        ):
            raise Forbidden("Only the lead professional can hand an action to another agency.")
        values["owner_user_id"], values["owning_agency_id"] = owner.user_id, owner.agency_id
    if not values:
        raise BadUserInput("Send at least one field to change.")
    return values


async def _from_conference(session: AsyncSession, family_id: uuid.UUID, data: GoalIn) -> GoalIn:
    """A goal of the family's own plan, made at its family group conference (held): agreed with the family,
    on the day of the conference unless another day is given, and so the whole team's (agreed_plan_on_team)."""
    meeting = await session.get(Meeting, data.conference_id)
    if (
        meeting is None
        or meeting.family_id != family_id
        or meeting.kind is not MeetingKind.family_group_conference
        or meeting.status is not MeetingStatus.held
    ):
        raise BadUserInput("Choose a family group conference of this family that was held.", field="conferenceId")
    return replace(data, agreed_with_family=True, agreed_on=data.agreed_on or meeting.scheduled_at.date())


def _goal_values(data: GoalIn, earliest: date) -> dict:
    if data.conference_id is not None and not data.agreed_with_family:
        raise BadUserInput(
            "This goal is from the family's own plan, made at its family group conference: it stays agreed with"
            " the family.",
            field="agreedWithFamily",
        )
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
        "category": InformationCategory(data.category).value,
        "conference_id": data.conference_id,
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
