"""The information-governance officer's page (reviewing and revoking sharing without consent, the audit
log) and the family portal (read-only: the team, what was shared with the family, who looked)."""

from __future__ import annotations

import json
from datetime import timedelta

from playwright.async_api import Page, expect

from server.clock import utcnow
from server.db.engine import SessionFactory
from server.user.models import SystemRole
from tests.builders import (
    create_consent,
    create_contribution,
    create_family_user,
    create_override,
    create_user,
    issue_token,
)
from tests.e2e.conftest import SignIn, Team, check_page
from tests.graphql_client import GraphQLClient


async def test_an_ig_officer_reviews_and_revokes_sharing_without_consent(
    page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory, gql: GraphQLClient
):
    officer = await create_user(sessions, agency=team.early_help, role=SystemRole.ig_officer)
    await create_override(
        sessions, family=team.family, decided_by=team.colleague, categories=["education"], recipients=[team.early_help]
    )
    # A refused lookup goes into the audit log.
    await gql.error("Family", {"id": str(team.family.id)}, await issue_token(sessions, team.health_visitor))
    await sign_in(officer)
    await page.get_by_role("link", name="Information governance").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Information governance")
    card = page.locator(f'#override-queue [data-override]:has-text("{team.school.name} shared Education")').first
    await expect(card).to_contain_text("Risk of significant harm to the child")
    await expect(card).to_contain_text("Telling the family could increase the risk.")
    await expect(page.locator("#audit-table tbody tr").first).to_be_visible()
    await check_page(page, "information-governance")

    await card.locator("summary", has_text="Review").click()
    await card.get_by_role("button", name="Record the review").click()
    await expect(card.locator(".govuk-error-summary")).to_contain_text("Enter your review note")
    await card.get_by_label("Your review note").fill("Lawful basis appropriate; advice was sought.")
    await card.get_by_role("button", name="Record the review").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("Review recorded.")

    card = page.locator(f'#override-queue [data-override]:has-text("{team.school.name} shared Education")').first
    await expect(card).to_contain_text("Lawful basis appropriate; advice was sought.")
    await card.locator("summary", has_text="Revoke").click()
    await card.get_by_label("Why it must stop now").fill("The strategy meeting decided consent should be asked.")
    await card.get_by_role("button", name="Revoke now").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("has been revoked")
    card = page.locator(f'#override-queue [data-override]:has-text("{team.school.name} shared Education")').first
    await expect(card.locator(".govuk-tag")).to_have_text("Revoked")


async def test_the_family_portal_shows_the_team_shared_items_and_who_looked(
    page: Page, team: Team, sessions: SessionFactory, gql: GraphQLClient
):
    await create_consent(sessions, family=team.family, recorded_by=team.lead, categories=["education"])
    await create_contribution(
        sessions,
        family=team.family,
        author=team.lead,
        category="education",
        family_summary=True,
        title="Jayden's attendance is improving",
    )
    await create_contribution(sessions, family=team.family, author=team.lead, category="education", title="Staff only")
    # Someone from another agency (the school) reads the early help team's items.
    await gql.data(
        "FamilyContributions", {"familyId": str(team.family.id)}, await issue_token(sessions, team.colleague)
    )
    parent = await create_family_user(sessions, family=team.family)

    token = await issue_token(sessions, parent)
    await page.goto("/#/signed-out")
    await page.evaluate(
        "session => { sessionStorage.setItem('taf.session', session); location.hash = '#/'; }",
        json.dumps({"token": token, "expiresAt": (utcnow() + timedelta(hours=1)).isoformat()}),
    )
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your family's plan")
    await expect(page.get_by_role("link", name="My caseload")).to_be_hidden()
    team_section = page.locator("#portal-team")
    await expect(team_section).to_contain_text(team.lead.display_name)
    await expect(team_section).to_contain_text("Your lead professional")
    updates = page.locator("#portal-updates")
    await expect(updates).to_contain_text("Jayden's attendance is improving")
    await expect(updates).not_to_contain_text("Staff only")
    # and what the lead professional is, in words for a family, with a banner for families
    await page.get_by_text("What is a lead professional?").click()
    await expect(page.locator("#portal-lead-explained")).to_contain_text("your main contact")
    await expect(page.locator(".govuk-phase-banner")).not_to_contain_text("families you work with")
    # and no staff role text: the lead's role is explained instead
    await expect(team_section).not_to_contain_text("test role")
    # who looked is told by organisation and day, with how many times, not by name or role
    log = page.locator("#portal-access-days li").filter(has_text=team.school.name)
    await expect(log).to_have_count(1)
    await expect(log).to_have_text(f"Someone from {team.school.name} looked at details about school, once.")
    await expect(page.locator("#portal-access")).not_to_contain_text(team.colleague.display_name)
    await expect(page.get_by_role("main").get_by_role("button")).to_have_count(0)  # read-only
    await check_page(page, "portal")
