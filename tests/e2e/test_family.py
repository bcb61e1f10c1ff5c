"""A family's page: members, the team and its contacts, and the lead professional's controls."""

from __future__ import annotations

import json
import uuid

import pytest
from playwright.async_api import Locator, Page, expect

from server.db.engine import SessionFactory
from server.user.models import SystemRole
from tests.auth_helpers import sign_in as api_sign_in
from tests.builders import create_user
from tests.e2e.conftest import SignIn, Team, check_page, open_part, open_question
from tests.graphql_client import GraphQLClient

pytestmark = pytest.mark.long


def fact(card: Locator, key: str) -> Locator:
    """The value beside `key` in a GOV.UK summary list."""
    return card.locator(".govuk-summary-list__row").filter(has=card.page.locator("dt", has_text=key)).locator("dd")


async def open_family(page: Page, team: Team) -> None:
    await page.get_by_role("link", name=team.family.reference).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(team.family.display_name)


async def test_the_family_page_shows_members_and_how_to_reach_the_team(page: Page, sign_in: SignIn, team: Team):
    await sign_in(team.lead)
    await open_family(page, team)
    await open_part(page, "Team and contacts")

    members = page.locator("#members-table tbody tr")
    await expect(members).to_have_count(1)
    await expect(members.first).to_contain_text("Subject child")
    await expect(members.first).to_contain_text("1 May 2014")
    cards = page.locator("#team-list .govuk-summary-card")
    await expect(cards).to_have_count(2)
    await expect(cards.first).to_contain_text(f"{team.early_help.name}: {team.lead.display_name}")
    await expect(cards.first).to_contain_text("Lead professional")
    await expect(fact(cards.first, "In office hours")).to_have_text("01632 960000")
    await expect(fact(cards.first, "Out of hours")).to_have_text("Not given")
    await expect(fact(cards.nth(1), "Role on the plan")).to_have_text("Contributor")
    await check_page(page, "family")


async def test_the_lead_adds_a_team_member_chosen_from_the_directory(page: Page, sign_in: SignIn, team: Team):
    await sign_in(team.lead)
    await open_family(page, team)
    await open_part(page, "Team and contacts")
    await open_question(page, "Add someone to the team")

    await page.get_by_label("Name", exact=True).fill(team.health_visitor.display_name)
    await page.get_by_label("Agency", exact=True).select_option(label=team.health.name)
    await page.get_by_role("button", name="Find people").click()
    await page.get_by_label(team.health_visitor.display_name).check()
    await check_page(page, "family-add-team-member")
    await page.get_by_role("button", name="Add to the team").click()
    await expect(page.locator("#team-member-add-form .govuk-error-summary")).to_contain_text(
        "Enter their role on the plan"
    )
    await page.get_by_label("Their role on the plan").fill("Health visitor: development checks")
    await page.get_by_label("How to reach them in office hours").fill("01632 960311")
    await page.get_by_label("Who to contact out of hours").fill("NHS 111")
    await page.get_by_label("What they do, in words for the family").fill("Checks that Mia is growing well")
    await page.get_by_role("button", name="Add to the team").click()

    banner = page.locator(".govuk-notification-banner")
    await expect(banner).to_contain_text(f"{team.health_visitor.display_name} added to the team.")
    await expect(banner).to_be_focused()
    card = page.locator("#team-list .govuk-summary-card").filter(has_text=team.health_visitor.display_name)
    await expect(fact(card, "What they do")).to_have_text("Health visitor: development checks")
    await expect(fact(card, "Out of hours")).to_have_text("NHS 111")
    await expect(fact(card, "For the family")).to_have_text("Checks that Mia is growing well")


