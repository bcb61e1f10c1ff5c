"""The data the research names: the Family Pathfinder resilience indicators, the household and each
person's young carer, language, interpreter and disability details, and the agencies of adult services,
probation and employment support."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from server.agency.models import AgencyKind
from server.assessment.factors import load_catalogue
from server.config import REPO_ROOT
from tests.auth_helpers import sign_in
from tests.builders import create_agency, create_area, create_family, create_user
from tests.graphql_client import code
from tests.referral.test_referrals import record_input

PATHFINDER = {
    "financial_stability": "finance",
    "appropriate_peer_relationships": "education",
    "no_domestic_violence": "domestic_abuse",
}


def test_the_pathfinder_resilience_indicators_are_in_the_catalogue_with_their_categories():
    catalogue = load_catalogue(REPO_ROOT / "policies")
    for code_, category in PATHFINDER.items():
        assert catalogue.is_resilience(code_)
        assert catalogue.category(code_) == category


async def test_an_assessment_counts_the_new_indicators(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    factors = (await gql.data("AssessmentFactors", token=lead))["assessmentFactors"]
    assert set(PATHFINDER) <= {f["code"] for f in factors if f["scope"] == "resilience"}
    recorded = {
        "familyId": str(area.family.id),
        "stage": "entry",
        "assessedOn": date.today().isoformat(),
        "levelOfNeed": "targeted",
        "resilienceIndicators": list(PATHFINDER),
        "ratings": [{"factor": "family_debt", "rating": "medium"}],
    }
    entry = (await gql.data("AssessmentRecord", {"input": recorded}, token=lead))["assessmentRecord"]
    assert entry["resilienceCount"] == 3


def opening(**member) -> dict:
    return {
        "input": {
            "displayName": "The Haddad family",
            "levelOfNeed": "targeted",
            "members": [
                {
                    "fullName": "Rania Haddad",
                    "relationship": "mother",
                    "firstLanguage": "Arabic",
                    "interpreterNeeded": True,
                }
                | member,
                {"fullName": "Sami Haddad", "relationship": "son", "isSubjectChild": True, "isYoungCarer": True},
                {"fullName": "Omar Haddad", "relationship": "uncle", "livesInHousehold": False},
            ],
            "leadContact": {"agencyRole": "Lead professional"},
        }
    }


async def test_the_household_and_each_persons_needs_are_recorded_when_the_family_is_opened(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    opened = (await gql.data("FamilyOpen", opening(hasDisability=True), token=lead))["familyOpen"]
    members = {m["fullName"]: m for m in opened["members"]}
    assert (members["Rania Haddad"]["firstLanguage"], members["Rania Haddad"]["interpreterNeeded"]) == ("Arabic", True)
    assert members["Rania Haddad"]["hasDisability"] is True
    assert members["Sami Haddad"]["isYoungCarer"] is True
    assert [name for name, m in members.items() if m["livesInHousehold"]] == ["Rania Haddad", "Sami Haddad"]


async def test_an_interpreter_needs_a_language_and_nothing_is_saved(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    caseload = (await gql.data("Caseload", {"first": 100}, token=lead))["families"]["totalCount"]
    error = await gql.error("FamilyOpen", opening(firstLanguage=""), token=lead)
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "firstLanguage")
    assert (await gql.data("Caseload", {"first": 100}, token=lead))["families"]["totalCount"] == caseload


def details(member_id: str, version: int, **overrides) -> dict:
    values = {
        "memberId": member_id,
        "expectedVersion": version,
        "livesInHousehold": True,
        "isYoungCarer": True,
        "firstLanguage": "Polish",
        "interpreterNeeded": False,
        "hasDisability": False,
    }
    return {"input": values | overrides}


async def test_the_lead_updates_a_persons_details_and_a_stale_reading_conflicts(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    family = (await gql.data("Family", {"id": str(area.family.id)}, token=lead))["family"]
    child = family["members"][0]["id"]
    answers = await asyncio.gather(
        gql.op("FamilyMemberDetailsSet", details(child, family["version"]), token=lead),
        gql.op("FamilyMemberDetailsSet", details(child, family["version"], isYoungCarer=False), token=lead),
    )
    assert sorted(code(a["errors"][0]) if "errors" in a else "OK" for a in answers) == ["CONFLICT", "OK"]
    winner = next(a["data"]["familyMemberDetailsSet"] for a in answers if "errors" not in a)
    again = (await gql.data("Family", {"id": str(area.family.id)}, token=lead))["family"]
    assert again["version"] == family["version"] + 1
    assert again["members"][0]["isYoungCarer"] == winner["isYoungCarer"]
    # bad input is refused
    error = await gql.error(
        "FamilyMemberDetailsSet", details(child, again["version"], interpreterNeeded=True, firstLanguage=""), lead
    )
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "firstLanguage")


async def test_only_the_lead_updates_and_a_stranger_learns_nothing(gql, sessions):
    area = await create_area(sessions)
    family = (await gql.data("Family", {"id": str(area.family.id)}, token=await sign_in(gql, area.lead)))["family"]
    child = family["members"][0]["id"]
    colleague, outsider = await sign_in(gql, area.colleague), await sign_in(gql, area.outsider)
    assert code(await gql.error("FamilyMemberDetailsSet", details(child, family["version"]), colleague)) == "FORBIDDEN"
    hidden = await gql.error("FamilyMemberDetailsSet", details(child, family["version"]), outsider)
    missing = await gql.error(
        "FamilyMemberDetailsSet", details("00000000-0000-4000-8000-000000000000", family["version"]), outsider
    )
    # a member of a family they may not see is answered exactly as a member that does not exist
    assert (code(hidden), hidden["message"]) == (code(missing), missing["message"])
    assert code(hidden) == "NOT_FOUND"


@pytest.mark.parametrize("kind", [AgencyKind.adult_services, AgencyKind.probation, AgencyKind.employment_support])
async def test_agencies_of_the_new_kinds_work_with_families(gql, sessions, kind):
    # given a worker of the new kind of agency leading a family
    agency = await create_agency(sessions, kind=kind)
    worker = await create_user(sessions, agency=agency)
    family = await create_family(sessions, lead=worker)
    # when they record a referral, then it is their agency's
    referral = await gql.data("ReferralRecord", record_input(family.id), token=await sign_in(gql, worker))
    assert referral["referralRecord"]["recordingAgency"]["id"] == str(agency.id)
