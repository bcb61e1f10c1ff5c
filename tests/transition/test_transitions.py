"""Step up, step down, closure with a sustainability plan, read-only closed records, re-opening."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.auth_helpers import sign_in
from tests.builders import create_area
from tests.graphql_client import code

TODAY = date.today().isoformat()


def closing(family_id, version=1, **overrides) -> dict:
    return {
        "input": {
            "familyId": str(family_id),
            "expectedVersion": version,
            "outcome": "goals_achieved",
            "careOutcome": "remained_at_home",
            "reason": "Attendance above 95% for a term; flat repaired",
            "supportContinuing": "School mentoring continues until July",
            "contactIfDifficulties": "Early Help Hub 01632 960200, or Dan Okafor at school",
            "familyFeedback": "Sam listened to us",
            "effectiveOn": TODAY,
            **overrides,
        }
    }


async def add_action(gql, area, token) -> dict:
    variables = {
        "input": {
            "familyId": str(area.family.id),
            "description": "Weekly attendance call",
            "ownerUserId": str(area.colleague.id),
            "dueDate": (date.today() + timedelta(days=7)).isoformat(),
        }
    }
    return (await gql.data("PlanActionAdd", variables, token=token))["planActionAdd"]


async def test_closing_with_open_actions_needs_an_explicit_choice(gql, sessions):
    # given a family with an open action
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    await add_action(gql, area, lead)
    # when the lead closes it without saying what happens to the action
    error = await gql.error("FamilyClose", closing(area.family.id), token=lead)
    # then a clear error names the choice, and nothing changed
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "openActions")
    assert "1 action(s)" in error["message"]
    # and choosing to cancel them closes the record and cancels the action, keeping its history
    closed = (await gql.data("FamilyClose", closing(area.family.id, openActions="cancel"), token=lead))["familyClose"]
    assert (closed["family"]["status"], closed["family"]["version"]) == ("closed", 2)
    assert closed["family"]["closedAt"] and closed["transition"]["outcome"] == "goals_achieved"
    plan = (await gql.data("FamilyPlan", {"familyId": str(area.family.id)}, token=lead))["familyPlan"]
    assert [a["status"] for a in plan["actions"]] == ["cancelled"]


async def test_keeping_open_actions_leaves_them_with_their_owners(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    await add_action(gql, area, lead)
    await gql.data("FamilyClose", closing(area.family.id, openActions="keep"), token=lead)
    plan = (await gql.data("FamilyPlan", {"familyId": str(area.family.id)}, token=lead))["familyPlan"]
    assert [a["status"] for a in plan["actions"]] == ["open"]


async def test_a_closed_family_is_read_only_until_reopened_with_a_reason(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    await gql.data("FamilyClose", closing(area.family.id), token=lead)
    goal = {"input": {"familyId": str(area.family.id), "inFamilyWords": "More", "outcomeDomain": "safety"}}
    assert code(await gql.error("PlanGoalAdd", goal, token=lead)) == "CONFLICT"
    escalation = {"input": {"familyId": str(area.family.id), "level": "concern", "category": "other", "reason": "x"}}
    assert code(await gql.error("EscalationRaise", escalation, token=await sign_in(gql, area.colleague))) == "CONFLICT"
    update = {"input": {"familyId": str(area.family.id), "expectedVersion": 2, "status": "active"}}
    assert code(await gql.error("FamilyUpdate", update, token=lead)) == "CONFLICT"
    no_reason = {"input": {"familyId": str(area.family.id), "expectedVersion": 2, "reason": ""}}
    assert (await gql.error("FamilyReopen", no_reason, token=lead))["extensions"]["field"] == "reason"
    reopened = (
        await gql.data(
            "FamilyReopen",
            {"input": {"familyId": str(area.family.id), "expectedVersion": 2, "reason": "New concerns"}},
            token=lead,
        )
    )["familyReopen"]
    assert (reopened["family"]["status"], reopened["family"]["closedAt"]) == ("active", None)
    assert (await gql.data("PlanGoalAdd", goal, token=lead))["planGoalAdd"]["id"]
    kinds = (await gql.data("FamilyTransitions", {"familyId": str(area.family.id)}, token=lead))["familyTransitions"]
    assert [(t["kind"], t["reason"]) for t in kinds] == [
        ("closure", "Attendance above 95% for a term; flat repaired"),
        ("reopening", "New concerns"),
    ]


async def test_step_up_and_step_down_record_the_receiving_team(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    up = {
        "familyId": str(area.family.id),
        "expectedVersion": 1,
        "reason": "Disclosure of physical harm",
        "receivingTeam": "Children's Social Care, Assessment Team 2",
        "effectiveOn": TODAY,
    }
    stepped = (await gql.data("FamilyStepUp", {"input": up}, token=lead))["familyStepUp"]
    assert (stepped["family"]["status"], stepped["family"]["levelOfNeed"]) == ("stepped_up", "statutory")
    assert stepped["transition"]["receivingTeam"] == "Children's Social Care, Assessment Team 2"
    assert code(await gql.error("FamilyStepUp", {"input": up}, token=lead)) == "CONFLICT"  # stale version
    down = {**up, "expectedVersion": 2, "receivingTeam": "Early Help Hub", "levelOfNeed": "targeted"}
    down["reason"] = "Section 17 assessment closed; early help to continue"
    result = (await gql.data("FamilyStepDown", {"input": down}, token=lead))["familyStepDown"]
    assert (result["family"]["status"], result["family"]["levelOfNeed"]) == ("stepped_down", "targeted")
    wrong = {**down, "expectedVersion": 3, "levelOfNeed": "specialist"}
    assert (await gql.error("FamilyStepDown", {"input": wrong}, token=lead))["extensions"]["field"] == "levelOfNeed"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"supportContinuing": " "}, "supportContinuing"),
        ({"contactIfDifficulties": ""}, "contactIfDifficulties"),
        ({"effectiveOn": (date.today() + timedelta(days=2)).isoformat()}, "effectiveOn"),
        ({"effectiveOn": "2000-01-01"}, "effectiveOn"),
    ],
)
async def test_closure_needs_a_sustainability_plan_and_a_sensible_date(gql, sessions, overrides, field):
    area = await create_area(sessions)
    error = await gql.error("FamilyClose", closing(area.family.id, **overrides), token=await sign_in(gql, area.lead))
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", field)


@pytest.mark.parametrize(
    ("who", "expected"), [("colleague", "FORBIDDEN"), ("manager", "FORBIDDEN"), ("outsider", "NOT_FOUND")]
)
async def test_only_the_lead_closes(gql, sessions, who, expected):
    area = await create_area(sessions)
    assert code(
        await gql.error("FamilyClose", closing(area.family.id), token=await sign_in(gql, getattr(area, who)))
    ) == (expected)