async def test_the_lead_describes_a_member_in_words_for_the_family(page: Page, sign_in: SignIn, team: Team):
    await sign_in(team.lead)
    await open_family(page, team)
    await open_part(page, "Team and contacts")
    card = page.locator("#team-list .govuk-summary-card").filter(has_text=team.colleague.display_name)
    await expect(fact(card, "For the family")).to_contain_text("Not written")
    await card.get_by_text("Describe for the family").click()
    words = card.get_by_label(f"What {team.colleague.display_name} does, in words for the family")
    await words.fill("Meets <Jayden> at the gate")
    await card.get_by_role("button", name="Save words for the family").click()
    await expect(card.locator(".govuk-error-summary")).to_contain_text("plain words on one line, without < or >")
    await words.fill("Meets Jayden at the gate each morning")
    await card.get_by_role("button", name="Save words for the family").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("Words for the family saved")
    card = page.locator("#team-list .govuk-summary-card").filter(has_text=team.colleague.display_name)
    await expect(fact(card, "For the family")).to_have_text("Meets Jayden at the gate each morning")
    await expect(fact(card, "What they do")).to_have_text("test role")
    await check_page(page, "family-describe-member")


async def test_the_lead_adds_a_family_member_and_ends_a_membership(page: Page, sign_in: SignIn, team: Team):
    await sign_in(team.lead)
    await open_family(page, team)
    await open_part(page, "Team and contacts")

    await open_question(page, "Add a family member")
    await page.get_by_label("Full name").fill("Ava Test")
    await page.locator("#member-add-form").get_by_label("Relationship").fill("daughter")
    await page.locator("#member-add-form").get_by_label("Day").fill("31")
    await page.locator("#member-add-form").get_by_label("Month").fill("2")
    await page.locator("#member-add-form").get_by_label("Year").fill("2016")
    await page.get_by_label("The plan is about this child").check()
    await page.get_by_role("button", name="Add family member").click()
    await expect(page.locator("#member-add-form .govuk-error-summary")).to_contain_text("must be a real date")
    await page.locator("#member-add-form").get_by_label("Day").fill("29")
    await page.get_by_role("button", name="Add family member").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("Ava Test added to the family.")
    row = page.locator("#members-table tbody tr").filter(has_text="Ava Test")
    await expect(row).to_contain_text("Subject child")
    await expect(row).to_contain_text("29 February 2016")

    card = page.locator("#team-list .govuk-summary-card").filter(has_text=team.colleague.display_name)
    await card.get_by_text("End this membership").click()
    await card.get_by_label(f"Why is {team.colleague.display_name} leaving the team?").fill("Moved school")
    await card.get_by_role("button", name="End membership").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("has left the team.")
    await expect(page.locator("#team-list .govuk-summary-card")).to_have_count(1)


async def test_the_lead_hands_over_and_then_sees_no_lead_controls(page: Page, sign_in: SignIn, team: Team):
    await sign_in(team.lead)
    await open_family(page, team)
    await open_part(page, "Team and contacts")
    await page.get_by_label("New lead professional").select_option(
        label=f"{team.colleague.display_name}, {team.school.name}"
    )
    await page.get_by_role("button", name="Hand over the lead").click()

    await expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"{team.colleague.display_name} is now the lead professional."
    )
    await expect(page.get_by_role("link", name="Add someone to the team")).to_have_count(0)
    await expect(page.get_by_role("heading", name="Hand over the lead")).to_have_count(0)
    await expect(page.get_by_text("Add a family member")).to_have_count(0)
    await open_part(page, "Overview")
    await expect(page.locator("#family-summary")).to_contain_text(team.colleague.display_name)
    await expect(page.get_by_role("heading", name="Change status or level of need")).to_have_count(0)
    await open_part(page, "Contributions")
    # The only button left is the filter of the items, which every team member has.
    await expect(page.get_by_role("main").get_by_role("button")).to_have_text(["Show items"])
    await check_page(page, "family-as-contributor")  # what every team member who is not the lead sees


