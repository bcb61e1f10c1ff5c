"""The audit log on the information-governance page: entries in words, filters, pages, the CSV export,
withholding an entry from the family by keyboard alone, and no raw ids in what a screen reader hears."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.async_api import Page, expect

from server.agency.models import Agency, AgencyKind
from server.audit import service as audit_service
from server.auth.service import actor_from
from server.db.engine import SessionFactory, unit_of_work
from server.retention.models import RetentionDecisionKind
from server.user.models import SystemRole
from tests.builders import (
    create_agreement,
    create_consent,
    create_contribution,
    create_override,
    create_user,
    issue_token,
    unique,
)
from tests.builders_retain import create_closed_family, decide
from tests.e2e.conftest import SignIn, Team, check_page, sticking_out_of
from tests.graphql_client import GraphQLClient

pytestmark = pytest.mark.long

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


async def test_an_ig_officer_filters_pages_and_exports_the_audit_log(
    page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory, gql: GraphQLClient
):
    # given a read of the school's education item by the lead, and 55 updates to the family
    officer = await create_user(sessions, agency=team.early_help, role=SystemRole.ig_officer)
    await create_contribution(sessions, family=team.family, author=team.colleague, category="education")
    await create_consent(sessions, family=team.family, recorded_by=team.lead, categories=["education"])
    await gql.data("FamilyContributions", {"familyId": str(team.family.id)}, await issue_token(sessions, team.lead))
    async with unit_of_work(sessions) as session:
        for _ in range(55):
            await audit_service.record(session, actor_from(team.lead), "familyUpdate", family_id=team.family.id)
    await sign_in(officer)
    await page.get_by_role("link", name="Information governance").click()
    audit = page.locator("#audit")
    await expect(audit.locator("#audit-table tbody tr").first).to_be_visible()
    await expect(audit.locator("#audit-table")).not_to_contain_text("contribution_read")

    # when filtering by the family and the kind of event
    await page.get_by_label("Family reference").fill(team.family.reference)
    await page.get_by_label("What happened").select_option(label="Changed a family's record")
    await page.get_by_role("button", name="Apply filters").click()
    # then 50 entries in words, with who and which family, and a way to older ones
    rows = page.locator("#audit-table tbody tr")
    await expect(rows).to_have_count(50)
    await expect(rows.first).to_contain_text("Changed a family's record")
    await expect(rows.first).to_contain_text(f"{team.lead.display_name}, {team.early_help.name}")
    await expect(rows.first).to_contain_text(f"{team.family.display_name} ({team.family.reference})")
    await check_page(page, "audit-log-filtered")
    await page.get_by_role("link", name="Older entries").click()
    await expect(page.locator("#audit-table tbody tr")).to_have_count(5)
    await expect(page.get_by_role("link", name="Older entries")).to_have_count(0)
    await expect(page.get_by_label("What happened")).to_have_value("familyUpdate")
    await page.get_by_role("link", name="Newest entries").click()
    await expect(page.locator("#audit-table tbody tr")).to_have_count(50)

    # and the export holds every matching entry, not just the page
    async with page.expect_download() as download_info:
        await page.get_by_role("button", name="Download these entries as a spreadsheet (CSV)").click()
    download = await download_info.value
    rows_in_file = list(csv.reader(io.StringIO((await download.path()).read_text())))
    assert len(rows_in_file) == 56 and {row[2] for row in rows_in_file[1:]} == {"Changed a family's record"}
    await expect(page.locator("#audit-export-status")).to_have_text("Downloaded 55 entries.")

    # and a reversed date range is explained at the form, not as a broken page
    await page.get_by_label("Entries from").fill("2026-06-02")
    await page.get_by_label("Entries to").fill("2026-06-01")
    await page.get_by_role("button", name="Apply filters").click()
    await expect(page.locator("#audit .govuk-error-summary")).to_contain_text("start date must be on or before")
    await check_page(page, "audit-log-refused-filter")


async def test_withholding_an_entry_by_keyboard_names_whose_entry_not_its_id(
    page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory, gql: GraphQLClient
):
    # given the lead read the school's item
    officer = await create_user(sessions, agency=team.early_help, role=SystemRole.ig_officer)
    await create_contribution(sessions, family=team.family, author=team.colleague, category="education")
    await create_consent(sessions, family=team.family, recorded_by=team.lead, categories=["education"])
    await gql.data("FamilyContributions", {"familyId": str(team.family.id)}, await issue_token(sessions, team.lead))
    await create_override(
        sessions, family=team.family, decided_by=team.colleague, categories=["health"], recipients=[team.early_help]
    )
    await sign_in(officer)
    await page.goto(f"/#/information-governance?familyReference={team.family.reference}&kind=contribution_read")
    row = page.locator("#audit-table tbody tr").first
    await expect(row).to_contain_text(f"{team.school.name}: Education")
    # then the control is named for whose entry it is, and no id is read out
    summary = row.locator("summary")
    when = await row.locator("th").inner_text()
    await expect(summary).to_have_text(f"Withhold entry for {team.lead.display_name}, {when} from the family")
    names = await page.evaluate(
        "() => [...document.querySelectorAll('main summary, main button')].map(e => e.textContent)"
    )
    assert any(text.startswith("Review") and team.school.name in text for text in names)
    assert not any(re.search(UUID, text) for text in names)
    # when the officer withholds it with the keyboard alone
    await summary.focus()
    await page.keyboard.press("Enter")
    await page.keyboard.press("Tab")
    await expect(row.get_by_label("Why showing it could put someone at risk")).to_be_focused()
    await page.keyboard.type("Naming this worker could put them at risk")
    await page.keyboard.press("Tab")
    await expect(row.get_by_role("button", name=f"Withhold entry for {team.lead.display_name}")).to_be_focused()
    await page.keyboard.press("Enter")
    # then
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("The entry is withheld from the family.")
    await page.goto(f"/#/information-governance?familyReference={team.family.reference}&kind=contribution_read")
    await expect(page.locator("#audit-table tbody tr").first).to_contain_text("Withheld from the family")
    await check_page(page, "audit-log-withheld")
    # and at 375 CSS pixels (a phone) the page never scrolls sideways: the log scrolls in its region
    await page.set_viewport_size({"width": 375, "height": 800})
    await expect(page.locator("#audit-filters")).to_be_visible()
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the IG page scrolls sideways at 375px: {width}px wide"
    await check_page(page, "audit-log-375")


async def test_at_375px_the_ig_page_never_scrolls_sideways_whatever_it_lists(
    page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory
):
    # given the page's every section has something in it: records due for review and under a legal hold
    # (tables whose last column lies past a phone's edge), and an agency whose name is one long word in an
    # agreement, an override's card and the audit log
    officer = await create_user(sessions, agency=team.early_help, role=SystemRole.ig_officer)
    await create_closed_family(sessions, lead=team.lead)
    held = await create_closed_family(sessions, lead=team.lead)
    await decide(sessions, family=held, by=officer, kind=RetentionDecisionKind.legal_hold)
    async with unit_of_work(sessions) as session:
        long_named = Agency(name=unique("Riverside" + "Academy" * 12), kind=AgencyKind.education)
        session.add(long_named)
    worker = await create_user(sessions, agency=long_named, name=unique("Worker" * 10))
    await create_agreement(sessions, parties=[team.early_help, long_named])
    await create_override(
        sessions, family=team.family, decided_by=worker, categories=["health"], recipients=[long_named]
    )
    await sign_in(officer)
    # when the officer opens the page on a phone
    await page.set_viewport_size({"width": 375, "height": 800})
    await page.goto("/#/information-governance")
    await expect(page.locator("#retention table tbody tr").first).to_be_visible()
    await expect(page.locator("#legal-holds table tbody tr").first).to_be_visible()
    await expect(page.locator("#override-queue")).to_contain_text(long_named.name)
    # then nothing ends past the screen's edge outside a scrolling region, and the page never scrolls sideways
    sticking_out = await sticking_out_of(page)
    assert sticking_out == [], "\n".join(sticking_out)
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the IG page scrolls sideways at 375px: {width}px wide"
    await check_page(page, "information-governance-375")


async def test_sharing_without_consent_comes_a_page_at_a_time(
    page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory
):
    # given more overrides than a page holds, the newest about this team's family
    officer = await create_user(sessions, agency=team.early_help, role=SystemRole.ig_officer)
    for _ in range(21):
        await create_override(
            sessions, family=team.family, decided_by=team.colleague, categories=["health"], recipients=[team.early_help]
        )
    await sign_in(officer)
    await page.goto("/#/information-governance")
    cards = page.locator("#override-queue [data-override]")
    await expect(cards).to_have_count(20)
    first_page = await cards.evaluate_all("cards => cards.map(card => card.dataset.override)")
    # when the officer goes to earlier uses, by keyboard
    await page.get_by_role("link", name="Earlier uses of sharing without consent").focus()
    await page.keyboard.press("Enter")
    # then none of the first page comes again
    await expect(page.get_by_role("link", name="Most recent uses")).to_be_visible()
    later = await cards.evaluate_all("cards => cards.map(card => card.dataset.override)")
    assert later and not set(later) & set(first_page)
    await check_page(page, "override-queue-page-two")
