"""Signing in and out in a real browser, by mouse and by keyboard alone."""

from __future__ import annotations

from playwright.async_api import Page, expect

from server.auth.models import LoginAttempt
from server.config import Settings
from server.db.engine import SessionFactory, unit_of_work
from tests.builders import PASSWORD
from tests.e2e.conftest import SignIn, Team, check_page, sign_in_with_the_form
from tests.graphql_client import GraphQLClient


async def test_sign_in_shows_the_caseload_and_sign_out_forgets_the_session(page: Page, team: Team):
    await page.goto("/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    await check_page(page, "sign-in")

    await sign_in_with_the_form(page, team.lead)
    await expect(page.get_by_text(f"Signed in as {team.lead.display_name}")).to_be_visible()
    assert "token" not in page.url
    await page.get_by_role("button", name="Sign out").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    assert await page.evaluate("sessionStorage.length") == 0
    await check_page(page, "signed-out")
    await page.goto("/#/caseload")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


async def test_sign_in_problems_are_explained_in_an_error_summary(page: Page, team: Team):
    await page.goto("/#/sign-in")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    await page.get_by_role("link", name="Enter your password").click()
    await expect(page.get_by_label("Password")).to_be_focused()

    await page.get_by_label("Email address").fill(team.colleague.email)
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Sign in").click()

    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    await expect(summary).to_contain_text("The email address or password is not right")
    await expect(page).to_have_title("Error: Sign in \u2013 Team Around the Family")
    await expect(page.get_by_label("Email address")).to_have_attribute("aria-describedby", "email-error")
    await check_page(page, "sign-in-error")


async def test_too_many_failed_sign_ins_are_explained_in_words(
    page: Page, team: Team, sessions: SessionFactory, settings: Settings
):
    async with unit_of_work(sessions) as session:  # five recent failures (tests/auth covers counting them)
        for _ in range(settings.login_failures_per_account):
            session.add(LoginAttempt(account=team.health_visitor.email, address="192.0.2.1", succeeded=False))
    await page.goto("/#/sign-in")
    await page.get_by_label("Email address").fill(team.health_visitor.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()

    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_contain_text("too many attempts to sign in to this account. Wait 15 minutes")
    assert "RATE_LIMITED" not in await page.locator("main").inner_text()


async def test_sign_in_with_the_keyboard_alone(page: Page, team: Team):
    await page.goto("/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.locator("main")).to_be_focused()
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Email address")).to_be_focused()
    await page.keyboard.type(team.lead.email)
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Password")).to_be_focused()
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")

    heading = page.get_by_role("heading", level=1)
    await expect(heading).to_have_text("My work")
    await expect(heading).to_be_focused()  # focus moves to the new page's heading
    await page.keyboard.press("Tab")
    await page.keyboard.press("Shift+Tab")
    await expect(heading).not_to_be_focused()


async def test_an_ended_sign_in_leads_back_to_the_sign_in_page(
    page: Page, sign_in: SignIn, team: Team, gql: GraphQLClient
):
    await sign_in(team.lead)
    token = await page.evaluate("JSON.parse(sessionStorage.getItem('taf.session')).token")
    await gql.data("Logout", token=token)  # as if signed out elsewhere, or expired

    # the live-notifications socket is closed by the sign-out (4403) on whichever instance holds it, so the
    # page goes back to signing in by itself, without waiting for the next click
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    await expect(page.locator("#sign-in-notice")).to_have_text("Your sign-in has ended. Sign in again to carry on.")
    assert await page.evaluate("sessionStorage.length") == 0
