"""The retention review in a real browser: an IG officer sees closed families whose date has passed (with
their date and what gives it), and decides on GOV.UK question pages, by keyboard alone too: keep them
longer, place and remove a legal hold, erase. Every page is axe-clean. The team sees a closed family's
date on its page."""

from __future__ import annotations

from datetime import date

from playwright.async_api import Locator, Page, expect

from server.db.engine import SessionFactory
from server.family.models import Family
from server.user.models import SystemRole
from tests.builders import create_user
from tests.builders_retain import create_closed_family
from tests.e2e.conftest import SignIn, Team, check_page


async def tab_to(page: Page, target: Locator, limit: int = 120) -> None:
    """Press Tab until `target` has the focus, as a keyboard user would."""
    for _ in range(limit):
        if await target.evaluate("node => node === document.activeElement"):
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def row_of(page: Page, table: str, family: Family) -> Locator:
    return page.locator(f"#{table} tbody tr").filter(has_text=family.reference)


async def open_governance(page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory):
    officer = await create_user(sessions, agency=team.early_help, role=SystemRole.ig_officer)
    await sign_in(officer)
    await page.get_by_role("link", name="Information governance").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Information governance")


async def test_an_ig_officer_keeps_records_longer_by_keyboard(
    page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory
):
    # given a family closed long ago, its child's date of birth unknown
    family = await create_closed_family(sessions, lead=team.lead, closed_on=date(1979, 4, 2), births=(None,))
    await open_governance(page, sign_in, team, sessions)
    row = row_of(page, "retention-table", family)
    await expect(row).to_contain_text(family.display_name)
    await expect(row).to_contain_text("2 April 1985")
    await expect(row).to_contain_text("6 years after closure: no date of birth is recorded")
    await check_page(page, "retention-queue")

    # when, by keyboard alone, they skip to the review through "On this page" (the overrides above it grow
    # with the authority's history), follow "Extend" and send the form empty, then filled in
    contents = page.get_by_role("navigation", name="On this page")
    await tab_to(page, contents.get_by_role("link", name="Records due for review"))
    await page.keyboard.press("Enter")
    await expect(page.locator("#retention")).to_be_focused()
    await tab_to(
        page, row.get_by_role("link", name=f"Extend the records of {family.display_name} ({family.reference})")
    )
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Keep these records for longer")
    await expect(page.locator("#retention-facts")).to_contain_text("2 April 1985")
    submit = page.get_by_role("button", name="Keep the records until this date")
    await tab_to(page, submit)
    await page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    await expect(summary).to_contain_text("Enter the date to keep the records until")
    await expect(summary).to_contain_text("Enter why the records are still needed")
    await check_page(page, "retention-extend-errors")
    await tab_to(page, page.get_by_label("Day"))
    await page.keyboard.type("31")
    await page.keyboard.press("Tab")
    await page.keyboard.type("3")
    await page.keyboard.press("Tab")
    await page.keyboard.type(str(date.today().year + 2))
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Why the records are still needed")).to_be_focused()
    await page.keyboard.type("A complaint about the service is still open.")
    await tab_to(page, submit)
    await page.keyboard.press("Enter")

    # then the page says so, and the family waits no longer
    await expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"are kept until 31 March {date.today().year + 2}"
    )
    await expect(row_of(page, "retention-table", family)).to_have_count(0)


async def test_a_legal_hold_is_placed_and_removed(page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory):
    family = await create_closed_family(sessions, lead=team.lead, closed_on=date(1979, 5, 2), births=(None,))
    await open_governance(page, sign_in, team, sessions)
    await row_of(page, "retention-table", family).get_by_role("link", name="Place a legal hold").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Place a legal hold on these records")
    await page.get_by_label("Why the records must be kept").fill("short")
    await page.get_by_role("button", name="Place the legal hold").click()
    await expect(page.locator(".govuk-error-summary")).to_contain_text("Write the reason in full")
    await page.get_by_label("Why the records must be kept").fill("A claim has been made against the council.")
    await page.get_by_role("button", name="Place the legal hold").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("are under a legal hold")
    held = row_of(page, "legal-holds-table", family)
    await expect(held).to_contain_text("A claim has been made against the council.")
    await expect(row_of(page, "retention-table", family)).to_have_count(0)

    # erasing is not offered while the hold stands
    await page.goto(f"/#/information-governance/retention/{family.id}/erase")
    await expect(page.locator("#erase-refused")).to_contain_text("under a legal hold")
    await check_page(page, "retention-erase-held")
    await page.locator("#erase-refused").get_by_role("link", name="Remove the legal hold").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Remove the legal hold")
    await check_page(page, "retention-release")
    await page.get_by_label("Why the hold can end").fill("The claim was settled in May.")
    await page.get_by_role("button", name="Remove the legal hold").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("legal hold on the records")
    await expect(row_of(page, "retention-table", family)).to_have_count(1)


async def test_an_ig_officer_erases_a_familys_records(
    page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory
):
    family = await create_closed_family(sessions, lead=team.lead, closed_on=date(1979, 6, 2), births=(None,))
    await open_governance(page, sign_in, team, sessions)
    await row_of(page, "retention-table", family).get_by_role("link", name="Erase").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Erase these records")
    await expect(page.locator(".govuk-warning-text")).to_contain_text("cannot be undone")
    await check_page(page, "retention-erase")
    await page.get_by_label("Type the family's reference to confirm").fill("TAF-0")
    await page.get_by_label("Why the records are erased now").fill("The retention period is over; nothing is pending.")
    await page.get_by_role("button", name="Erase the records").click()
    await expect(page.locator(".govuk-error-summary")).to_contain_text(
        f"The reference does not match: type {family.reference}"
    )
    await page.get_by_label("Type the family's reference to confirm").fill(family.reference.lower())
    await page.get_by_role("button", name="Erase the records").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"The records of {family.reference} are erased"
    )
    await expect(row_of(page, "retention-table", family)).to_have_count(0)
    erased = row_of(page, "erased-table", family)
    await expect(erased).to_contain_text("The retention period is over; nothing is pending.")
    await expect(erased).not_to_contain_text(family.display_name)
    await check_page(page, "retention-erased")


async def test_the_team_sees_until_when_a_closed_familys_records_are_kept(
    page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory
):
    family = await create_closed_family(
        sessions, lead=team.lead, closed_on=date(2020, 1, 15), births=(date(2010, 9, 4),)
    )
    await sign_in(team.lead)
    await page.goto(f"/#/families/{family.id}/referrals")
    kept = page.locator("#retention-date")
    await expect(kept).to_contain_text("4 September 2035")
    await expect(kept).to_contain_text("The youngest child's 25th birthday")
    await check_page(page, "family-retention-date")
