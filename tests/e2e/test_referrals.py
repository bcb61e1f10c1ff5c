"""Referrals on a family's page: the lead records one by keyboard (problems explained), records the
threshold decision as its named decision-maker and the date of first contact, and sees the waits; a
colleague of another agency sees the referral without its reason."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.async_api import Locator, Page, expect

from tests.auth_helpers import sign_in as api_sign_in
from tests.e2e.conftest import SignIn, Team, check_page, open_part
from tests.e2e.test_family import fact, open_family


async def fill_date(scope: Locator, legend: str, on: date) -> None:
    group = scope.get_by_role("group", name=legend)
    await group.get_by_label("Day").fill(str(on.day))
    await group.get_by_label("Month").fill(str(on.month))
    await group.get_by_label("Year").fill(str(on.year))


async def test_the_lead_records_and_decides_a_referral_by_keyboard(page: Page, sign_in: SignIn, team: Team):
    today = date.today()
    await sign_in(team.lead)
    await open_family(page, team)
    await open_part(page, "Referrals and closure")
    section = page.locator("#referrals")
    await expect(section.locator("#referrals-summary")).to_have_text("No referral has been recorded.")

    # when the lead opens "Record a referral" from the keyboard and sends it empty
    await section.locator("#record-referral").focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Record a referral")
    form = page.locator("#referral-record-form")
    await form.get_by_label("Referrer's name").focus()
    await page.keyboard.press("Enter")
    # then the problems are listed, the summary has the focus, and each links to its field
    summary = form.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    for problem in (
        "Enter the date the referral was received",
        "Enter the referrer's name",
        "Choose whether the family agreed to the referral",
        "Enter why the family was referred",
        "Choose what kind of information the reason and needs are",
    ):
        await expect(summary).to_contain_text(problem)
    await check_page(page, "referral-record-errors")

    # when they fill it in
    await fill_date(form, "Date the referral was received", today - timedelta(days=6))
    await form.get_by_label("Referrer's name").fill("Ms Okafor")
    await form.get_by_label("Agency or organisation").fill("Riverside Academy")
    await form.get_by_label("Role (optional)").fill("Designated safeguarding lead")
    await form.get_by_label("Consent given").check()
    await form.get_by_label("Who gave or refused consent").fill("Dana Carter (mother)")
    await form.get_by_label("Why the family was referred").fill("Jayden is missing school and angry at home.")
    await form.get_by_label("Presenting needs").fill("School attendance; conflict at home.")
    await form.get_by_label("What kind of information the reason and needs are").select_option(label="Education")
    await form.get_by_role("button", name="Record the referral").click()
    # then the referral is listed, waiting for a decision
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("Referral recorded.")
    card = page.locator("#referrals-list .govuk-summary-card")
    await expect(card).to_have_count(1)
    await expect(fact(card, "Referred by")).to_have_text("Ms Okafor, Designated safeguarding lead, Riverside Academy")
    await expect(fact(card, "Threshold decision")).to_have_text("Waiting for a threshold decision")
    await check_page(page, "referral-recorded")

    # when they record the decision as redirected, without saying where
    await card.locator("details", has_text="Record the threshold decision").locator("summary").click()
    decide = card.locator("form.taf-referral-decide")
    await decide.get_by_label("Redirected to another service").check()
    await decide.get_by_label("Level of need").select_option(label="Targeted")
    await fill_date(decide, "Date of the decision", today - timedelta(days=4))
    await decide.get_by_label("Why you made this decision").fill("Needs at school and at home: early help.")
    await decide.get_by_role("button", name="Record the decision").click()
    await expect(decide.locator(".govuk-error-summary")).to_contain_text("Enter where the family was redirected to")
    # and then accept it instead
    await decide.get_by_label("Accepted").check()
    await decide.get_by_role("button", name="Record the decision").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("Threshold decision recorded.")
    card = page.locator("#referrals-list .govuk-summary-card")
    await expect(fact(card, "Threshold decision")).to_contain_text("Accepted. Level of need: targeted.")
    await expect(fact(card, "Threshold decision")).to_contain_text(f"by {team.lead.display_name}")
    await expect(fact(card, "Time to decision")).to_have_text("2 days")

    # when they record first contact the day after the referral
    await card.locator("details", has_text="Record first contact").locator("summary").click()
    contact = card.locator("form.taf-referral-contact")
    await fill_date(contact, "Date of first contact with the family", today - timedelta(days=5))
    await contact.get_by_role("button", name="Record first contact").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("First contact recorded.")
    card = page.locator("#referrals-list .govuk-summary-card")
    await expect(fact(card, "Time to first contact")).to_contain_text("1 day")
    await expect(fact(card, "Time to assessment")).to_have_text("Not yet")
    await check_page(page, "referral-decided")


async def test_a_colleague_sees_the_referral_but_not_its_reason(page: Page, sign_in: SignIn, team: Team, gql):
    token = await api_sign_in(gql, team.lead)
    await gql.data(
        "ReferralRecord",
        {
            "input": {
                "familyId": str(team.family.id),
                "receivedOn": date.today().isoformat(),
                "referrer": {"name": "GP surgery", "organisation": "Riverside Medical Practice"},
                "consent": "not_sought",
                "reason": "Mother's mental health has declined sharply.",
                "presentingNeeds": "Parental mental health.",
                "category": "mental_health",
            }
        },
        token=token,
    )
    await sign_in(team.colleague)
    await open_family(page, team)
    await open_part(page, "Referrals and closure")
    card = page.locator("#referrals-list .govuk-summary-card")
    await expect(fact(card, "Consent to refer")).to_have_text("Consent not sought")
    await expect(fact(card, "Reason")).to_contain_text("which you may not see")
    await expect(card).not_to_contain_text("mental health has declined")
    await expect(page.locator("#record-referral")).to_have_count(0)
    await expect(card.locator("form")).to_have_count(0)
    await check_page(page, "referral-colleague")
