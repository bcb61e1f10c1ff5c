"""Assessments and reviews in the browser for a worker who may not read them: the lead's mental health
narrative and rating, and the review's summary, are withheld by the API, and the pages say whose
information it is, and its category, in GOV.UK inset text, without any of its words."""

from __future__ import annotations

from datetime import date

from playwright.async_api import Page, expect

from server.db.engine import SessionFactory
from tests.auth_helpers import sign_in as api_sign_in
from tests.e2e.conftest import SignIn, Team, check_page, open_part
from tests.e2e.test_plan_and_meetings import open_family, started_meeting
from tests.graphql_client import GraphQLClient

WORDS = "Mum described low mood since the baby was born"


async def test_a_worker_sees_that_the_leads_mental_health_content_is_withheld(
    page: Page, sign_in: SignIn, team: Team, gql: GraphQLClient, sessions: SessionFactory
):
    # given the lead's assessment and review in mental health, which nobody agreed to share
    lead = await api_sign_in(gql, team.lead)
    family = (await gql.data("Family", {"id": str(team.family.id)}, lead))["family"]
    child = family["members"][0]["id"]
    assessment = {"familyId": str(team.family.id), "stage": "entry", "assessedOn": date.today().isoformat()}
    assessment |= {"levelOfNeed": "targeted", "category": "mental_health", "strengths": WORDS, "needs": WORDS}
    assessment["ratings"] = [{"factor": "emotional_mental_health", "rating": "high", "memberId": child}]
    await gql.data("AssessmentRecord", {"input": assessment}, lead)
    meeting = await started_meeting(gql, sessions, team, child)
    review = {"familyId": str(team.family.id), "reviewedOn": date.today().isoformat(), "meetingId": meeting["id"]}
    review |= {"category": "mental_health", "summary": WORDS, "scores": [{"domain": "safety", "score": 5}]}
    await gql.data("ReviewRecord", {"input": review}, lead)

    # when the school's worker opens the family
    await sign_in(team.colleague)
    await open_family(page, team)
    await open_part(page, "Assessments")
    # then the assessment is listed, its words and rating are not, and the page says why
    card = page.locator("#assessments-list .govuk-summary-card").first
    await expect(card).to_contain_text("Entry assessment")
    await expect(card.locator(".govuk-inset-text")).to_have_text(
        f"Withheld: you may not read {team.early_help.name}'s mental health information."
    )
    await expect(card).not_to_contain_text(WORDS)
    await expect(card.locator("table")).to_have_count(0)
    await check_page(page, "family-assessment-withheld")

    # and on the meeting view the review's scores show, and its summary is withheld
    await page.goto(f"/#/families/{team.family.id}/meetings/{meeting['id']}")
    recorded = page.locator("[data-review]")
    await expect(recorded).to_contain_text("Safety 5 out of 10")
    await expect(recorded).to_contain_text(f"Withheld: you may not read {team.early_help.name}'s mental health")
    await expect(recorded).not_to_contain_text(WORDS)
    await check_page(page, "meeting-review-withheld")

    # when the lead opens the family, then their own agency's words are there
    await sign_in(team.lead)
    await open_family(page, team)
    await open_part(page, "Assessments")
    card = page.locator("#assessments-list .govuk-summary-card").first
    await expect(card).to_contain_text(WORDS)
    await expect(card.locator("table")).to_contain_text("Emotional mental health")


async def test_a_corrected_assessment_shows_why_and_its_earlier_version_by_keyboard(
    page: Page, sign_in: SignIn, team: Team, gql: GraphQLClient
):
    # given the lead's entry assessment, corrected from high to low debt with a reason
    lead = await api_sign_in(gql, team.lead)
    first = {"familyId": str(team.family.id), "stage": "entry", "assessedOn": date.today().isoformat()}
    first |= {"levelOfNeed": "targeted", "ratings": [{"factor": "family_debt", "rating": "high"}]}
    recorded = (await gql.data("AssessmentRecord", {"input": first}, lead))["assessmentRecord"]
    fixed = {key: value for key, value in first.items() if key != "familyId"}
    fixed |= {"ratings": [{"factor": "family_debt", "rating": "low"}], "assessmentId": recorded["id"]}
    fixed["reason"] = "Debt was rated from another family's figures"
    await gql.data("AssessmentCorrect", {"input": fixed}, lead)

    # when the lead opens the family
    await sign_in(team.lead)
    await open_family(page, team)
    await open_part(page, "Assessments")
    # then one card shows the corrected version, saying why
    card = page.locator("#assessments-list > .govuk-summary-card")
    await expect(card).to_have_count(1)
    await expect(card).to_contain_text("Debt was rated from another family's figures")
    await expect(card.locator("table").first).to_contain_text("Low")
    # and its earlier version opens from the keyboard, showing what it said
    summary = card.locator("[data-history] summary")
    await summary.focus()
    await page.keyboard.press("Enter")
    earlier = card.locator(f"[data-history] [data-assessment='{recorded['id']}']")
    await expect(earlier).to_contain_text("version 1, since corrected")
    await expect(earlier.locator("table")).to_contain_text("High")
    await check_page(page, "family-assessment-history")


