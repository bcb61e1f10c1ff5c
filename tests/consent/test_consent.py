from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.auth_helpers import sign_in
from tests.builders import create_area, create_contribution, unique
from tests.db_helpers import row_counts
from tests.graphql_client import code


async def member_id(gql, token, family_id) -> str:
    family = (await gql.data("Family", {"id": str(family_id)}, token=token))["family"]
    return family["members"][0]["id"]


def consent(family_id, member, **overrides) -> dict:
    return {
        "input": {
            "familyId": str(family_id),
            "givenByMemberId": member,
            "capacity": "parental_responsibility",
            "decision": "given",
            "categories": ["education"],
            "purpose": "Plan attendance support",
            "wholeTeam": True,
            "evidenceReference": "Signed form 12/11",
            **overrides,
        }
    }


async def test_recorded_consent_shares_at_once_and_withdrawal_ends_it_at_once(gql, sessions):
    # given an education item of the school and no consent
    area = await create_area(sessions)
    item = await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
    lead = await sign_in(gql, area.lead)
    assert code(await gql.error("Contribution", {"id": str(item.id)}, token=lead)) == "NOT_FOUND"
    # when consent is recorded
    member = await member_id(gql, lead, area.family.id)
    recorded = (await gql.data("ConsentRecord", consent(area.family.id, member), token=lead))["consentRecord"]
    # then the very next read sees the item
    assert (await gql.data("Contribution", {"id": str(item.id)}, token=lead))["contribution"]["id"] == str(item.id)
    # and when it is withdrawn, the very next read does not
    withdrawn = await gql.data(
        "ConsentWithdraw", {"input": {"consentId": recorded["id"], "reason": "Mum asked"}}, token=lead
    )
    assert withdrawn["consentWithdraw"]["withdrawnAt"] is not None
    assert code(await gql.error("Contribution", {"id": str(item.id)}, token=lead)) == "NOT_FOUND"


async def test_a_refusal_outweighs_a_consent_for_the_same_category(gql, sessions):
    area = await create_area(sessions)
    item = await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
    lead = await sign_in(gql, area.lead)
    member = await member_id(gql, lead, area.family.id)
    await gql.data("ConsentRecord", consent(area.family.id, member), token=lead)
    await gql.data("ConsentRecord", consent(area.family.id, member, decision="refused"), token=lead)
    assert code(await gql.error("Contribution", {"id": str(item.id)}, token=lead)) == "NOT_FOUND"


async def test_consent_to_named_agencies_does_not_reach_others(gql, sessions):
    area = await create_area(sessions)
    item = await create_contribution(sessions, family=area.family, author=area.lead, category="housing")
    lead = await sign_in(gql, area.lead)
    member = await member_id(gql, lead, area.family.id)
    other_agency = area.other_manager.agency_id
    await gql.data(
        "ConsentRecord",
        consent(
            area.family.id, member, wholeTeam=False, categories=["housing"], recipientAgencyIds=[str(other_agency)]
        ),
        token=lead,
    )
    colleague = await sign_in(gql, area.colleague)
    assert code(await gql.error("Contribution", {"id": str(item.id)}, token=colleague)) == "NOT_FOUND"


async def test_the_consent_picture_shows_the_lead_what_is_missing(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    member = await member_id(gql, lead, area.family.id)
    await gql.data(
        "ConsentRecord",
        consent(
            area.family.id,
            member,
            wholeTeam=False,
            categories=["education", "health"],
            recipientAgencyIds=[str(area.school.id)],
        ),
        token=lead,
    )
    await gql.data(
        "ConsentRecord",
        consent(
            area.family.id,
            member,
            decision="refused",
            wholeTeam=False,
            categories=["mental_health"],
            recipientAgencyIds=[str(area.school.id)],
        ),
        token=lead,
    )
    picture = (await gql.data("ConsentPicture", {"familyId": str(area.family.id)}, token=lead))["family"]
    school = next(row for row in picture["consentPicture"] if row["agency"]["id"] == str(area.school.id))
    assert school["consented"] == ["education", "health"]
    assert school["refused"] == ["mental_health"]
    assert "police" in school["missing"] and "education" not in school["missing"]
    colleague_view = await gql.data(
        "ConsentPicture", {"familyId": str(area.family.id)}, token=await sign_in(gql, area.colleague)
    )
    assert colleague_view["family"]["consentPicture"] is None


async def test_bad_consent_records_are_refused_and_change_nothing(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    member = await member_id(gql, lead, area.family.id)
    before = await row_counts(sessions)
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    for overrides, field in [
        ({"categories": []}, "categories"),
        ({"purpose": ""}, "purpose"),
        ({"wholeTeam": False}, "recipientAgencyIds"),
        ({"recipientAgencyIds": [str(area.school.id)]}, "recipientAgencyIds"),
        ({"validTo": past}, "validTo"),
        ({"givenByMemberId": str(area.lead.id)}, "givenByMemberId"),
    ]:
        error = await gql.error("ConsentRecord", consent(area.family.id, member, **overrides), token=lead)
        assert (code(error), error["extensions"].get("field")) == ("BAD_USER_INPUT", field), overrides
    assert await row_counts(sessions) == before


async def test_only_the_team_records_or_withdraws_consent(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    member = await member_id(gql, lead, area.family.id)
    recorded = (await gql.data("ConsentRecord", consent(area.family.id, member), token=lead))["consentRecord"]
    outsider = await sign_in(gql, area.outsider)
    assert code(await gql.error("ConsentRecord", consent(area.family.id, member), token=outsider)) == "NOT_FOUND"
    withdraw = {"input": {"consentId": recorded["id"], "reason": unique("why")}}
    assert code(await gql.error("ConsentWithdraw", withdraw, token=outsider)) == "NOT_FOUND"
    assert code(await gql.error("ConsentWithdraw", withdraw, token=await sign_in(gql, area.ig))) == "FORBIDDEN"


async def test_agreement_to_engage_is_kept_apart_from_consent_to_share(gql, sessions):
    area = await create_area(sessions)
    item = await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
    lead = await sign_in(gql, area.lead)
    member = await member_id(gql, lead, area.family.id)
    await gql.data(
        "EngagementRecord",
        {
            "input": {
                "familyId": str(area.family.id),
                "memberId": member,
                "agreed": True,
                "notes": "Happy to work with early help",
            }
        },
        token=lead,
    )
    family = (await gql.data("FamilyConsents", {"familyId": str(area.family.id)}, token=lead))["family"]
    assert [agreement["agreed"] for agreement in family["engagementAgreements"]] == [True]
    assert family["consents"] == []
    assert code(await gql.error("Contribution", {"id": str(item.id)}, token=lead)) == "NOT_FOUND"
