"""The right message for a page one's role cannot use, and for an address that leads nowhere: in the words
GOV.UK services use, never an API code or a technical message, always with a way back to one's own start."""

from __future__ import annotations

from playwright.async_api import Page, expect

from server.db.engine import SessionFactory
from server.user.models import SystemRole
from tests.builders import create_user
from tests.e2e.conftest import SignIn, Team, check_page

TECHNICAL = ("not a valid id", "BAD_USER_INPUT", "FORBIDDEN", "NOT_FOUND", "lead professional can make")


async def assert_plain(page: Page) -> None:
    text = await page.locator("main").inner_text()
    assert not [word for word in TECHNICAL if word in text], text


async def test_a_practitioner_opening_the_information_governance_page_is_told_who_it_is_for(
    page: Page, sign_in: SignIn, team: Team
):
    await sign_in(team.lead)
    await page.goto("/#/information-governance")
    await expect(page.get_by_role("heading", level=1)).to_have_text("You cannot open this page")
    await expect(page.locator("main")).to_contain_text("Information governance is for information-governance officers")
    await expect(page).to_have_title("You cannot open this page \u2013 Team Around the Family")
    await assert_plain(page)
    await check_page(page, "cannot-open-information-governance")
    # the way back, by keyboard
    back = page.get_by_role("link", name="Go to My work")
    await back.focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("My work")


async def test_staff_opening_the_family_portal_are_told_it_is_for_family_members(
    page: Page, sign_in: SignIn, team: Team
):
    await sign_in(team.colleague)
    await page.goto("/#/portal")
    await expect(page.get_by_role("heading", level=1)).to_have_text("You cannot open this page")
    await expect(page.locator("main")).to_contain_text("The family portal is for family members")
    await assert_plain(page)
    await check_page(page, "cannot-open-portal")


async def test_an_ig_officer_opening_a_referral_is_told_who_it_is_for(
    page: Page, sign_in: SignIn, sessions: SessionFactory, team: Team
):
    officer = await create_user(sessions, agency=team.early_help, role=SystemRole.ig_officer)
    await sign_in(officer)
    await page.goto("/#/referrals/new")
    await expect(page.get_by_role("heading", level=1)).to_have_text("You cannot open this page")
    await expect(page.locator("main")).to_contain_text("Opening a referral is for practitioners and managers")
    await expect(page.get_by_role("link", name="Go to information governance")).to_be_visible()
    await check_page(page, "cannot-open-referral")


async def test_a_malformed_family_reference_is_a_page_not_found(page: Page, sign_in: SignIn, team: Team):
    await sign_in(team.lead)
    for reference in ("999999", "abc", f"{team.family.id}x"):
        await page.goto(f"/#/families/{reference}")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
        await expect(page.locator("main")).to_contain_text("There is no family with that reference.")
        await assert_plain(page)
    await check_page(page, "family-reference-not-found")
    await page.goto(f"/#/families/{team.family.id}/meetings/abc")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Meeting not found")
    await page.goto("/#/families/abc/meetings/abc")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")


async def test_the_header_offers_what_each_role_can_use(page: Page, sign_in: SignIn, team: Team):
    await sign_in(team.lead)
    navigation = page.get_by_role("navigation", name="Menu")
    await expect(navigation.get_by_role("link")).to_have_text(
        [
            "My work",
            "My caseload",
            "Open a referral",
            "Outcomes",
            "Panels",
            "Notifications, 0 unread",
            "Change password",
        ]
    )