async def test_the_author_corrects_an_assessment_with_a_reason_on_a_question_page_by_keyboard(
    page: Page, sign_in: SignIn, team: Team, gql: GraphQLClient
):
    # given the lead's entry assessment: family debt rated high, and the child's school attendance
    lead = await api_sign_in(gql, team.lead)
    family = (await gql.data("Family", {"id": str(team.family.id)}, lead))["family"]
    child = family["members"][0]["id"]
    first = {"familyId": str(team.family.id), "stage": "entry", "assessedOn": date.today().isoformat()}
    first |= {"levelOfNeed": "targeted", "strengths": "Gran helps every day", "category": "other"}
    first["ratings"] = [
        {"factor": "family_debt", "rating": "high"},
        {"factor": "school_attendance", "rating": "medium", "memberId": child},
    ]
    recorded = (await gql.data("AssessmentRecord", {"input": first}, lead))["assessmentRecord"]

    # when a colleague on the team opens the family, they are offered no correction
    await sign_in(team.colleague)
    await open_family(page, team)
    await open_part(page, "Assessments")
    await expect(page.locator("#assessments-list .govuk-summary-card").first).to_contain_text("Entry assessment")
    await expect(page.locator("[data-correct]")).to_have_count(0)

    # when the lead opens the family and follows "Correct this assessment" from the keyboard
    await sign_in(team.lead)
    await open_family(page, team)
    await open_part(page, "Assessments")
    link = page.locator(f"[data-correct='{recorded['id']}']")
    await link.focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Correct the entry assessment")
    # then the question page holds the assessment as it reads now, and keeps the child's rating
    await expect(page.get_by_label("Strengths")).to_have_value("Gran helps every day")
    await expect(page.get_by_label("Family debt")).to_have_value("high")
    await expect(page.locator("#assessment-member-ratings")).to_contain_text("School attendance")
    await check_page(page, "assessment-correct")
    # a correction without its reason is explained at the field
    await page.get_by_role("button", name="Save the correction").focus()
    await page.keyboard.press("Enter")
    await expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why you are correcting the assessment")
    await check_page(page, "assessment-correct-error")
    # when they choose "Low" for family debt and give the reason, all from the keyboard
    await page.get_by_label("Family debt").focus()
    await page.keyboard.press("Home")  # Not rated
    await page.keyboard.press("ArrowDown")  # Not a concern
    await page.keyboard.press("ArrowDown")  # Low
    await page.get_by_label("Why are you correcting it?").focus()
    await page.keyboard.type("Debt was rated from another family's figures")
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("button", name="Save the correction")).to_be_focused()
    await page.keyboard.press("Enter")
    # then the family page says so, and the card shows the corrected version with the reason and its history
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("Assessment corrected")
    card = page.locator("#assessments-list > .govuk-summary-card")
    await expect(card).to_contain_text("Debt was rated from another family's figures")
    await expect(card.locator("table").first).to_contain_text("Low")
    await expect(card.locator("[data-history]")).to_have_count(1)
    # and the child's rating was carried into the new version
    current = (await gql.data("FamilyAssessments", {"familyId": str(team.family.id)}, lead))["familyAssessments"]
    ratings = {(r["factor"], r["memberId"]): r["rating"] for r in current[0]["ratings"]}
    assert ratings == {("family_debt", None): "low", ("school_attendance", child): "medium"}
    assert (current[0]["version"], current[0]["correctsId"]) == (2, recorded["id"])

    # and at a phone's width the question page never scrolls sideways
    await page.set_viewport_size({"width": 375, "height": 800})
    await page.goto(f"/#/families/{team.family.id}/assessments/{current[0]['id']}/correct")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Correct the entry assessment")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width
    await check_page(page, "assessment-correct-narrow")
