"""Cover while the lead professional is away, in the browser: the lead names a deputy from the team
section, marks themselves away from the keyboard (dates checked first), and the deputy then sees who
covers and acknowledges an escalation; before that the deputy had no such control."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.async_api import Page, expect

from tests.auth_helpers import sign_in as api_sign_in
from tests.e2e.conftest import SignIn, Team, check_page, open_part
from tests.graphql_client import GraphQLClient

BANNER = ".govuk-notification-banner--success"


async def open_family(page: Page, team: Team) -> None:
    await page.get_by_role("link", name=team.family.reference).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(team.family.display_name)


async def fill_date(page: Page, legend: str, day: date) -> None:
    group = page.get_by_role("group", name=legend)
    await group.get_by_label("Day").fill(str(day.day))
    await group.get_by_label("Month").fill(str(day.month))
    await group.get_by_label("Year").fill(str(day.year))


async def test_the_deputy_covers_escalations_while_the_lead_is_away(
    page: Page, sign_in: SignIn, team: Team, gql: GraphQLClient
):
    # given an escalation the school raised
    raised = {"familyId": str(team.family.id), "level": "urgent", "category": "education", "reason": "Hurt at home"}
    await gql.data("EscalationRaise", {"input": raised}, await api_sign_in(gql, team.colleague))
    # when the lead names the school worker deputy lead
    await sign_in(team.lead)
    await open_family(page, team)
    await open_part(page, "Team and contacts")
    form = page.locator("#deputy-lead-form")
    await form.get_by_label("Who is the deputy lead").select_option(
        label=f"{team.colleague.display_name}, {team.school.name}"
    )
    await form.get_by_role("button", name="Save the deputy lead").click()
    await expect(page.locator(BANNER)).to_contain_text("Deputy lead named.")
    await expect(page.locator("#deputy-lead-name")).to_have_text(f"{team.colleague.display_name}, {team.school.name}")
    await check_page(page, "deputy-lead-named")

    # and the deputy, while the lead is here, has no escalation controls
    await sign_in(team.colleague)
    await open_family(page, team)
    await expect(page.locator("#escalations").get_by_role("button", name="Acknowledge")).to_have_count(0)

    # when the lead marks themselves away, first with the days the wrong way round, from the keyboard
    await sign_in(team.lead)
    await page.get_by_role("link", name="Mark yourself away").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your time away")
    await expect(page.locator("#no-time-away")).to_be_visible()
    today = date.today()
    await fill_date(page, "First day away", today + timedelta(days=3))
    await fill_date(page, "Last day away", today)
    await page.get_by_role("button", name="Mark me away").focus()
    await page.keyboard.press("Enter")
    await expect(page.locator(".govuk-error-summary")).to_contain_text("must be the same as or after your first")
    await check_page(page, "time-away-errors")
    await fill_date(page, "First day away", today)
    await fill_date(page, "Last day away", today + timedelta(days=3))
    await page.get_by_role("button", name="Mark me away").focus()
    await page.keyboard.press("Enter")
    await expect(page.locator(BANNER)).to_contain_text("You are marked away")
    await expect(page.locator("#time-away-table")).to_contain_text("Away now")
    await check_page(page, "time-away")

    # then the deputy sees who covers, and acknowledges the escalation
    await sign_in(team.colleague)
    await open_family(page, team)
    await expect(page.locator("#cover-notice")).to_contain_text(f"{team.lead.display_name} is away")
    await expect(page.locator("#cover-notice")).to_contain_text(f"{team.colleague.display_name}, the deputy lead")
    await check_page(page, "family-as-covering-deputy")
    await page.locator("#escalations").get_by_role("button", name="Acknowledge").click()
    await expect(page.locator(BANNER)).to_contain_text("cknowledged")
    # but the lead's other controls stay the lead's
    await open_part(page, "Plan")
    await expect(page.get_by_text("Add a goal")).to_have_count(0)
    await open_part(page, "Team and contacts")
    await expect(page.locator("#deputy-lead-form")).to_have_count(0)

    # when the lead comes back early and cancels their time away
    await sign_in(team.lead)
    await page.goto("/#/time-away")
    await page.get_by_role("button", name="Cancel").click()
    await expect(page.locator(BANNER)).to_contain_text("Your time away was cancelled.")
    await expect(page.locator("#no-time-away")).to_be_visible()
