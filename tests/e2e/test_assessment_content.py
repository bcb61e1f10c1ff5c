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
