"""A manager marks their practitioner away from the account page, from the keyboard (what is missing is said
first), and clears it again; the family's deputy lead then covers, as the family's page says."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.async_api import Page, expect

from server.user.models import SystemRole
from tests.auth_helpers import sign_in as api_sign_in
from tests.builders import create_user
from tests.e2e.conftest import SignIn, Team, check_page
from tests.graphql_client import GraphQLClient

BANNER = ".govuk-notification-banner--success"


async def press(page: Page, locator) -> None:
    await locator.focus()
    await page.keyboard.press("Enter")


async def test_a_manager_marks_their_lead_away_and_clears_it(
    page: Page, sign_in: SignIn, team: Team, sessions, gql: GraphQLClient
):
    # given the lead named the school worker deputy, and the lead's manager on the lead's account page
    named = {"familyId": str(team.family.id), "userId": str(team.colleague.id), "expectedDeputyUserId": None}
    await gql.data("DeputyLeadSet", {"input": named}, await api_sign_in(gql, team.lead))
    manager = await create_user(sessions, agency=team.early_help, role=SystemRole.manager)
    await sign_in(manager)
    await page.goto(f"/#/accounts/{team.lead.id}")
    await expect(page.get_by_role("heading", level=1)).to_have_text(team.lead.display_name)
    section = page.locator("#their-time-away")
    await expect(section).to_contain_text(f"{team.lead.display_name} is not marked away.")
    # when they send the form empty from the keyboard
    mark = section.get_by_role("button", name=f"Mark {team.lead.display_name} away")
    await press(page, mark)
    await expect(section.locator(".govuk-error-summary")).to_contain_text("Enter their first day away")
    await check_page(page, "manager-time-away-errors")
    # when they mark the lead away from today for a week
    today, last = date.today(), date.today() + timedelta(days=6)
    for legend, day in (("First day away", today), ("Last day away", last)):
        group = section.get_by_role("group", name=legend)
        await group.get_by_label("Day").fill(str(day.day))
        await group.get_by_label("Month").fill(str(day.month))
        await group.get_by_label("Year").fill(str(day.year))
    await press(page, mark)
    # then the lead is away now, and the family's deputy covers
    await expect(page.locator(BANNER)).to_contain_text(f"{team.lead.display_name} is marked away")
    await expect(page.locator("#time-away-table")).to_contain_text("Away now")
    await check_page(page, "manager-time-away")
    cover = await gql.data("FamilyCover", {"familyId": str(team.family.id)}, await api_sign_in(gql, team.lead))
    assert cover["family"]["cover"]["deputyCovering"] is True
    # when they clear it
    await press(page, page.locator("#time-away-table").get_by_role("button", name="Cancel"))
    await expect(page.locator(BANNER)).to_contain_text(f"{team.lead.display_name}'s time away was cancelled.")
    await expect(page.locator("#their-time-away")).to_contain_text(f"{team.lead.display_name} is not marked away.")
