"""The chronology section of the family page: events on the day they happened, in plain words, words withheld
where the worker may not read them, filters from the keyboard, more pages, the CSV export, and a phone's width."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from playwright.async_api import Page, expect

from server.db.engine import SessionFactory, unit_of_work
from server.transition.models import FamilyTransition
from tests.builders import create_consent, create_contribution
from tests.builders_content import create_escalation_content
from tests.e2e.conftest import SignIn, Team, check_page, open_part
from tests.e2e.test_family import open_family


def written(day: date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


async def step_up(sessions: SessionFactory, team: Team, on: date) -> None:
    async with unit_of_work(sessions) as session:
        session.add(
            FamilyTransition(
                family_id=team.family.id,
                kind="step_up",
                effective_on=on,
                reason="Risk rose",
                receiving_team="Children's social care",
                recorded_by_user_id=team.lead.id,
            )
        )


async def test_the_chronology_filters_pages_exports_and_stacks_on_a_phone(
    page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory
):
    # given a step up effective 20 days ago, the school's health escalation (health not shared with the lead),
    # and 55 of the school's education items the family shared
    stepped_on = date.today() - timedelta(days=20)
    await step_up(sessions, team, stepped_on)
    await create_escalation_content(sessions, family=team.family, owner=team.colleague, category="health")
    await create_consent(sessions, family=team.family, recorded_by=team.lead, categories=["education"])
    for index in range(55):
        await create_contribution(
            sessions, family=team.family, author=team.colleague, category="education", title=f"School note {index}"
        )
    await sign_in(team.lead)
    await open_family(page, team)
    await open_part(page, "Chronology")

    # then the newest 50 events show, and the next page follows them
    section = page.locator("#chronology")
    await expect(page.locator("#chronology-count")).to_contain_text("Showing the newest 50.")
    await section.get_by_role("button", name="Show 50 more events").click()
    await expect(section.locator('tr[data-kind="contribution"]')).to_have_count(55)
    await expect(section.get_by_role("button", name="Show 50 more events")).to_be_hidden()
    # and the step up is on the day it took effect, labelled in words, and the escalation's words are withheld
    stepped = section.locator('tr[data-kind="step_up"]')
    await expect(stepped.locator("th")).to_have_text(written(stepped_on))
    await expect(stepped).to_contain_text("Stepped up")
    await expect(section.locator('tr[data-kind="escalation_raised"]')).to_contain_text("What was written is withheld")
    await check_page(page, "family-chronology")

    # when the lead filters by kind and dates from the keyboard
    await page.locator("#chronology-kind").focus()
    await page.locator("#chronology-kind").select_option(label="Stepped up")
    await page.locator("#chronology-from-day").focus()
    earlier = stepped_on - timedelta(days=1)
    for part in (str(earlier.day), str(earlier.month), str(earlier.year)):
        await page.keyboard.type(part)
        await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")  # the form is submitted from the keyboard
    # then only the step up matches
    await expect(page.locator("#chronology-count")).to_have_text("1 event match.")
    await expect(section.locator("tbody tr")).to_have_count(1)

    # and the export is the filtered chronology
    async with page.expect_download() as downloading:
        await section.get_by_role("button", name="Download as CSV").click()
    download = await downloading.value
    rows = list(csv.reader(io.StringIO((await download.path()).read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["Happened on", "Recorded at (UTC)", "Event"]
    assert [row[:3:2] for row in rows[1:]] == [[stepped_on.isoformat(), "Stepped up"]]
    await expect(page.locator("#chronology-export-ready")).to_contain_text("(1 event)")

    # and on a phone the columns stack: no sideways scrolling, each value under its column's name
    await page.set_viewport_size({"width": 375, "height": 800})
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways at 375px: {width}px wide"
    display = await stepped.locator("td").first.evaluate("cell => getComputedStyle(cell).display")
    assert display == "block"
    await check_page(page, "family-chronology-375")
