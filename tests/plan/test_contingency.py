"""Contingencies on the family plan through GraphQL: the lead writes them, the team reads them as the
sharing rules allow, edits are versioned and conflict, bad input is refused with nothing saved, and the
family's portal shows only those agreed with them that name nobody outside the family."""

from __future__ import annotations

import asyncio

from tests.auth_helpers import sign_in
from tests.builders import create_area, create_consent, create_family_user, issue_token
from tests.graphql_client import code


def contingency_input(family_id, **overrides) -> dict:
    return {
        "input": {
            "familyId": str(family_id),
            "trigger": "If Mum is admitted to hospital again",
            "response": "Jayden stays with his nan; the school is told the same day",
            "whoActs": "Nan, with the lead professional",
            "agreedWithFamily": True,
            **overrides,
        }
    }


async def plan_of(gql, family_id, token) -> dict:
    return (await gql.data("FamilyPlan", {"familyId": str(family_id)}, token=token))["familyPlan"]


async def test_the_lead_adds_a_contingency_and_the_team_reads_it_when_agreed(gql, sessions):
    # given a family led by `lead` with a school colleague on the team
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    colleague = await sign_in(gql, area.colleague)
    # when the lead adds one agreed contingency and one not (yet) agreed
    agreed = (await gql.data("PlanContingencyAdd", contingency_input(area.family.id), token=lead))["planContingencyAdd"]
    draft = (
        await gql.data(
            "PlanContingencyAdd",
            contingency_input(area.family.id, agreedWithFamily=False, trigger="If Dad's ex-partner comes back"),
            token=lead,
        )
    )["planContingencyAdd"]
    # then the lead reads both; the colleague reads the agreed one, and of the draft only that it exists
    assert agreed["status"] == "in_place" and agreed["version"] == 1 and agreed["contentVisible"] is True
    assert agreed["owningAgency"]["id"] == str(area.early_help.id)
    assert [c["id"] for c in (await plan_of(gql, area.family.id, lead))["contingencies"]] == [agreed["id"], draft["id"]]
    seen = {c["id"]: c for c in (await plan_of(gql, area.family.id, colleague))["contingencies"]}
    assert seen[agreed["id"]]["whoActs"] == "Nan, with the lead professional"
    assert seen[draft["id"]]["contentVisible"] is False
    assert (seen[draft["id"]]["trigger"], seen[draft["id"]]["response"], seen[draft["id"]]["whoActs"]) == (
        None,
        None,
        None,
    )


async def test_a_refusal_withholds_an_agreed_contingency_in_its_category(gql, sessions):
    # given a mental-health contingency agreed with the family, and a refusal of mental health for the team
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    await gql.data("PlanContingencyAdd", contingency_input(area.family.id, category="mental_health"), token=lead)
    await create_consent(
        sessions, family=area.family, recorded_by=area.lead, categories=["mental_health"], decision="refused"
    )
    # when the school reads the plan
    [seen] = (await plan_of(gql, area.family.id, await sign_in(gql, area.colleague)))["contingencies"]
    # then its words are withheld
    assert seen["contentVisible"] is False and seen["trigger"] is None


