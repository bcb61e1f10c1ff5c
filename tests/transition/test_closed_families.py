"""Closed families: consent can still be withdrawn, at once; the team reads the case content, read-only,
for the read period after closure (TAF_CLOSED_READ_DAYS, 90 days), then no longer; the family's record
stays readable to the team so the lead professional can re-open it, which restores access."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from server.access.enforcer import build_enforcer
from server.access.pep import AccessControl
from server.auth.service import actor_from
from server.config import REPO_ROOT
from server.contribution import service as contribution_service
from tests.auth_helpers import sign_in
from tests.builders import create_area, create_consent, create_contribution
from tests.builders_govern import closed_days_ago
from tests.graphql_client import code


def closing(family_id) -> dict:
    return {
        "input": {
            "familyId": str(family_id),
            "expectedVersion": 1,
            "outcome": "goals_achieved",
            "careOutcome": "remained_at_home",
            "reason": "Attendance above 95% for a term",
            "supportContinuing": "School mentoring continues until July",
            "contactIfDifficulties": "Early Help Hub 01632 960200",
            "familyFeedback": "",
            "effectiveOn": date.today().isoformat(),
        }
    }


async def titles(gql, token, family) -> set[str] | None:
    """The family's items the caller sees, or None when the family itself is not found."""
    result = await gql.op("FamilyContributions", {"familyId": str(family.id)}, token)
    if result.get("errors"):
        assert code(result["errors"][0]) == "NOT_FOUND", result
        return None
    return {node["title"] for node in result["data"]["family"]["contributions"]["nodes"]}


# state of the family -> (what the school's worker sees, what the lead sees, can the lead still see the record)
ROWS = [
    ("open", {"lead's", "school's"}, {"lead's", "school's"}),
    ("family closed", {"lead's", "school's"}, {"lead's", "school's"}),
    ("closed 89 days ago", {"lead's", "school's"}, {"lead's", "school's"}),
    ("closed beyond the period (91 days)", set(), set()),
]


@pytest.mark.parametrize(("state", "school_sees", "lead_sees"), ROWS, ids=[row[0] for row in ROWS])
async def test_what_the_team_reads_of_a_closed_family(gql, sessions, state, school_sees, lead_sees):
    # given each agency's item, shared with the whole team by consent
    area = await create_area(sessions)
    lead, school = await sign_in(gql, area.lead), await sign_in(gql, area.colleague)
    own = await create_contribution(sessions, family=area.family, author=area.lead, category="education")
    theirs = await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["education"])
    names = {own.title: "lead's", theirs.title: "school's"}
    # and the family in the state of the row
    if state != "open":
        await gql.data("FamilyClose", closing(area.family.id), token=lead)
    if "89" in state:
        await closed_days_ago(sessions, area.family, 89)
    if "91" in state:
        await closed_days_ago(sessions, area.family, 91)
    # then each sees what the row says, their own agency's items included
    assert {names[t] for t in await titles(gql, school, area.family)} == school_sees
    assert {names[t] for t in await titles(gql, lead, area.family)} == lead_sees
    # and a lookup of an item withheld answers exactly like a missing one
    lookup = await gql.op("Contribution", {"id": str(theirs.id)}, lead)
    assert (lookup.get("errors") is None) == ("school's" in lead_sees), lookup
    # and the manager of the lead's agency sees their agency's item only while the team may read
    manager_titles = await titles(gql, await sign_in(gql, area.manager), area.family)
    assert {names[t] for t in manager_titles} == ({"lead's"} if lead_sees else set())
    # and nobody writes to a closed family
    add = {
        "input": {
            "familyId": str(area.family.id),
            "kind": "update",
            "category": "education",
            "title": "New",
            "body": "x",
        }
    }
    result = await gql.op("ContributionAdd", add, school)
    if state == "open":
        assert result.get("errors") is None, result
    else:
        assert code(result["errors"][0]) == "CONFLICT"


async def test_a_closed_family_beyond_the_period_is_reopened_and_reads_again(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    item = await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["education"])
    closed = (await gql.data("FamilyClose", closing(area.family.id), token=lead))["familyClose"]
    await closed_days_ago(sessions, area.family, 120)
    # the lead still sees the family's record (so they can re-open it), but none of its content
    assert await titles(gql, lead, area.family) == set()
    reopen = {
        "input": {
            "familyId": str(area.family.id),
            "expectedVersion": closed["family"]["version"],
            "reason": "New referral",
        }
    }
    await gql.data("FamilyReopen", reopen, token=lead)
    assert await titles(gql, lead, area.family) == {item.title}


async def test_escalation_reasons_follow_the_period_too(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["education"])
    raise_input = {
        "input": {"familyId": str(area.family.id), "level": "concern", "category": "education", "reason": "Absent"}
    }
    await gql.data("EscalationRaise", raise_input, token=await sign_in(gql, area.colleague))
    await gql.data("FamilyClose", closing(area.family.id), token=lead)

    async def reasons() -> list:
        seen = await gql.data("FamilyEscalations", {"familyId": str(area.family.id)}, token=lead)
        return [(e["reasonVisible"], e["reason"]) for e in seen["familyEscalations"]]

    assert await reasons() == [(True, "Absent")]
    await closed_days_ago(sessions, area.family, 91)
    assert await reasons() == [(False, None)]


@pytest.mark.parametrize("closed_days", [0, 91], ids=["family closed", "closed beyond the period"])
async def test_consent_is_withdrawn_on_a_closed_family_and_takes_effect_at_once(gql, sessions, closed_days):
    # given a closed family whose consent shares the lead's item with the school
    area = await create_area(sessions)
    lead, school = await sign_in(gql, area.lead), await sign_in(gql, area.colleague)
    item = await create_contribution(sessions, family=area.family, author=area.lead, category="education")
    consent = await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["education"])
    await gql.data("FamilyClose", closing(area.family.id), token=lead)
    await closed_days_ago(sessions, area.family, closed_days)
    assert await titles(gql, school, area.family) == ({item.title} if closed_days == 0 else set())
    # when the mother withdraws it (recorded by the lead)
    withdrawn = await gql.data(
        "ConsentWithdraw", {"input": {"consentId": str(consent.id), "reason": "Mum asked"}}, token=lead
    )
    # then it is withdrawn, not refused as a change to a closed record, and the school no longer reads the item
    assert withdrawn["consentWithdraw"]["withdrawnAt"] is not None
    assert await titles(gql, school, area.family) == set()
    # and withdrawing it again is the usual conflict
    again = await gql.error("ConsentWithdraw", {"input": {"consentId": str(consent.id), "reason": "x"}}, token=lead)
    assert code(again) == "CONFLICT"


async def test_the_read_period_is_the_configured_one(gql, sessions):
    # given a family closed 20 days ago, and a deployment whose read period is 10 days (TAF_CLOSED_READ_DAYS=10)
    area = await create_area(sessions)
    item = await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
    await gql.data("FamilyClose", closing(area.family.id), token=await sign_in(gql, area.lead))
    await closed_days_ago(sessions, area.family, 20)
    policies = REPO_ROOT / "policies"
    for period, expected in [(timedelta(days=10), []), (timedelta(days=30), [item.id])]:
        access = AccessControl(build_enforcer(policies, period), actor_from(area.colleague))
        # when the school's worker lists the family's items
        async with sessions() as session:
            page = await contribution_service.list_for_family(session, access, family_id=area.family.id)
        # then they read them only within the period
        assert [row.id for row in page.items] == expected, period
