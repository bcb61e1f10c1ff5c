"""The information-governance officer's data-sharing agreements: listed with those due for review first,
recorded, changed and ended from the page, by keyboard, with problems explained and a stale change caught."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.async_api import Page, expect

from server.clock import utcnow
from server.db.engine import SessionFactory
from server.user.models import SystemRole
from tests.builders import create_agreement, create_user, issue_token
from tests.e2e.conftest import SignIn, Team, check_page
from tests.graphql_client import GraphQLClient

pytestmark = pytest.mark.long


def card(page: Page, title: str):
    return page.locator("#agreement-list [data-agreement]").filter(
        has=page.get_by_role("heading", name=title, exact=True)
    )


async def fill_date(form, legend: str, day) -> None:
    group = form.get_by_role("group", name=legend)
    await group.get_by_label("Day").fill(str(day.day))
    await group.get_by_label("Month").fill(str(day.month))
    await group.get_by_label("Year").fill(str(day.year))


async def test_an_ig_officer_records_changes_and_ends_agreements_by_keyboard(
    page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory, gql: GraphQLClient
):
    # given an IG officer, an agreement due for review (ending in 20 days) and one due for review in 31 days (not
    # yet due: the earliest review date of those that are not, in a database other tests share)
    officer = await create_user(sessions, agency=team.early_help, role=SystemRole.ig_officer)
    today = utcnow().date()
    due = await create_agreement(
        sessions,
        parties=[team.school, team.health],
        starts_on=today - timedelta(days=300),
        ends_on=today + timedelta(days=20),
    )
    not_due = await create_agreement(
        sessions,
        parties=[team.early_help, team.health],
        starts_on=today - timedelta(days=29),
        ends_on=today + timedelta(days=91),
    )
    await sign_in(officer)
    await page.goto("/#/information-governance")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Information governance")
    # then the agreement due for review (and ending soon) comes before the one that is not
    titles = page.locator("#agreement-list [data-agreement] h3")
    await expect(card(page, not_due.title)).to_have_count(1)
    order = await titles.all_text_contents()
    assert order.index(due.title) < order.index(not_due.title)
    due_card = card(page, due.title)
    await expect(due_card.locator(".govuk-tag")).to_have_text(["In force", "Due for review", "Ends soon"])
    await expect(due_card).to_contain_text(team.school.name)
    await expect(card(page, not_due.title).locator(".govuk-tag")).to_have_text(["In force"])
    await check_page(page, "information-governance-agreements")

    # when they open "Record an agreement" from the keyboard and send it empty
    section = page.locator("#agreements")
    await section.locator("#agreement-record summary").focus()
    await page.keyboard.press("Enter")
    form = section.locator("form.taf-agreement-record")
    title = form.get_by_label("Title")
    await title.focus()
    await page.keyboard.press("Enter")  # submits the form
    # then the problems are listed, the summary has the focus, and each links to its field
    summary = form.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    await expect(summary).to_contain_text("Enter the agreement's title")
    await expect(summary).to_contain_text("Choose the agency of party 1")
    await expect(summary).to_contain_text("Enter the IG contact's e-mail address for party 2")
    await expect(summary).to_contain_text("Choose the lawful basis")
    await check_page(page, "information-governance-agreement-errors")

    # and "Add another party" (by keyboard) moves the focus to the new party's agency; removing it returns it
    add = form.get_by_role("button", name="Add another party")
    await add.focus()
    await page.keyboard.press("Enter")
    await expect(form.get_by_role("group", name="Party 3").get_by_label("Agency")).to_be_focused()
    await form.get_by_role("button", name="Remove party 3").focus()
    await page.keyboard.press("Enter")
    await expect(form.get_by_role("group", name="Party 3")).to_have_count(0)
    await expect(add).to_be_focused()

    # when they fill it in, with the review date before the start
    await title.fill("School and early help attendance agreement")
    for number, agency, email in ((1, team.early_help, "ig@earlyhelp.example"), (2, team.school, "dpo@school.example")):
        party = form.get_by_role("group", name=f"Party {number}")
        await party.get_by_label("Agency").select_option(label=agency.name)
        await party.get_by_label("IG contact's name").fill(f"IG contact {number}")
        await party.get_by_label("IG contact's e-mail address").fill(email)
    await form.get_by_role("group", name="Which information").get_by_label("Education").check()
    await form.get_by_label("Purposes").fill("Attendance support for families who agree to it")
    await form.get_by_label("Public task").check()
    await fill_date(form, "Starts", today)
    await fill_date(form, "Review by", today - timedelta(days=1))
    await fill_date(form, "Ends", today + timedelta(days=365))
    await form.get_by_label("Where the signed agreement is kept").fill("ISA-ATT-01")
    await form.get_by_role("button", name="Record the agreement").click()
    await expect(summary).to_contain_text("The review date must be after the start date")
    # and put it right
    await fill_date(form, "Review by", today + timedelta(days=20))  # due for review: listed among the first
    await form.get_by_role("button", name="Record the agreement").click()
    # then it is recorded and listed, in force, with both parties and their contacts
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("The agreement has been recorded.")
    recorded = card(page, "School and early help attendance agreement")
    await expect(recorded).to_contain_text("dpo@school.example")
    await expect(recorded.locator(".govuk-tag")).to_have_text(["In force", "Due for review"])

    # when someone else changes it meanwhile, a change from this page is refused and offers a reload
    agreements = (await gql.data("DataSharingAgreements", token=await issue_token(sessions, officer)))[
        "dataSharingAgreements"
    ]
    current = next(a for a in agreements if a["title"] == "School and early help attendance agreement")
    elsewhere = {
        "agreementId": current["id"],
        "expectedVersion": current["version"],
        "agreement": {
            "title": current["title"],
            "parties": [
                {
                    "agencyId": p["agency"]["id"],
                    "igContactName": p["igContactName"],
                    "igContactEmail": p["igContactEmail"],
                }
                for p in current["parties"]
            ],
            "categories": ["education", "health"],
            "purposes": current["purposes"],
            "lawfulBasis": current["lawfulBasis"],
            "startsOn": current["startsOn"],
            "reviewOn": current["reviewOn"],
            "endsOn": current["endsOn"],
            "documentReference": current["documentReference"],
        },
    }
    await gql.data("DataSharingAgreementUpdate", {"input": elsewhere}, token=await issue_token(sessions, officer))
    await recorded.locator("summary", has_text="Change").click()
    change = recorded.locator("form.taf-agreement-change")
    await change.get_by_label("Title").fill("School attendance agreement")
    await change.get_by_role("button", name="Save the changes").click()
    await expect(change.locator(".govuk-error-summary")).to_contain_text("Someone else changed or ended this agreement")
    await change.get_by_role("button", name="Reload the agreements").click()
    # and after reloading, the change goes through
    recorded = card(page, "School and early help attendance agreement")
    await expect(recorded).to_contain_text("Education, Health")
    await recorded.locator("summary", has_text="Change").click()
    change = recorded.locator("form.taf-agreement-change")
    await change.get_by_label("Title").fill("School attendance agreement")
    await change.get_by_role("button", name="Save the changes").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("The agreement has been changed.")

    # when they end it, a reason is asked for, then it is ended and can no longer be changed
    recorded = card(page, "School attendance agreement")
    await recorded.locator("summary", has_text="End now").click()
    end = recorded.locator("form.taf-agreement-end")
    await end.get_by_role("button", name="End the agreement now").click()
    await expect(end.locator(".govuk-error-summary")).to_contain_text("Enter why the agreement ends")
    await end.get_by_label("Why it ends now").fill("Replaced by the area's agreement")
    await end.get_by_role("button", name="End the agreement now").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("The agreement has ended.")
    ended = await gql.data("DataSharingAgreement", {"id": current["id"]}, token=await issue_token(sessions, officer))
    assert ended["dataSharingAgreement"]["status"] == "ended"
    assert ended["dataSharingAgreement"]["endReason"] == "Replaced by the area's agreement"
    # and it is listed after those still to run (among the first 100 only where fewer run: other tests' share
    # this database), without the forms to change or end it
    recorded = card(page, "School attendance agreement")
    if await recorded.count():
        await expect(recorded.locator(".govuk-tag")).to_have_text(["Ended"])
        await expect(recorded.locator("summary")).to_have_count(0)
    await check_page(page, "information-governance-agreements-after")
