"""The family plan through GraphQL: goals and actions, who may change what, conflicts, dates, history."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from server.db.engine import unit_of_work
from server.plan.models import PlanAction
from tests.auth_helpers import sign_in
from tests.builders import create_area
from tests.graphql_client import code


def goal_input(family_id, **overrides) -> dict:
    return {
        "input": {
            "familyId": str(family_id),
            "inFamilyWords": "We want Jayden to get to school every day",
            "outcomeDomain": "school_attendance_attainment",
            "agreedWithFamily": True,
            "targetDate": (date.today() + timedelta(days=60)).isoformat(),
            **overrides,
        }
    }


def action_input(family_id, owner, **overrides) -> dict:
    return {
        "input": {
            "familyId": str(family_id),
            "description": "Morning check-in with Jayden at the school gate",
            "ownerUserId": str(owner.id),
            "dueDate": (date.today() + timedelta(days=14)).isoformat(),
            **overrides,
        }
    }


async def test_the_lead_sets_goals_and_actions_and_the_team_reads_the_plan(gql, sessions):
    # given a family led by `lead` with a school colleague on the team
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    # when the lead adds a goal and an action for the colleague
    goal = (await gql.data("PlanGoalAdd", goal_input(area.family.id), token=lead))["planGoalAdd"]
    action = (
        await gql.data("PlanActionAdd", action_input(area.family.id, area.colleague, goalId=goal["id"]), token=lead)
    )["planActionAdd"]
    # then the team sees the plan, the action owned by the colleague's agency
    plan = await gql.data("FamilyPlan", {"familyId": str(area.family.id)}, token=await sign_in(gql, area.colleague))
    assert [g["id"] for g in plan["familyPlan"]["goals"]] == [goal["id"]]
    assert goal["agreedOn"] == date.today().isoformat() and goal["version"] == 1
    [listed] = plan["familyPlan"]["actions"]
    assert listed["id"] == action["id"] and listed["goalId"] == goal["id"]
    assert listed["owningAgency"]["id"] == str(area.school.id) and listed["owner"]["id"] == str(area.colleague.id)
    assert listed["status"] == "open" and listed["overdue"] is False


async def test_each_agency_updates_its_own_actions_and_only_the_lead_edits_the_plan(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    colleague = await sign_in(gql, area.colleague)
    school_action = (await gql.data("PlanActionAdd", action_input(area.family.id, area.colleague), token=lead))[
        "planActionAdd"
    ]
    lead_action = (await gql.data("PlanActionAdd", action_input(area.family.id, area.lead), token=lead))[
        "planActionAdd"
    ]
    # the school updates its own action
    edited = (
        await gql.data(
            "PlanActionEdit",
            {"input": {"actionId": school_action["id"], "expectedVersion": 1, "status": "in_progress"}},
            token=colleague,
        )
    )["planActionEdit"]
    assert (edited["status"], edited["version"]) == ("in_progress", 2)
    # but not early help's action, nor the goals, nor does it add actions
    refused = await gql.error(
        "PlanActionEdit",
        {"input": {"actionId": lead_action["id"], "expectedVersion": 1, "status": "done"}},
        token=colleague,
    )
    assert code(refused) == "FORBIDDEN"
    assert code(await gql.error("PlanGoalAdd", goal_input(area.family.id), token=colleague)) == "FORBIDDEN"
    assert code(await gql.error("PlanActionAdd", action_input(area.family.id, area.colleague), token=colleague)) == (
        "FORBIDDEN"
    )
    # and it cannot hand its action to another agency; the lead can
    move = {"input": {"actionId": school_action["id"], "expectedVersion": 2, "ownerUserId": str(area.lead.id)}}
    assert code(await gql.error("PlanActionEdit", move, token=colleague)) == "FORBIDDEN"
    moved = (await gql.data("PlanActionEdit", move, token=lead))["planActionEdit"]
    assert moved["owningAgency"]["id"] == str(area.early_help.id)


async def test_a_stale_write_is_a_conflict_and_history_keeps_every_version(gql, sessions):
    # given the lead and the school both read version 1 of the school's action
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    action = (await gql.data("PlanActionAdd", action_input(area.family.id, area.colleague), token=lead))[
        "planActionAdd"
    ]
    # when the school marks it done and the lead then writes against version 1
    await gql.data(
        "PlanActionEdit",
        {"input": {"actionId": action["id"], "expectedVersion": 1, "status": "done"}},
        token=await sign_in(gql, area.colleague),
    )
    stale = await gql.error(
        "PlanActionEdit", {"input": {"actionId": action["id"], "expectedVersion": 1, "description": "New"}}, token=lead
    )
    # then the second write is a CONFLICT and nothing was overwritten
    assert code(stale) == "CONFLICT"
    plan = (await gql.data("FamilyPlan", {"familyId": str(area.family.id)}, token=lead))["familyPlan"]
    assert [(a["status"], a["description"], a["version"]) for a in plan["actions"]] == [
        ("done", "Morning check-in with Jayden at the school gate", 2)
    ]
    history = (await gql.data("PlanHistory", {"familyId": str(area.family.id), "entityId": action["id"]}, token=lead))[
        "planHistory"
    ]
    assert [(h["version"], h["snapshot"]["status"], h["editor"]["id"]) for h in history] == [
        (1, "open", str(area.lead.id)),
        (2, "done", str(area.colleague.id)),
    ]


async def test_goal_edits_are_versioned_too(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    goal = (await gql.data("PlanGoalAdd", goal_input(area.family.id, agreedWithFamily=False), token=lead))[
        "planGoalAdd"
    ]
    edit = {"input": {"goalId": goal["id"], "expectedVersion": 1, "agreedWithFamily": True, "targetDate": None}}
    edited = (await gql.data("PlanGoalEdit", edit, token=lead))["planGoalEdit"]
    assert (edited["agreedWithFamily"], edited["agreedOn"], edited["targetDate"], edited["version"]) == (
        True,
        date.today().isoformat(),
        None,
        2,
    )
    assert code(await gql.error("PlanGoalEdit", edit, token=lead)) == "CONFLICT"


@pytest.mark.parametrize(
    ("operation", "overrides", "field"),
    [
        ("PlanActionAdd", {"dueDate": (date.today() - timedelta(days=1)).isoformat()}, "dueDate"),
        ("PlanActionAdd", {"description": "  "}, "description"),
        ("PlanGoalAdd", {"targetDate": (date.today() - timedelta(days=1)).isoformat()}, "targetDate"),
        ("PlanGoalAdd", {"agreedOn": (date.today() + timedelta(days=1)).isoformat()}, "agreedOn"),
        ("PlanGoalAdd", {"inFamilyWords": ""}, "inFamilyWords"),
    ],
)
async def test_invalid_dates_and_text_are_bad_user_input_with_the_field(gql, sessions, operation, overrides, field):
    area = await create_area(sessions)
    variables = (
        action_input(area.family.id, area.colleague, **overrides)
        if operation == "PlanActionAdd"
        else goal_input(area.family.id, **overrides)
    )
    error = await gql.error(operation, variables, token=await sign_in(gql, area.lead))
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", field)


async def test_an_action_cannot_be_moved_before_the_day_it_was_set_nor_given_to_someone_off_the_team(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    action = (await gql.data("PlanActionAdd", action_input(area.family.id, area.colleague), token=lead))[
        "planActionAdd"
    ]
    earlier = {
        "actionId": action["id"],
        "expectedVersion": 1,
        "dueDate": (date.today() - timedelta(days=3)).isoformat(),
    }
    error = await gql.error("PlanActionEdit", {"input": earlier}, token=lead)
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "dueDate")
    error = await gql.error("PlanActionAdd", action_input(area.family.id, area.outsider), token=lead)
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "ownerUserId")


async def test_an_open_action_past_its_due_date_is_overdue(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    action = (await gql.data("PlanActionAdd", action_input(area.family.id, area.colleague), token=lead))[
        "planActionAdd"
    ]
    async with unit_of_work(sessions) as session:  # as if it had been set weeks ago
        row = await session.get(PlanAction, uuid.UUID(action["id"]))
        row.due_date = date.today() - timedelta(days=2)
    plan = (await gql.data("FamilyPlan", {"familyId": str(area.family.id)}, token=lead))["familyPlan"]
    assert plan["actions"][0]["overdue"] is True


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("lead", "allow"),
        ("colleague", "allow"),
        ("manager", "allow"),
        ("outsider", "NOT_FOUND"),
        ("other_manager", "NOT_FOUND"),
        ("ig", "NOT_FOUND"),
        ("admin", "NOT_FOUND"),
    ],
)
async def test_who_sees_the_plan(gql, sessions, who, expected):
    area = await create_area(sessions)
    result = await gql.op("FamilyPlan", {"familyId": str(area.family.id)}, token=await sign_in(gql, getattr(area, who)))
    if expected == "allow":
        assert result["data"]["familyPlan"]["familyId"] == str(area.family.id)
    else:
        assert code(result["errors"][0]) == expected
