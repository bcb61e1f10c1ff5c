"""Urgent escalations are hard to miss and possible to act on: a banner on every page while one waits for
the lead's acknowledgement (from the moment they sign in), naming the family and who raised it; red on the
caseload; the worker warned before raising one whose reason the lead may not read, and the lead shown how
to reach them; acknowledging clears the banner and marks its notifications read."""

from __future__ import annotations

from playwright.async_api import Page, expect

from server.db.engine import SessionFactory
from tests.builders_content import notify
from tests.builders_notify import create_escalation, raised
from tests.e2e.conftest import SignIn, Team, check_page


async def test_the_lead_sees_a_banner_on_every_page_from_sign_in_until_they_acknowledge(
    page: Page, sign_in: SignIn, sessions: SessionFactory, team: Team
):
    escalation = await create_escalation(
        sessions, family=team.family, raised_by=team.colleague, reason="Bruising seen at school", category="education"
    )
    await notify(sessions, raised(escalation), [team.lead])
    await sign_in(team.lead)

    banner = page.get_by_role("alert").filter(has_text="Urgent")
    await expect(banner).to_contain_text(
        f"An urgent escalation about {team.family.display_name} ({team.family.reference}) was raised by"
        f" {team.colleague.display_name} ({team.school.name})"
    )
    await expect(banner).to_contain_text("Acknowledge it by")
    row = page.locator("#caseload-table tbody tr").filter(has_text=team.family.reference)
    urgent_tag = row.locator(".govuk-tag--red", has_text="1 urgent escalation")
    await expect(urgent_tag).to_be_visible()
    await expect(page.locator("#unread-number")).to_have_text("1")
    await check_page(page, "urgent-escalation-banner-caseload")

    await page.get_by_role("link", name="My work").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    await expect(banner).to_have_count(1)  # on every page, once

    await banner.get_by_role("link", name="Open the family's page").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(team.family.display_name)
    card = page.locator(f'[data-escalation="{escalation.id}"].govuk-summary-card')
    # the lead may not read the school's education information, so the card says how to reach the worker
    await expect(card).to_contain_text("Contact the person who raised it")
    await expect(card).to_contain_text("01632 960000")
    await expect(card).not_to_contain_text("Bruising seen at school")
    await check_page(page, "escalation-card-contact")

    await card.get_by_role("button", name="Acknowledge").click()
    await expect(page.get_by_text("Escalation acknowledged.")).to_be_visible()
    await expect(banner).to_have_count(0)
    await expect(page.locator("#unread-number")).to_have_text("0")  # its notification was marked read
    await page.reload()
    await expect(page.get_by_role("heading", level=1)).to_have_text(team.family.display_name)
    await expect(banner).to_have_count(0)


async def test_a_worker_is_warned_when_the_lead_may_not_read_the_reason(
    page: Page, sign_in: SignIn, sessions: SessionFactory, team: Team
):
    await sign_in(team.colleague)
    await page.goto(f"/#/families/{team.family.id}")
    await expect(page.get_by_role("heading", level=1)).to_have_text(team.family.display_name)
    await page.get_by_role("link", name="Raise an escalation").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Raise an escalation")
    warning = page.locator("#escalation-lead-warning")
    await expect(warning).to_be_hidden()
    category = page.get_by_label("What kind of information is the reason")
    # by keyboard: choose the category, and the warning follows the choice
    await category.focus()
    await category.select_option("education")
    await expect(warning).to_be_visible()
    await expect(warning).to_contain_text(f"{team.lead.display_name} cannot read this kind of information")
    await expect(warning).to_contain_text("01632 960000")
    await check_page(page, "escalation-raise-warning")
    await page.get_by_label("Urgent").check()
    await page.get_by_label("What has happened and why you are worried").fill("He said he is scared to go home")
    await page.get_by_role("button", name="Raise the escalation").click()
    await expect(page.get_by_text("Escalation raised.")).to_be_visible()
