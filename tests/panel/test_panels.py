"""Multi-agency panels through GraphQL: a manager arranges a sitting, a family's lead professional brings the
family, the panel's decision is recorded with its rationale, services allocated and review date; bad input
refused with nothing saved; stale edits conflict; forged ids answer as missing ones; who may do what; and a
step up agreed at panel links to its decision."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlmodel import select

from server.audit.models import AuditEvent
from tests.auth_helpers import sign_in
from tests.builders import create_area
from tests.graphql_client import code

TODAY = date.today()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def sitting_input(area, **overrides) -> dict:
    return {
        "name": "North gateway panel",
        "kind": "gateway",
        "sitsOn": day(0),
        "chairUserId": str(area.manager.id),
        "members": "Early help manager (chair); school designated safeguarding lead",
        "agencyIds": [str(area.early_help.id), str(area.school.id)],
        **overrides,
    }


async def services(gql, token) -> dict:
    return {service["code"]: service for service in (await gql.data("Services", token=token))["services"]}


async def arranged(gql, area, token=None, **overrides) -> dict:
    token = token or await sign_in(gql, area.manager)
    variables = {"input": {"sitting": sitting_input(area, **overrides)}}
    return (await gql.data("PanelSittingCreate", variables, token=token))["panelSittingCreate"]


async def brought(gql, area, sitting, token=None) -> dict:
    token = token or await sign_in(gql, area.lead)
    variables = {"input": {"sittingId": sitting["id"], "familyId": str(area.family.id)}}
    return (await gql.data("PanelFamilyAdd", variables, token=token))["panelFamilyAdd"]


def decide_input(decision, **overrides) -> dict:
    return {
        "input": {
            "decisionId": decision["id"],
            "expectedVersion": decision["version"],
            "outcome": "accept_for_service",
            "rationale": "Needs across school and home; the family asked for help with routines.",
            "category": "social_care",
            "reviewOn": day(42),
            "allocations": [],
            **overrides,
        }
    }


async def test_a_family_goes_through_a_panel_with_a_decision_and_services(gql, sessions):
    # given a sitting arranged by a manager, and the family brought to it by its lead professional
    area = await create_area(sessions)
    manager, lead = await sign_in(gql, area.manager), await sign_in(gql, area.lead)
    key = {"idempotencyKey": f"panel-{uuid.uuid4()}"}
    variables = {"input": {"sitting": sitting_input(area), **key}}
    sitting = (await gql.data("PanelSittingCreate", variables, token=manager))["panelSittingCreate"]
    again = (await gql.data("PanelSittingCreate", variables, token=manager))["panelSittingCreate"]
    assert again["id"] == sitting["id"]
    assert (sitting["kind"], sitting["chair"]["id"]) == ("gateway", str(area.manager.id))
    assert {agency["id"] for agency in sitting["agencies"]} == {str(area.early_help.id), str(area.school.id)}
    considered = await brought(gql, area, sitting, lead)
    assert (considered["decided"], considered["outcome"], considered["rationale"]) == (False, None, None)
    # when the chair records the decision: accepted for intensive family support and a parenting programme
    catalogue = await services(gql, manager)
    allocations = [
        {"serviceId": catalogue["intensive_family_support"]["id"], "quantity": 12},
        {"serviceId": catalogue["parenting_programme"]["id"], "quantity": 8},
    ]
    variables = decide_input(considered, allocations=allocations)
    decided = (await gql.data("PanelDecide", variables, token=manager))["panelDecide"]
    # then the decision holds its outcome, rationale, services and review date, recorded by the chair
    assert (decided["decided"], decided["outcome"], decided["reviewOn"]) == (True, "accept_for_service", day(42))
    assert decided["rationale"].startswith("Needs across school and home")
    assert {(a["serviceName"], a["quantity"]) for a in decided["allocations"]} == {
        (catalogue["intensive_family_support"]["name"], 12),
        (catalogue["parenting_programme"]["name"], 8),
    }
    assert decided["decidedBy"]["id"] == str(area.manager.id)
    assert decided["recordingAgency"]["id"] == str(area.early_help.id)
    assert decided["version"] == considered["version"] + 1
    # and the sitting lists the family with its decision
    shown = (await gql.data("PanelSitting", {"id": sitting["id"]}, token=lead))["panelSitting"]
    assert [(d["familyReference"], d["outcome"]) for d in shown["decisions"]] == [
        (area.family.reference, "accept_for_service")
    ]
    # and a team worker of another agency sees the outcome, services and review date, but not the rationale
    colleague = await sign_in(gql, area.colleague)
    listed = await gql.data("FamilyPanelDecisions", {"familyId": str(area.family.id)}, token=colleague)
    (theirs,) = listed["familyPanelDecisions"]
    assert (theirs["outcome"], theirs["reviewOn"], len(theirs["allocations"])) == ("accept_for_service", day(42), 2)
    assert (theirs["rationaleVisible"], theirs["rationale"], theirs["namesThirdParty"]) == (False, None, None)
    assert "Needs across school" not in str(listed)
    # and each change is in the audit log
    async with sessions() as session:
        actions = set(
            (await session.exec(select(AuditEvent.action).where(AuditEvent.family_id == area.family.id))).all()
        )
    assert {"panelFamilyAdd", "panelDecide"} <= actions


DECISION_REFUSALS = [
    pytest.param({"rationale": "   "}, "rationale", id="blank-rationale"),
    pytest.param({"reviewOn": day(0)}, "reviewOn", id="review-on-the-sitting-day"),
    pytest.param({"reviewOn": day(-3)}, "reviewOn", id="review-before-the-sitting"),
    pytest.param({"allocations": [{"serviceId": str(uuid.uuid4()), "quantity": 1}]}, "allocations", id="no-service"),
    pytest.param({"aboutMemberIds": [str(uuid.uuid4())]}, "aboutMemberIds", id="about-a-stranger"),
]


@pytest.mark.parametrize(("overrides", "field"), DECISION_REFUSALS)
async def test_bad_decisions_are_refused_and_nothing_is_saved(gql, sessions, overrides, field):
    area = await create_area(sessions)
    manager = await sign_in(gql, area.manager)
    considered = await brought(gql, area, await arranged(gql, area, manager))
    error = await gql.error("PanelDecide", decide_input(considered, **overrides), token=manager)
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", field)
    after = (await gql.data("PanelDecision", {"id": considered["id"]}, token=manager))["panelDecision"]
    assert (after["decided"], after["version"]) == (False, considered["version"])


async def test_a_bad_quantity_or_a_service_twice_is_refused(gql, sessions):
    area = await create_area(sessions)
    manager = await sign_in(gql, area.manager)
    considered = await brought(gql, area, await arranged(gql, area, manager))
    mentoring = (await services(gql, manager))["mentoring"]["id"]
    for allocations in (
        [{"serviceId": mentoring, "quantity": 0}],
        [{"serviceId": mentoring, "quantity": 2}, {"serviceId": mentoring, "quantity": 3}],
    ):
        error = await gql.error("PanelDecide", decide_input(considered, allocations=allocations), token=manager)
        assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "allocations")


async def test_a_sitting_needs_a_name_a_staff_chair_and_known_agencies(gql, sessions):
    area = await create_area(sessions)
    manager = await sign_in(gql, area.manager)
    before = len((await gql.data("PanelSittings", token=manager))["panelSittings"])
    for overrides, field in (
        ({"name": " "}, "name"),
        ({"chairUserId": str(area.admin.id)}, "chairUserId"),
        ({"chairUserId": str(uuid.uuid4())}, "chairUserId"),
        ({"agencyIds": [str(uuid.uuid4())]}, "agencyIds"),
    ):
        error = await gql.error("PanelSittingCreate", {"input": {"sitting": sitting_input(area, **overrides)}}, manager)
        assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", field)
    assert len((await gql.data("PanelSittings", token=manager))["panelSittings"]) == before


async def test_stale_edits_and_a_family_brought_twice_conflict(gql, sessions):
    area = await create_area(sessions)
    manager = await sign_in(gql, area.manager)
    sitting = await arranged(gql, area, manager)
    considered = await brought(gql, area, sitting)
    # a second decision from the same version: CONFLICT, the first stands
    await gql.data("PanelDecide", decide_input(considered), token=manager)
    stale = decide_input(considered, outcome="defer", rationale="Wait for the school's report.")
    assert code(await gql.error("PanelDecide", stale, token=manager)) == "CONFLICT"
    now = (await gql.data("PanelDecision", {"id": considered["id"]}, token=manager))["panelDecision"]
    assert now["outcome"] == "accept_for_service"
    # the sitting's edit from a stale version: CONFLICT
    edit = {"sittingId": sitting["id"], "expectedVersion": sitting["version"], "sitting": sitting_input(area)}
    edited = (await gql.data("PanelSittingEdit", {"input": edit}, token=manager))["panelSittingEdit"]
    assert edited["version"] == sitting["version"] + 1
    assert code(await gql.error("PanelSittingEdit", {"input": edit}, token=manager)) == "CONFLICT"
    # moving the sitting after a decision's review date is refused
    late = {**edit, "expectedVersion": edited["version"], "sitting": sitting_input(area, sitsOn=day(60))}
    error = await gql.error("PanelSittingEdit", {"input": late}, token=manager)
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "sitsOn")
    # the same family twice on one sitting: CONFLICT
    twice = {"input": {"sittingId": sitting["id"], "familyId": str(area.family.id)}}
    assert code(await gql.error("PanelFamilyAdd", twice, token=await sign_in(gql, area.lead))) == "CONFLICT"


async def test_forged_and_foreign_ids_answer_as_missing_ones(gql, sessions):
    area, other = await create_area(sessions), await create_area(sessions)
    manager = await sign_in(gql, area.manager)
    sitting = await arranged(gql, area, manager)
    theirs = await brought(gql, other, await arranged(gql, other))
    # another area's decision, to this manager, is as a nonexistent one
    foreign = await gql.error("PanelDecision", {"id": theirs["id"]}, token=manager)
    missing = await gql.error("PanelDecision", {"id": str(uuid.uuid4())}, token=manager)
    assert (
        (code(foreign), foreign["message"]) == (code(missing), missing["message"]) == ("NOT_FOUND", missing["message"])
    )
    assert code(await gql.error("PanelDecide", decide_input(theirs), token=manager)) == "NOT_FOUND"
    # another area's family cannot be brought to this sitting
    variables = {"input": {"sittingId": sitting["id"], "familyId": str(other.family.id)}}
    assert code(await gql.error("PanelFamilyAdd", variables, token=manager)) == "NOT_FOUND"
    # nor a family to a sitting that does not exist
    variables = {"input": {"sittingId": str(uuid.uuid4()), "familyId": str(area.family.id)}}
    assert code(await gql.error("PanelFamilyAdd", variables, token=await sign_in(gql, area.lead))) == "NOT_FOUND"
    # and the other area's sitting lists none of its families to this area's staff
    shown = (await gql.data("PanelSitting", {"id": theirs["sittingId"]}, token=manager))["panelSitting"]
    assert shown["decisions"] == [] and other.family.reference not in str(shown)


async def test_who_may_arrange_bring_and_decide(gql, sessions):
    area = await create_area(sessions)
    lead, colleague = await sign_in(gql, area.lead), await sign_in(gql, area.colleague)
    # practitioners read sittings but do not arrange them; IG officers and administrators see none
    variables = {"input": {"sitting": sitting_input(area)}}
    assert code(await gql.error("PanelSittingCreate", variables, token=lead)) == "FORBIDDEN"
    sitting = await arranged(gql, area)
    assert sitting["id"] in [s["id"] for s in (await gql.data("PanelSittings", token=colleague))["panelSittings"]]
    for user in (area.ig, area.admin):
        assert code(await gql.error("PanelSittings", token=await sign_in(gql, user))) == "FORBIDDEN"
    # a team worker who is not the lead may not bring the family; an outsider does not find it
    add = {"input": {"sittingId": sitting["id"], "familyId": str(area.family.id)}}
    assert code(await gql.error("PanelFamilyAdd", add, token=colleague)) == "FORBIDDEN"
    assert code(await gql.error("PanelFamilyAdd", add, token=await sign_in(gql, area.outsider))) == "NOT_FOUND"
    assert code(await gql.error("PanelFamilyAdd", add, token=await sign_in(gql, area.other_manager))) == "NOT_FOUND"
    # the lead brings it and records the decision; the team worker may not record it
    considered = await brought(gql, area, sitting, lead)
    assert code(await gql.error("PanelDecide", decide_input(considered), token=colleague)) == "FORBIDDEN"
    decided = (await gql.data("PanelDecide", decide_input(considered), token=lead))["panelDecide"]
    assert decided["decidedBy"]["id"] == str(area.lead.id)


async def test_a_step_up_agreed_at_panel_links_to_its_decision(gql, sessions):
    area, other = await create_area(sessions), await create_area(sessions)
    manager, lead = await sign_in(gql, area.manager), await sign_in(gql, area.lead)
    considered = await brought(gql, area, await arranged(gql, area, manager))
    rationale = "Risk of harm has risen: statutory assessment needed."
    await gql.data("PanelDecide", decide_input(considered, outcome="step_up", rationale=rationale), token=manager)
    family = (await gql.data("Family", {"id": str(area.family.id)}, token=lead))["family"]

    def step_up(decision_id: str) -> dict:
        return {
            "input": {
                "familyId": str(area.family.id),
                "expectedVersion": family["version"],
                "reason": "Agreed at the gateway panel.",
                "receivingTeam": "Children's Social Care, Assessment Team 2",
                "effectiveOn": day(0),
                "panelDecisionId": decision_id,
            }
        }

    # another family's decision and a forged id are refused alike, as is a decision with another outcome
    theirs = await brought(gql, other, await arranged(gql, other))
    foreign = await gql.error("FamilyStepUp", step_up(theirs["id"]), token=lead)
    forged = await gql.error("FamilyStepUp", step_up(str(uuid.uuid4())), token=lead)
    assert (code(foreign), foreign["message"], foreign["extensions"]["field"]) == (
        "BAD_USER_INPUT",
        forged["message"],
        "panelDecisionId",
    )
    # the decision of this family says step up: accepted, and the transition names it
    result = (await gql.data("FamilyStepUp", step_up(considered["id"]), token=lead))["familyStepUp"]
    assert result["transition"]["panelDecisionId"] == considered["id"]
    listed = (await gql.data("FamilyTransitions", {"familyId": str(area.family.id)}, token=lead))["familyTransitions"]
    assert [t["panelDecisionId"] for t in listed] == [considered["id"]]


async def test_a_decision_of_another_outcome_does_not_carry_a_step_down(gql, sessions):
    area = await create_area(sessions)
    manager, lead = await sign_in(gql, area.manager), await sign_in(gql, area.lead)
    considered = await brought(gql, area, await arranged(gql, area, manager))
    await gql.data("PanelDecide", decide_input(considered, outcome="no_change"), token=manager)
    family = (await gql.data("Family", {"id": str(area.family.id)}, token=lead))["family"]
    variables = {
        "input": {
            "familyId": str(area.family.id),
            "expectedVersion": family["version"],
            "reason": "Goals met.",
            "receivingTeam": "School pastoral team",
            "effectiveOn": day(0),
            "levelOfNeed": "universal",
            "panelDecisionId": considered["id"],
        }
    }
    error = await gql.error("FamilyStepDown", variables, token=lead)
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "panelDecisionId")
    assert "step down" in error["message"]
