"""Opening a referral: the family, its people (one the referral is about) and the lead's contacts."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.e2e.conftest import SignIn, Team, check_page, open_part


async def test_open_a_referral_with_two_people(page: Page, sign_in: SignIn, team: Team):
    await sign_in(team.lead)
    await page.get_by_role("link", name="Open a referral").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Open a referral")
    await check_page(page, "referral")

    await page.get_by_label("Family name").fill("The Rivers family")
    await page.get_by_label("Targeted").check()
    # a case recorded late: opened on the day it really began
    await page.locator("#referral-opened-day").fill("2")
    await page.locator("#referral-opened-month").fill("3")
    await page.locator("#referral-opened-year").fill("2026")
    await page.locator("#person-1-name").fill("Jade Rivers")
    await page.locator("#person-1-relationship").fill("mother")
    await page.get_by_role("button", name="Add another person").click()
    await expect(page.locator("#person-2-name")).to_be_focused()
    await page.locator("#person-2-name").fill("Leo Rivers")
    await page.locator("#person-2-relationship").fill("son")
    await page.locator("#person-2-dob-day").fill("3")
    await page.locator("#person-2-dob-month").fill("9")
    await page.locator("#person-2-dob-year").fill("2013")
    await page.get_by_role("button", name="Open referral").click()

    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_contain_text("Tick at least one child the referral is about")
    await expect(summary).to_contain_text("Enter your role on the plan")
    await check_page(page, "referral-errors")
    await page.locator("#person-2-subject").check()
    await page.get_by_label("Your role on the plan").fill("Lead professional: coordinates the plan")
    await page.get_by_label("How to reach you in office hours").fill("07700 900101")
    await page.get_by_role("button", name="Open referral").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("The Rivers family")
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("Referral opened as TAF-")
    await expect(page.locator("#family-status")).to_have_text("Referral")
    await expect(page.locator("main")).to_contain_text("2 March 2026")
    await open_part(page, "Team and contacts")
    await expect(page.locator("#members-table tbody tr").filter(has_text="Leo Rivers")).to_contain_text("Subject child")
    await expect(page.locator("#team-list")).to_contain_text(team.lead.display_name)
