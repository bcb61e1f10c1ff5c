"""The contact log in the browser: a worker records a home visit from the keyboard (what is missing is
said first), the log and the contacts per week show it, the plan says how many contacts a week, and the
lead sees that the visit happened but not the school's note."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.e2e.conftest import SignIn, Team, check_page, open_part

BANNER = ".govuk-notification-banner--success"


async def open_family(page: Page, team: Team) -> None:
    await page.get_by_role("link", name=team.family.reference).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(team.family.display_name)


async def test_a_worker_records_a_contact_and_the_team_sees_how_often(page: Page, sign_in: SignIn, team: Team):
    # given the school worker on the family's page
    await sign_in(team.colleague)
    await open_family(page, team)
    await open_part(page, "Plan")
    await expect(page.locator("#plan-contacts-per-week")).to_contain_text("0 contacts in the last 4 weeks")
    await open_part(page, "Team and contacts")
    section = page.locator("#contacts")
    await expect(section).to_contain_text("No contacts have been recorded yet.")
    # when they open the form from the keyboard and send it empty
    await section.get_by_role("link", name="Record a contact").focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Record a contact")
    section = page.locator("#main-content")
    await section.get_by_role("button", name="Record the contact").focus()
    await page.keyboard.press("Enter")
    # then each missing answer is named
    summary = section.locator(".govuk-error-summary")
    await expect(summary).to_contain_text("Enter the day of the contact")
    await expect(summary).to_contain_text("Choose how you were in contact")
    await expect(summary).to_contain_text("Enter how long it lasted")
    await check_page(page, "contact-errors")
    # when they record an hour's home visit earlier today (in the browser's time)
    browser_now = "() => { const d = new Date(); return [d.getFullYear(), d.getMonth()+1, d.getDate(), d.getHours()] }"
    year, month, day, hour = await page.evaluate(browser_now)
    started = max(hour - 1, 0)
    form = section.locator("#contact-record-form")
    group = form.get_by_role("group", name="Day of the contact")
    await group.get_by_label("Day").fill(str(day))
    await group.get_by_label("Month").fill(str(month))
    await group.get_by_label("Year").fill(str(year))
    await form.get_by_label("Time it started").fill(f"{started:02d}:00")
    await form.get_by_label("How", exact=True).select_option(label="Home visit")
    await form.get_by_label("How long, in minutes").fill("60")
    await form.get_by_label("A short note (optional)").fill("Jayden showed me his school reading book")
    await form.get_by_label("Category of the note").select_option(label="Education")
    await form.get_by_role("button", name="Record the contact").focus()
    await page.keyboard.press("Enter")
    # then it is in the log and counted this week, and in the plan's contacts a week
    await expect(page.locator(BANNER)).to_contain_text("Contact recorded.")
    table = page.locator("#contacts-table")
    await expect(table).to_contain_text("Home visit")
    await expect(table).to_contain_text("60 minutes")
    await expect(table).to_contain_text("Jayden showed me his school reading book")
    await expect(page.locator("#contacts-per-week")).to_contain_text("1 contact in the last 8 weeks")
    await check_page(page, "contacts")
    await open_part(page, "Plan")
    await expect(page.locator("#plan-contacts-per-week")).to_contain_text("1 contact in the last 4 weeks")

    # when the lead opens the family
    await sign_in(team.lead)
    await open_family(page, team)
    await open_part(page, "Team and contacts")
    # then they see that the visit happened, not the school's note
    table = page.locator("#contacts-table")
    await expect(table).to_contain_text(f"{team.colleague.display_name}, {team.school.name}")
    await expect(table).to_contain_text(f"Withheld: education information of {team.school.name}")
    await expect(table).not_to_contain_text("reading book")
    await expect(page.locator("#contacts-per-week")).to_contain_text("1 contact in the last 8 weeks")
