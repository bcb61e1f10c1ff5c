"""The import page: an IG officer checks a file of historic cases, reads its problems by family and field
in an error summary and a table, then imports a corrected file, by keyboard; axe-clean throughout."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from playwright.async_api import Page, Route, expect

from server.config import Settings
from server.db.engine import SessionFactory
from server.user.models import SystemRole
from tests.builders import create_user
from tests.caseimport.test_import import LEAD_EMAIL, SCHOOL_EMAIL, example_for
from tests.e2e.conftest import SignIn, Team, check_page
from tests.e2e.test_retention import tab_to


def upload(document: dict) -> dict:
    return {"name": "cases.json", "mimeType": "application/json", "buffer": json.dumps(document).encode()}


async def test_an_ig_officer_checks_a_file_reads_its_problems_and_imports_it_by_keyboard(
    page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory
):
    # given an IG officer on the import page, and the documented example with the area's staff in it
    officer = await create_user(sessions, agency=team.early_help, role=SystemRole.ig_officer)
    await sign_in(officer)
    await page.get_by_role("link", name="Import cases").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Import historic cases")
    await check_page(page, "import-page")
    document = example_for(type("Area", (), {"lead": team.lead, "colleague": team.colleague})())
    assert LEAD_EMAIL not in json.dumps(document) and SCHOOL_EMAIL not in json.dumps(document)
    good = json.loads(json.dumps(document))
    document["families"][1]["assessments"][0]["assessedOn"] = "2999-01-01"

    # when they check it with nothing chosen, then the summary says to choose a file
    check = page.get_by_role("button", name="Check the file")
    await tab_to(page, check)
    await page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    await expect(summary).to_contain_text("Select a file to import")

    # when they choose a file with a problem and check it by keyboard
    await page.locator("#import-file").set_input_files(upload(document))
    await tab_to(page, check)
    await page.keyboard.press("Enter")
    # then the error summary says so, and the table names the family's row and the field
    await expect(summary).to_be_focused()
    await expect(summary).to_contain_text("The file has 1 problem. Nothing has been imported.")
    row = page.locator("#import-problems tbody tr")
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text("2")
    await expect(row).to_contain_text("assessments[1].assessedOn")
    await expect(row).to_contain_text("An assessment cannot be dated in the future.")
    await check_page(page, "import-problems")
    async with sessions() as session:
        before = (await session.exec(sa.text("SELECT count(*) FROM family"))).one()[0]

    # when they choose the corrected file, check it, then import it, by keyboard
    await page.locator("#import-file").set_input_files(upload(good))
    await tab_to(page, check)
    await page.keyboard.press("Enter")
    await expect(page.locator("#import-checked")).to_be_focused()
    await expect(page.locator(".govuk-error-summary")).to_have_count(0)
    await expect(page.locator("#import-counts")).to_contain_text("3, with 5 risk ratings")
    start = page.get_by_role("button", name="Import 2 families")
    await tab_to(page, start)
    await page.keyboard.press("Enter")
    # then the families are imported, and each one's new reference is listed by its old one
    await expect(page.locator("#import-done")).to_be_focused()
    await expect(page.locator("#import-done")).to_contain_text("2 families")
    references = page.locator("#import-references tbody tr")
    await expect(references).to_have_count(2)
    await expect(references.first).to_contain_text(good["families"][0]["sourceReference"])
    await expect(references.first).to_contain_text("TAF-")
    await check_page(page, "import-done")
    async with sessions() as session:
        assert (await session.exec(sa.text("SELECT count(*) FROM family"))).one()[0] == before + 2


def oversized(size: int) -> dict:
    """A file of `size` bytes, mostly quotes and line breaks, which escaping in a request doubles."""
    head = b'{"format": "taf-import/1", "families": [], "note": "'
    body = head + b'\\"\\n' * size
    return {"name": "cases.json", "mimeType": "application/json", "buffer": body[: size - 2] + b'"}'}


async def import_page(page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory) -> None:
    officer = await create_user(sessions, agency=team.early_help, role=SystemRole.ig_officer)
    await sign_in(officer)
    await page.get_by_role("link", name="Import cases").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Import historic cases")


async def test_a_file_over_the_import_limit_is_refused_with_the_limit_and_to_split_it_without_sending_it(
    page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory, settings: Settings
):
    # given an IG officer on the import page, and every request the page sends noted
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.post_data or "") if r.url.endswith("/graphql") else None)
    await import_page(page, sign_in, team, sessions)
    limit = settings.import_max_bytes

    # when they choose a file one byte over the import limit and check it
    await page.locator("#import-file").set_input_files(oversized(limit + 1))
    await page.get_by_role("button", name="Check the file").click()

    # then the error summary gives the file's size and the limit and says to split it, at the file field
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    await expect(summary).to_contain_text(
        f"The file is {limit + 1:,} bytes; the most an import takes is {limit:,} bytes."
        " Split it into several files and import each."
    )
    await expect(summary.get_by_role("link")).to_have_attribute("href", "#import-file")
    await expect(page.locator("#import-file-error")).to_contain_text("Split it into several files")
    await check_page(page, "import-too-large")
    # and the file was never sent: the page asked for the limits only
    assert [body for body in sent if "CaseImportLimits" in body]
    assert not [body for body in sent if 'CaseImport"' in body or "dryRun" in body]


@pytest.mark.console_allows("status of 413 (Payload Too Large)")
async def test_a_request_refused_as_too_large_on_the_import_page_says_to_split_the_file(
    page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory, settings: Settings
):
    # given an IG officer on the import page behind a proxy that refuses the import's request as too large
    # (an HTML 413, as nginx answers)
    await import_page(page, sign_in, team, sessions)

    async def proxy(route: Route) -> None:
        if "dryRun" in (route.request.post_data or ""):
            await route.fulfill(status=413, content_type="text/html", body="<html>413 Request Entity Too Large</html>")
        else:
            await route.continue_()

    await page.route("**/graphql", proxy)

    # when they check a file within the limit
    document = example_for(type("Area", (), {"lead": team.lead, "colleague": team.colleague})())
    await page.locator("#import-file").set_input_files(upload(document))
    await page.get_by_role("button", name="Check the file").click()

    # then the summary speaks of the file and the import's limit, not of shortening what was typed
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    await expect(summary).to_contain_text(
        f"The file is too large to send: the most an import takes is {settings.import_max_bytes:,} bytes."
        " Split it into several files and import each."
    )
    await expect(summary).not_to_contain_text("Shorten it")
