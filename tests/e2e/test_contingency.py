"""Contingencies on the plan in the browser: the lead adds one from the keyboard (with the GOV.UK error
summary for what is missing), records that it was used, the school reads it, and the family sees it on
their portal; one that names someone outside the family stays off the portal."""

from __future__ import annotations

import json
from datetime import timedelta

from playwright.async_api import Page, expect

from server.clock import utcnow
from server.db.engine import SessionFactory
from tests.auth_helpers import sign_in as api_sign_in
from tests.builders import create_family_user, issue_token
from tests.e2e.conftest import SignIn, Team, check_page, open_part
from tests.graphql_client import GraphQLClient

BANNER = ".govuk-notification-banner--success"


async def open_plan(page: Page, team: Team) -> None:
    await page.get_by_role("link", name=team.family.reference).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(team.family.display_name)
    await open_part(page, "Plan")
    await expect(page.locator("#contingencies")).to_be_visible()


async def test_the_lead_adds_a_contingency_from_the_keyboard_and_marks_it_used(page: Page, sign_in: SignIn, team: Team):
    # given the lead on the family's plan
    await sign_in(team.lead)
    await open_plan(page, team)
    section = page.locator("#contingencies")
    await expect(section).to_contain_text("No contingencies are on the plan yet.")
    # when they open the form from the keyboard and send it empty
    await section.get_by_role("link", name="Add a contingency").focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Add a contingency")
    section = page.locator("#main-content")
    await expect(section.get_by_label("If this happens")).to_be_visible()
    await section.get_by_role("button", name="Add the contingency").focus()
    await page.keyboard.press("Enter")
    # then the error summary names each missing answer and links to its field
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_contain_text("Enter what would set the contingency off")
    await expect(summary).to_contain_text("Enter what will be done")
    await expect(summary).to_contain_text("Enter who does it")
    await check_page(page, "contingency-errors")
    # when they fill it in by typing and tabbing, and send it with Enter
    await section.get_by_label("If this happens").fill("If Mum is admitted to hospital again")
    await section.get_by_label("What will be done").fill("Jayden stays with his nan; the school is told that day")
    await section.get_by_label("Who does it").fill("Nan, with the lead professional")
    await section.get_by_label("The family has agreed this contingency").check()
    await section.get_by_role("button", name="Add the contingency").focus()
    await page.keyboard.press("Enter")
    # then it is on the plan, in place
    await expect(page.locator(BANNER)).to_contain_text("Contingency added to the plan.")
    card = page.locator("[data-contingency]")
    await expect(card).to_contain_text("If Mum is admitted to hospital again")
    await expect(card).to_contain_text("Nan, with the lead professional")
    await expect(card.locator(".govuk-tag")).to_have_text("In place")
    await check_page(page, "contingency-added")
    # when they record that it was used
    await card.get_by_text("Update where this contingency stands").click()
    await card.get_by_label("Where this contingency stands").select_option(label="Used")
    await card.get_by_role("button", name="Save").click()
    # then it says so
    await expect(page.locator(BANNER)).to_contain_text("Contingency updated: Used.")
    await expect(page.locator("[data-contingency] .govuk-tag")).to_have_text("Used")


async def test_the_team_and_the_family_read_agreed_contingencies(
    page: Page, sign_in: SignIn, team: Team, gql: GraphQLClient, sessions: SessionFactory
):
    # given an agreed contingency, one naming someone outside the family, and one not agreed
    lead = await api_sign_in(gql, team.lead)
    family = str(team.family.id)
    for trigger, agreed, third_party in (
        ("If the boiler fails again", True, False),
        ("If Jay's uncle turns up at the house", True, True),
        ("If Mum's low mood returns", False, False),
    ):
        contingency = {
            "familyId": family,
            "trigger": trigger,
            "response": "Call the lead professional",
            "whoActs": "Mum",
            "agreedWithFamily": agreed,
            "namesThirdParty": third_party,
        }
        await gql.data("PlanContingencyAdd", {"input": contingency}, lead)
    # when the school worker opens the plan
    await sign_in(team.colleague)
    await open_plan(page, team)
    section = page.locator("#contingencies")
    # then they read the agreed ones, the other as withheld, and have no lead controls
    await expect(section).to_contain_text("If the boiler fails again")
    await expect(section).to_contain_text(f"Withheld: other information of {team.early_help.name}")
    await expect(section).not_to_contain_text("low mood")
    await expect(section.get_by_text("Add a contingency")).to_have_count(0)
    await check_page(page, "contingencies-as-worker")
    # when a member of the family opens their portal
    token = await issue_token(sessions, await create_family_user(sessions, family=team.family))
    await page.goto("/#/signed-out")
    await page.evaluate(
        "session => { sessionStorage.setItem('taf.session', session); location.hash = '#/'; }",
        json.dumps({"token": token, "expiresAt": (utcnow() + timedelta(hours=1)).isoformat()}),
    )
    # then they see the agreed contingency, and not the one naming someone outside the family
    portal = page.locator("#portal-contingencies")
    await expect(portal).to_contain_text("If the boiler fails again")
    await expect(portal).to_contain_text("Call the lead professional")
    await expect(portal).not_to_contain_text("uncle")
    await expect(portal).not_to_contain_text("low mood")
    await check_page(page, "portal-contingencies")
