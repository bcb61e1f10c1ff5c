"""The family network and its family group conference in the browser: the school worker adds the grandmother
the young person named, from the keyboard (what is missing is said first) and does not see her contact details
afterwards; the lead sees them, arranges a family group conference inviting her (the choice shows for that kind
of meeting only), and the meeting lists her as invited."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.async_api import Page, expect

from tests.e2e.conftest import SignIn, Team, check_page, open_part, open_question

BANNER = ".govuk-notification-banner--success"


async def open_family(page: Page, team: Team, part: str = "Team and contacts") -> None:
    """The family's record, at the sub-page `part` (the network is on "Team and contacts")."""
    await page.get_by_role("link", name=team.family.reference).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(team.family.display_name)
    await open_part(page, part)


async def press(page: Page, locator) -> None:
    await locator.focus()
    await page.keyboard.press("Enter")


async def test_a_worker_adds_the_grandmother_and_the_lead_invites_her_to_the_conference(
    page: Page, sign_in: SignIn, team: Team
):
    # given the school worker on the family's page
    await sign_in(team.colleague)
    await open_family(page, team)
    section = page.locator("#network")
    await expect(section).to_contain_text("No one from the wider family or friends has been named yet.")
    # when they open the form from the keyboard and send it empty
    await press(page, section.locator("summary", has_text="Add a person the family names"))
    form = section.locator("#network-new-form")
    await press(page, form.get_by_role("button", name="Add to the network"))
    # then each missing answer is named, and the page is accessible
    summary = form.locator(".govuk-error-summary")
    await expect(summary).to_contain_text("Enter the name of the person")
    await expect(summary).to_contain_text("Enter how they are related to the family")
    await expect(summary).to_contain_text("Choose who in the family named them")
    await check_page(page, "network-errors")
    # when they add the grandmother the young person named, with her phone number, from the keyboard
    await form.get_by_label("Name of the person").fill("Rose Okafor")
    await form.get_by_label("How they are related to the family").fill("grandmother")
    await form.get_by_label("Who in the family named them").select_option(index=1)
    await form.get_by_label("Phone (optional)").fill("07700 900123")
    await press(page, form.get_by_role("button", name="Add to the network"))
    # then she is in the network; her contact details are for the lead, not shown back to the worker
    await expect(page.locator(BANNER)).to_contain_text("Rose Okafor added to the family network.")
    table = page.locator("#network-table")
    await expect(table).to_contain_text("grandmother")
    await expect(table).to_contain_text("Seen by the lead professional only")
    await expect(table).not_to_contain_text("07700 900123")
    await check_page(page, "network-as-worker")

    # when the lead opens the family: they read her phone number
    await sign_in(team.lead)
    await open_family(page, team)
    await expect(page.locator("#network-table")).to_contain_text("07700 900123")
    # and arranges a meeting: the network is offered for a family group conference only
    await open_part(page, "Meetings")
    await open_question(page, "Arrange a meeting")
    form = page.locator("#meeting-schedule-form")
    network = form.locator("#meeting-network-group")
    await expect(network).to_be_hidden()
    await form.get_by_label("What kind of meeting").select_option(label="Family group conference")
    await expect(network).to_be_visible()
    when = date.today() + timedelta(days=10)
    group = form.get_by_role("group", name="Date")
    await group.get_by_label("Day").fill(str(when.day))
    await group.get_by_label("Month").fill(str(when.month))
    await group.get_by_label("Year").fill(str(when.year))
    await form.get_by_label("Time", exact=True).fill("10:30")
    await form.get_by_label("Where (or give a call link)").fill("Community centre")
    await network.get_by_label("Rose Okafor (grandmother)").focus()
    await page.keyboard.press("Space")
    await expect(network.get_by_label("Rose Okafor (grandmother)")).to_be_checked()
    await check_page(page, "conference-arrange")
    await press(page, form.get_by_role("button", name="Arrange the meeting"))
    # then the conference is listed, and its view lists her as invited
    await expect(page.locator(BANNER)).to_contain_text("Meeting arranged.")
    row = page.locator("#meetings-table tbody tr").first
    await expect(row).to_contain_text("Family group conference")
    await row.get_by_role("link").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Family group conference")
    await expect(page.locator("main")).to_contain_text("Rose Okafor (grandmother, family network)")
    await check_page(page, "conference-view")
