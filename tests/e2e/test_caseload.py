"""The caseload: a table of one's families, filtered and paged, with the state in the address."""

from __future__ import annotations

from datetime import timedelta

from playwright.async_api import Page, expect

from server.clock import utcnow
from server.db.engine import SessionFactory, unit_of_work
from server.family.models import FamilyStatus, LevelOfNeed
from server.meeting.models import Meeting, MeetingKind, MeetingStatus
from tests.builders import create_agency, create_family, create_user, unique
from tests.e2e.conftest import SignIn, check_page


async def test_caseload_lists_filters_and_pages_the_families(page: Page, sign_in: SignIn, sessions: SessionFactory):
    agency = await create_agency(sessions)
    lead = await create_user(sessions, agency=agency, name=unique("Chris Bell"))
    for _ in range(21):
        await create_family(sessions, lead=lead)
    stepped_up = await create_family(
        sessions, lead=lead, status=FamilyStatus.stepped_up, level_of_need=LevelOfNeed.specialist
    )

    await sign_in(lead)
    rows = page.locator("#caseload-table tbody tr")
    await expect(page.locator("#caseload-count")).to_have_text("22 families")
    await expect(rows).to_have_count(20)
    await expect(page.locator("#caseload-table th")).to_have_text(
        ["Reference", "Family", "Status", "Level of need", "Needs attention", "Next review", "Lead professional"]
    )
    await expect(rows.first).to_contain_text(lead.display_name)
    await check_page(page, "caseload")

    await page.get_by_role("link", name="Next page").click()
    await expect(page.get_by_text("Page 2")).to_be_visible()
    await expect(rows).to_have_count(2)
    await page.get_by_role("link", name="Previous page").click()
    await expect(page.get_by_text("Page 1")).to_be_visible()
    await expect(rows).to_have_count(20)

    await page.get_by_label("Status").select_option(label="Stepped up")
    await page.get_by_role("button", name="Apply filters").click()
    await expect(page.locator("#caseload-count")).to_have_text("1 family with status Stepped up")
    assert "status=stepped_up" in page.url
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text(stepped_up.reference)
    await expect(rows.first).to_contain_text("Stepped up")
    await expect(rows.first).to_contain_text("Specialist")

    await page.reload()  # the filter lives in the address, so a reload (or a shared link) keeps it
    await expect(rows).to_have_count(1)
    await expect(page.get_by_label("Status")).to_have_value("stepped_up")
    await page.get_by_label("Level of need").select_option(label="Universal")
    await page.get_by_role("button", name="Apply filters").click()
    await expect(page.get_by_text("No families on your caseload match these filters.")).to_be_visible()
    await page.get_by_role("link", name="Clear filters").click()
    await expect(page.locator("#caseload-count")).to_have_text("22 families")

    # At 320 CSS pixels (WCAG 2.2 reflow) the page does not scroll sideways; the table scrolls in its region.
    await page.set_viewport_size({"width": 320, "height": 800})
    assert await page.evaluate("document.body.scrollWidth") <= 320
    await check_page(page, "caseload-narrow")


async def test_the_caseload_shows_the_next_review_and_reads_at_phone_width(
    page: Page, sign_in: SignIn, sessions: SessionFactory
):
    agency = await create_agency(sessions)
    lead = await create_user(sessions, agency=agency, name=unique("Chris Bell"))
    unbooked = await create_family(sessions, lead=lead)
    booked = await create_family(sessions, lead=lead)
    async with unit_of_work(sessions) as session:
        session.add(
            Meeting(
                family_id=booked.id,
                kind=MeetingKind.review,
                status=MeetingStatus.scheduled,
                scheduled_at=utcnow() + timedelta(weeks=4),
                location="Hub",
                chair_user_id=lead.id,
            )
        )

    await sign_in(lead)
    await page.set_viewport_size({"width": 375, "height": 800})
    await page.reload()
    rows = page.locator("#caseload-table tbody tr")
    await expect(rows.filter(has_text=unbooked.reference)).to_contain_text("Not booked")
    await expect(rows.filter(has_text=booked.reference)).to_contain_text(
        format_date(utcnow().date() + timedelta(weeks=4))
    )
    # At 375 CSS pixels (a phone) the page itself never scrolls sideways: the table scrolls in its region.
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the caseload scrolls sideways at 375px: {width}px wide"
    await check_page(page, "caseload-375")


def format_date(day) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"
