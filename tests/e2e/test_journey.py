"""After the referral: the lead records the family's legal status and cohort, and, once the record has
closed, is shown the follow-up checks that are due and records one by keyboard, problems explained; the
team sees each person's household and needs (young carer, language, interpreter)."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.async_api import Page, expect

from server.db.engine import SessionFactory
from tests.auth_helpers import sign_in as api_sign_in
from tests.builders_journey import close_through_the_api, open_since
from tests.e2e.conftest import SignIn, Team, check_page, open_part
from tests.e2e.test_family import fact, open_family
from tests.e2e.test_referrals import fill_date
from tests.graphql_client import GraphQLClient

BANNER = ".govuk-notification-banner"


async def test_the_lead_records_legal_status_and_the_edge_of_care_cohort(page: Page, sign_in: SignIn, team: Team):
    today = date.today()
    await sign_in(team.lead)
    await open_family(page, team)
    await open_part(page, "Assessments")
    section = page.locator("section#legal-status")
    await expect(section.locator("#legal-status-summary")).to_have_text("No legal status has been recorded.")
    # when the lead sends the form empty, from the keyboard
    await section.locator("#change-legal-status").focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Record a change of legal status or cohort")
    form = page.locator("#legal-status-form")
    await form.get_by_role("button", name="Record the change").focus()
    await page.keyboard.press("Enter")
    summary = form.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    await expect(summary).to_contain_text("Choose the legal status")
    await expect(summary).to_contain_text("Enter the date it applies from")
    await check_page(page, "legal-status-errors")
    # when they record child in need, in the edge-of-care cohort, from today
    await form.get_by_label("Child in need").check()
    await form.get_by_label("The young person is at risk of entering care (edge of care)").check()
    await fill_date(form, "Date it applies from", today)
    await form.get_by_role("button", name="Record the change").click()
    # then the family's page shows it
    await expect(page.locator(BANNER)).to_contain_text("Legal status recorded.")
    await expect(page.locator("#legal-status-now")).to_have_text("Child in need")
    await expect(page.locator("#cohort-now")).to_have_text("Edge of care")
    # and a second change keeps the first in the history
    form = page.locator("#legal-status-form")
    await page.locator("#change-legal-status").click()
    await form.get_by_label("Child protection plan").check()
    await fill_date(form, "Date it applies from", today)
    await form.get_by_role("button", name="Record the change").click()
    await expect(page.locator("#legal-status-now")).to_have_text("Child protection plan")
    await expect(page.locator("#legal-status-history tbody tr")).to_have_count(2)
    await check_page(page, "legal-status")
    # and recording the same status again is explained
    form = page.locator("#legal-status-form")
    await page.locator("#change-legal-status").click()
    await fill_date(form, "Date it applies from", today - timedelta(days=0))
    await form.get_by_role("button", name="Record the change").click()
    await expect(form.locator(".govuk-error-summary")).to_contain_text("status already")


async def test_the_lead_is_shown_a_follow_up_due_and_records_it(
    page: Page, sign_in: SignIn, team: Team, gql: GraphQLClient, sessions: SessionFactory
):
    # given the family's record closed 100 days ago: its 3-month check is due
    today = date.today()
    await open_since(sessions, team.family, 200)
    closed_on = today - timedelta(days=100)
    await close_through_the_api(gql, team.family, await api_sign_in(gql, team.lead), on=closed_on)
    await sign_in(team.lead)
    # then the caseload says so, and links to the family
    due = page.locator("#follow-ups-due")
    await expect(due).to_contain_text("Follow-up checks due: 1")
    await expect(due).to_contain_text("the 3-month check")
    await check_page(page, "caseload-follow-ups-due")
    await due.get_by_role("link", name=f"{team.family.display_name} ({team.family.reference})").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(team.family.display_name)
    rows = page.locator("#follow-ups-table tbody tr")
    await expect(rows).to_have_count(3)
    await expect(rows.first).to_contain_text("Due")
    # when the lead opens the 3-month check by keyboard and sends it empty
    section = page.locator("#follow-ups")
    await section.locator("summary", has_text="Record the 3-month check").focus()
    await page.keyboard.press("Enter")
    form = section.locator("form.taf-follow-up").first
    await form.get_by_role("button", name="Record the check").focus()
    await page.keyboard.press("Enter")
    summary = form.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    await expect(summary).to_contain_text("Enter the date of the check")
    await expect(summary).to_contain_text("Choose whether the young person is still living at home")
    await check_page(page, "follow-up-errors")
    # when the check is dated on the day of closure, the server explains that it must come after
    await fill_date(form, "Date of the check", closed_on)
    await form.get_by_role("group", name="Is the young person still living at home?").get_by_label("Yes").check()
    await form.get_by_role("group", name="Has the family been referred again?").get_by_label("No").check()
    await form.get_by_label("Note (optional)").fill("Kwame is at home and at school every day.")
    await form.get_by_role("button", name="Record the check").click()
    await expect(summary).to_contain_text("comes after the case was closed")
    # and dated today, it is recorded
    await fill_date(form, "Date of the check", today)
    await form.get_by_role("button", name="Record the check").click()
    await expect(page.locator(BANNER)).to_contain_text("The 3-month check is recorded.")
    first = page.locator("#follow-ups-table tbody tr").first
    await expect(first).to_contain_text("Recorded")
    await expect(first).to_contain_text("Kwame is at home")
    await check_page(page, "follow-up-recorded")


async def test_a_colleague_sees_the_status_and_checks_without_the_forms(
    page: Page, sign_in: SignIn, team: Team, gql: GraphQLClient
):
    token = await api_sign_in(gql, team.lead)
    change = {
        "familyId": str(team.family.id),
        "expectedVersion": 1,
        "legalStatus": "child_in_need",
        "edgeOfCare": True,
        "effectiveFrom": date.today().isoformat(),
    }
    await gql.data("FamilyLegalStatusSet", {"input": change}, token=token)
    child = (await gql.data("Family", {"id": str(team.family.id)}, token=token))["family"]["members"][0]["id"]
    needs = {"memberId": child, "expectedVersion": 2, "livesInHousehold": True, "isYoungCarer": True}
    needs |= {"firstLanguage": "Polish", "interpreterNeeded": True, "hasDisability": False}
    await gql.data("FamilyMemberDetailsSet", {"input": needs}, token=token)
    await sign_in(team.colleague)
    await open_family(page, team)
    await open_part(page, "Assessments")
    summary = page.locator("#legal-status-summary")
    await expect(fact(summary, "Legal status")).to_have_text("Child in need")
    await expect(page.locator("#legal-status-form")).to_have_count(0)
    await check_page(page, "legal-status-colleague")
    await open_part(page, "Team and contacts")
    row = page.locator("#members-table tbody tr").first
    await expect(row).to_contain_text("Young carer")
    await expect(row).to_contain_text("First language: Polish, needs an interpreter")
    await open_part(page, "Referrals and closure")
    await expect(page.locator("#follow-ups-summary")).to_contain_text("arranged when the family's record is closed")