async def test_a_family_not_on_ones_caseload_is_not_found(page: Page, sign_in: SignIn, team: Team, gql: GraphQLClient):
    await sign_in(team.health_visitor)
    await expect(page.get_by_text("You are not on any family's team yet.")).to_be_visible()
    for family_id in (team.family.id, uuid.uuid4()):
        await page.goto(f"/#/families/{family_id}")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Family not found")
        text = await page.locator("main").inner_text()
        assert team.family.display_name not in text
        assert team.family.reference not in text
        assert "NOT_FOUND" not in text
    await check_page(page, "family-not-found")
    await page.goto("/#/no-such-page")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    await check_page(page, "page-not-found")
    # The API agrees: the family is invisible to this user, not merely hidden by the page.
    token = await api_sign_in(gql, team.health_visitor)
    assert (await gql.error("Family", {"id": str(team.family.id)}, token))["extensions"]["code"] == "NOT_FOUND"


async def test_a_stale_change_is_refused_in_plain_words(page: Page, sign_in: SignIn, team: Team, gql: GraphQLClient):
    await sign_in(team.lead)
    await open_family(page, team)
    # Someone else (here the same lead, in another tab) changes the family after this page was opened.
    token = await api_sign_in(gql, team.lead)
    await gql.data(
        "FamilyUpdate",
        {"input": {"familyId": str(team.family.id), "expectedVersion": 1, "status": "stepped_down"}},
        token,
    )

    await page.locator("#status-form").get_by_label("Level of need", exact=True).select_option(label="Specialist")
    await page.get_by_role("button", name="Save changes").click()
    summary = page.locator("#status-form .govuk-error-summary")
    await expect(summary).to_contain_text(
        "Someone else changed this family since you opened it. Reload to see their change."
    )
    await expect(summary).to_be_focused()
    assert "CONFLICT" not in await page.locator("main").inner_text()
    await check_page(page, "family-conflict")

    await page.get_by_role("button", name="Reload this family").click()
    await expect(page.locator("#family-status")).to_have_text("Stepped down")
    await page.locator("#status-form").get_by_label("Level of need", exact=True).select_option(label="Specialist")
    await page.get_by_role("button", name="Save changes").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("Status and level of need saved.")
    await expect(page.locator("#family-level")).to_have_text("Specialist")


async def test_a_manager_of_the_leads_agency_manages_the_team_but_not_the_family(
    page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory
):
    manager = await create_user(sessions, agency=team.early_help, role=SystemRole.manager)
    await sign_in(manager)
    await open_family(page, team)
    await expect(page.get_by_role("heading", name="Change status or level of need")).to_have_count(0)
    await open_part(page, "Team and contacts")
    await expect(page.get_by_role("link", name="Add someone to the team")).to_be_visible()
    await expect(page.get_by_text("Add a family member")).to_have_count(0)


async def test_the_page_sends_persisted_operations_by_hash(page: Page, sign_in: SignIn, team: Team):
    """web/js/api.js sends each document by its SHA-256 (server/api/persisted.py), never its text, and falls
    back to the text when the server does not know the hash."""
    bodies: list[dict] = []
    page.on(
        "request", lambda request: bodies.append(request.post_data_json) if request.url.endswith("/graphql") else None
    )
    await sign_in(team.lead)
    await open_family(page, team)
    await open_part(page, "Team and contacts")
    await expect(page.locator("#members-table tbody tr")).to_have_count(1)
    sent = [body for body in bodies if body and body.get("operationName") == "FamilyPage"]
    assert sent and all("query" not in body for body in sent), sent
    assert all(len(body["extensions"]["persistedQuery"]["sha256Hash"]) == 64 for body in sent)

    # when the server does not know a hash, the same operation is sent again with its text
    async def unknown_hash(route):
        body = route.request.post_data_json
        if "query" in body:
            await route.continue_()
        else:
            body["extensions"]["persistedQuery"]["sha256Hash"] = "0" * 64
            await route.continue_(post_data=json.dumps(body))

    await page.route("**/graphql", unknown_hash)
    bodies.clear()
    await page.reload()
    await expect(page.get_by_role("heading", level=1)).to_have_text(team.family.display_name)
    family = [body for body in bodies if body and body.get("operationName") == "FamilyPage"]
    assert any("query" in body for body in family), family
