"""Referrals through GraphQL: recorded against a family, decided once by a named decision-maker, first
contact recorded; the waits from referral to decision, first contact and assessment; bad input refused
with nothing saved; concurrent decisions conflict; who sees a referral and who reads its reason."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from server.assessment.models import Assessment, AssessmentStage
from server.db.engine import unit_of_work
from server.family.models import Family, FamilyStatus, LevelOfNeed
from tests.auth_helpers import sign_in
from tests.builders import create_area, create_consent
from tests.graphql_client import code

TODAY = date.today()


def days_ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def record_input(family_id, **overrides) -> dict:
    return {
        "input": {
            "familyId": str(family_id),
            "receivedOn": days_ago(10),
            "referrer": {
                "name": "Ms Okafor",
                "organisation": "Riverside Academy",
                "role": "Designated safeguarding lead",
                "contact": "01632 960000",
            },
            "consent": "given",
            "consentGivenBy": "Dana Carter (mother)",
            "reason": "Jayden has missed 30% of school this term and is angry at home.",
            "presentingNeeds": "School attendance; conflict between Jayden and his mother.",
            "category": "education",
            **overrides,
        }
    }


def decide_input(referral, **overrides) -> dict:
    return {
        "input": {
            "referralId": referral["id"],
            "expectedVersion": referral["version"],
            "levelOfNeed": "targeted",
            "decidedOn": days_ago(8),
            "reason": "Needs across school and home: early help with a TAF plan.",
            "outcome": "accepted",
            **overrides,
        }
    }


async def recorded(gql, area, token=None, **overrides) -> dict:
    token = token or await sign_in(gql, area.lead)
    return (await gql.data("ReferralRecord", record_input(area.family.id, **overrides), token=token))["referralRecord"]


async def add_assessment(sessions, area, on: date) -> None:
    async with unit_of_work(sessions) as session:
        session.add(
            Assessment(
                family_id=area.family.id,
                stage=AssessmentStage.entry,
                assessed_on=on,
                level_of_need=LevelOfNeed.targeted,
                author_user_id=area.lead.id,
                owning_agency_id=area.lead.agency_id,
                category="other",
            )
        )


async def test_record_decide_and_first_contact_give_the_waits(gql, sessions):
    # given a family with an entry assessment 5 days after the referral was received (and one before it)
    area = await create_area(sessions)
    await add_assessment(sessions, area, TODAY - timedelta(days=20))
    await add_assessment(sessions, area, TODAY - timedelta(days=5))
    lead = await sign_in(gql, area.lead)
    # when the lead records the referral, decides it two days later, and records first contact after four
    referral = await recorded(gql, area, lead)
    decided = (await gql.data("ReferralDecide", decide_input(referral), token=lead))["referralDecide"]
    contact = {"referralId": decided["id"], "expectedVersion": decided["version"], "firstContactOn": days_ago(6)}
    done = (await gql.data("ReferralFirstContact", {"input": contact}, token=lead))["referralFirstContact"]
    # then the referral holds the referrer, consent, the decision by its named decision-maker, and the waits
    assert (done["referrerName"], done["referrerOrganisation"], done["consent"]) == (
        "Ms Okafor",
        "Riverside Academy",
        "given",
    )
    assert (done["decided"], done["decidedLevel"], done["outcome"]) == (True, "targeted", "accepted")
    assert done["decidedBy"]["id"] == str(area.lead.id)
    assert done["decisionReason"] == "Needs across school and home: early help with a TAF plan."
    assert (done["daysToDecision"], done["daysToFirstContact"], done["daysToAssessment"]) == (2, 4, 5)
    assert done["assessedOn"] == days_ago(5)
    assert done["version"] == referral["version"] + 2
    # and the family's list has it
    listed = (await gql.data("FamilyReferrals", {"familyId": str(area.family.id)}, token=lead))["familyReferrals"]
    assert [item["id"] for item in listed] == [referral["id"]]


async def test_an_undecided_referral_has_no_waits_yet(gql, sessions):
    area = await create_area(sessions)
    referral = await recorded(gql, area)
    assert (referral["decided"], referral["decidedBy"], referral["outcome"]) == (False, None, None)
    assert (referral["daysToDecision"], referral["daysToFirstContact"], referral["daysToAssessment"]) == (None,) * 3


RECORD_REFUSALS = [
    pytest.param({"receivedOn": days_ago(-1)}, "receivedOn", id="received-in-the-future"),
    pytest.param({"consentGivenBy": "  "}, "consentGivenBy", id="consent-given-by-nobody"),
    pytest.param({"consent": "not_sought", "consentGivenBy": "Dana"}, "consentGivenBy", id="not-sought-but-named"),
    pytest.param({"reason": " "}, "reason", id="no-reason"),
    pytest.param({"presentingNeeds": ""}, "presentingNeeds", id="no-needs"),
    pytest.param({"reason": "x" * 5001}, "reason", id="reason-too-long"),
    pytest.param({"referrer": {"name": "", "organisation": "School"}}, "referrerName", id="no-referrer"),
    pytest.param({"referrer": {"name": "Ms O", "organisation": ""}}, "referrerOrganisation", id="no-organisation"),
]


@pytest.mark.parametrize(("overrides", "field"), RECORD_REFUSALS)
async def test_bad_referrals_are_refused_and_nothing_is_saved(gql, sessions, overrides, field):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    error = await gql.error("ReferralRecord", record_input(area.family.id, **overrides), token=lead)
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", field)
    listed = await gql.data("FamilyReferrals", {"familyId": str(area.family.id)}, token=lead)
    assert listed["familyReferrals"] == []


DECIDE_REFUSALS = [
    pytest.param({"decidedOn": days_ago(11)}, "decidedOn", id="decided-before-received"),
    pytest.param({"decidedOn": days_ago(-1)}, "decidedOn", id="decided-in-the-future"),
    pytest.param({"reason": "  "}, "reason", id="no-reason"),
    pytest.param({"outcome": "redirected"}, "redirectedTo", id="redirected-nowhere"),
    pytest.param({"redirectedTo": "CAMHS"}, "redirectedTo", id="accepted-but-redirected"),
]


@pytest.mark.parametrize(("overrides", "field"), DECIDE_REFUSALS)
async def test_bad_decisions_are_refused_and_the_referral_is_unchanged(gql, sessions, overrides, field):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    referral = await recorded(gql, area, lead)
    error = await gql.error("ReferralDecide", decide_input(referral, **overrides), token=lead)
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", field)
    again = (await gql.data("Referral", {"id": referral["id"]}, token=lead))["referral"]
    assert (again["decided"], again["version"], again["decisionReason"]) == (False, referral["version"], None)


async def test_first_contact_cannot_come_before_the_referral_or_after_today(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    referral = await recorded(gql, area, lead)
    for on in (days_ago(11), days_ago(-1)):
        contact = {"referralId": referral["id"], "expectedVersion": referral["version"], "firstContactOn": on}
        error = await gql.error("ReferralFirstContact", {"input": contact}, token=lead)
        assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "firstContactOn")


async def test_a_redirected_referral_says_where(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    referral = await recorded(gql, area, lead)
    decision = decide_input(referral, outcome="redirected", redirectedTo="CAMHS single point of access")
    decided = (await gql.data("ReferralDecide", decision, token=lead))["referralDecide"]
    assert (decided["outcome"], decided["redirectedTo"]) == ("redirected", "CAMHS single point of access")


async def test_a_referral_is_decided_once_and_a_stale_version_conflicts(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    referral = await recorded(gql, area, lead)
    decided = (await gql.data("ReferralDecide", decide_input(referral), token=lead))["referralDecide"]
    # deciding again, with the version read now, is a conflict: the decision stands
    again = await gql.error("ReferralDecide", decide_input(decided, outcome="no_further_action"), token=lead)
    assert code(again) == "CONFLICT"
    # first contact with the version read before the decision is stale
    contact = {"referralId": referral["id"], "expectedVersion": referral["version"], "firstContactOn": days_ago(1)}
    stale = await gql.error("ReferralFirstContact", {"input": contact}, token=lead)
    assert code(stale) == "CONFLICT"


async def test_two_decisions_at_once_one_wins_and_the_other_conflicts(gql, sessions):
    area = await create_area(sessions)
    lead, manager = await sign_in(gql, area.lead), await sign_in(gql, area.manager)
    referral = await recorded(gql, area, lead)
    answers = await asyncio.gather(
        gql.op("ReferralDecide", decide_input(referral, outcome="accepted"), token=lead),
        gql.op("ReferralDecide", decide_input(referral, outcome="no_further_action"), token=manager),
    )
    codes = sorted(code(answer["errors"][0]) if "errors" in answer else "OK" for answer in answers)
    assert codes == ["CONFLICT", "OK"]
    winner = next(answer["data"]["referralDecide"] for answer in answers if "errors" not in answer)
    final = (await gql.data("Referral", {"id": referral["id"]}, token=lead))["referral"]
    assert (final["outcome"], final["version"]) == (winner["outcome"], referral["version"] + 1)


async def test_a_manager_of_the_leads_agency_decides_as_the_named_decision_maker(gql, sessions):
    area = await create_area(sessions)
    referral = await recorded(gql, area)
    decided = await gql.data("ReferralDecide", decide_input(referral), token=await sign_in(gql, area.manager))
    assert decided["referralDecide"]["decidedBy"]["id"] == str(area.manager.id)


async def test_who_records_decides_and_sees_a_referral(gql, sessions):
    # given a referral the lead recorded as education information, not shared with the school
    area = await create_area(sessions)
    referral = await recorded(gql, area)
    colleague, outsider = await sign_in(gql, area.colleague), await sign_in(gql, area.outsider)
    # then a worker on the team sees the referral but not its reason, needs or rationale
    seen = (await gql.data("Referral", {"id": referral["id"]}, token=colleague))["referral"]
    assert (seen["reasonVisible"], seen["reason"], seen["presentingNeeds"]) == (False, None, None)
    assert seen["referrerName"] == "Ms Okafor"
    # and may neither record nor decide one
    assert code(await gql.error("ReferralRecord", record_input(area.family.id), token=colleague)) == "FORBIDDEN"
    assert code(await gql.error("ReferralDecide", decide_input(referral), token=colleague)) == "FORBIDDEN"
    # and someone not on the team cannot tell the referral exists
    for operation, variables in (("Referral", {"id": referral["id"]}), ("ReferralDecide", decide_input(referral))):
        assert code(await gql.error(operation, variables, token=outsider)) == "NOT_FOUND"
    assert code(await gql.error("ReferralRecord", record_input(area.family.id), token=outsider)) == "NOT_FOUND"
    for actor in (area.ig, area.admin, area.other_manager):
        token = await sign_in(gql, actor)
        assert code(await gql.error("Referral", {"id": referral["id"]}, token=token)) == "NOT_FOUND"
    # when the family consents to share education information with the team
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["education"])
    # then the school's worker reads the reason, in the list and by id
    listed = (await gql.data("FamilyReferrals", {"familyId": str(area.family.id)}, token=colleague))["familyReferrals"]
    assert listed[0]["reason"] == "Jayden has missed 30% of school this term and is angry at home."


async def test_a_closed_family_can_be_referred_again(gql, sessions):
    area = await create_area(sessions)
    async with unit_of_work(sessions) as session:
        await session.exec(
            Family.__table__.update().where(Family.id == area.family.id).values(status=FamilyStatus.closed.value)
        )
    referral = await recorded(gql, area)
    assert referral["familyId"] == str(area.family.id)