async def test_only_the_lead_writes_contingencies_and_outsiders_do_not_find_them(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    made = (await gql.data("PlanContingencyAdd", contingency_input(area.family.id), token=lead))["planContingencyAdd"]
    colleague, outsider = await sign_in(gql, area.colleague), await sign_in(gql, area.outsider)
    assert code(await gql.error("PlanContingencyAdd", contingency_input(area.family.id), token=colleague)) == (
        "FORBIDDEN"
    )
    edit = {"input": {"contingencyId": made["id"], "expectedVersion": 1, "status": "used"}}
    assert code(await gql.error("PlanContingencyEdit", edit, token=colleague)) == "FORBIDDEN"
    assert code(await gql.error("PlanContingencyEdit", edit, token=outsider)) == "NOT_FOUND"
    assert code(await gql.error("PlanContingencyAdd", contingency_input(area.family.id), token=outsider)) == (
        "NOT_FOUND"
    )


async def test_bad_input_is_refused_and_nothing_is_saved(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    for overrides, field in (
        ({"trigger": "   "}, "trigger"),
        ({"response": ""}, "response"),
        ({"whoActs": "x" * 301}, "whoActs"),
        ({"trigger": "x" * 1001}, "trigger"),
        ({"response": "nul \x00 here"}, "response"),
    ):
        error = await gql.error("PlanContingencyAdd", contingency_input(area.family.id, **overrides), token=lead)
        assert code(error) == "BAD_USER_INPUT", overrides
        assert error["extensions"]["field"] == field
    assert (await plan_of(gql, area.family.id, lead))["contingencies"] == []
    history = (await gql.data("PlanHistory", {"familyId": str(area.family.id)}, token=lead))["planHistory"]
    assert history == []
    # an edit that sends nothing, or a null, is refused too
    made = (await gql.data("PlanContingencyAdd", contingency_input(area.family.id), token=lead))["planContingencyAdd"]
    nothing = {"input": {"contingencyId": made["id"], "expectedVersion": 1}}
    assert code(await gql.error("PlanContingencyEdit", nothing, token=lead)) == "BAD_USER_INPUT"
    null = {"input": {"contingencyId": made["id"], "expectedVersion": 1, "trigger": None}}
    assert code(await gql.error("PlanContingencyEdit", null, token=lead)) == "BAD_USER_INPUT"


async def test_concurrent_edits_conflict_and_history_keeps_every_version(gql, sessions):
    # given a contingency at version 1
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    made = (await gql.data("PlanContingencyAdd", contingency_input(area.family.id), token=lead))["planContingencyAdd"]
    # when two edits against version 1 race
    first = {"input": {"contingencyId": made["id"], "expectedVersion": 1, "status": "used"}}
    second = {"input": {"contingencyId": made["id"], "expectedVersion": 1, "response": "Call the duty team"}}
    answers = await asyncio.gather(
        gql.op("PlanContingencyEdit", first, token=lead), gql.op("PlanContingencyEdit", second, token=lead)
    )
    # then exactly one wins and the other is a CONFLICT; the history holds versions 1 and 2
    codes = sorted(code(answer["errors"][0]) if answer.get("errors") else "ok" for answer in answers)
    assert codes == ["CONFLICT", "ok"]
    history = (await gql.data("PlanHistory", {"familyId": str(area.family.id), "entityId": made["id"]}, token=lead))[
        "planHistory"
    ]
    assert [(h["entity"], h["version"]) for h in history] == [("contingency", 1), ("contingency", 2)]
    assert history[0]["snapshot"]["trigger"] == "If Mum is admitted to hospital again"


async def test_the_history_withholds_all_three_texts_where_the_policy_does(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    await gql.data("PlanContingencyAdd", contingency_input(area.family.id, agreedWithFamily=False), token=lead)
    [version] = (
        await gql.data("PlanHistory", {"familyId": str(area.family.id)}, token=await sign_in(gql, area.colleague))
    )["planHistory"]
    assert version["contentVisible"] is False
    assert [version["snapshot"][name] for name in ("trigger", "response", "who_acts")] == [None, None, None]


async def test_the_portal_shows_agreed_contingencies_that_name_nobody_outside_the_family(gql, sessions):
    # given an agreed contingency, one naming a third party, one not agreed, and one withdrawn
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    family = area.family.id
    await gql.data("PlanContingencyAdd", contingency_input(family, trigger="If Mum is unwell"), token=lead)
    await gql.data("PlanContingencyAdd", contingency_input(family, trigger="If X visits", namesThirdParty=True), lead)
    await gql.data("PlanContingencyAdd", contingency_input(family, trigger="If school", agreedWithFamily=False), lead)
    gone = (await gql.data("PlanContingencyAdd", contingency_input(family, trigger="If gone"), token=lead))[
        "planContingencyAdd"
    ]
    edit = {"input": {"contingencyId": gone["id"], "expectedVersion": 1, "status": "withdrawn"}}
    await gql.data("PlanContingencyEdit", edit, token=lead)
    # when a member of the family reads their portal
    member = await issue_token(sessions, await create_family_user(sessions, family=area.family))
    summary = (await gql.data("PortalSummary", {}, token=member))["portalSummary"]
    # then they see only the agreed one in place that names nobody outside the family
    assert [c["trigger"] for c in summary["contingencies"]] == ["If Mum is unwell"]
