"""Signing in with an organisation's own sign-in service (a real OpenID Connect provider,
tests/oidc/provider.mjs) in a real browser: by mouse, by keyboard, and a refusal's page."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, expect

from server.agency.models import Agency
from server.db.engine import SessionFactory
from server.user.models import User
from tests.builders import create_user, unique
from tests.e2e.conftest import check_page
from tests.sso.conftest import link


@pytest.fixture
async def sso_page(browser: Browser, sso_server: str) -> AsyncIterator[Page]:
    """As the `page` fixture, on the service with single sign-on configured. A refusal's page comes with its
    HTTP status (403, 502, ...), which Chromium reports as a failed load of that page: that one is expected."""
    context = await browser.new_context(base_url=sso_server, viewport={"width": 1100, "height": 900})
    opened = await context.new_page()
    problems: list[str] = []

    def note(message: ConsoleMessage) -> None:
        refusal_page = "/auth/oidc/" in message.location.get("url", "") and "Failed to load resource" in message.text
        if message.type == "error" and not refusal_page:
            problems.append(message.text)

    opened.on("console", note)
    opened.on("pageerror", lambda error: problems.append(str(error)))
    yield opened
    await context.close()
    assert problems == [], f"the browser console reported errors: {problems}"


@pytest.fixture
async def officer(sessions: SessionFactory, sso_agency: Agency) -> User:
    return await create_user(sessions, agency=sso_agency, name=unique("PC Alex Jones"))


async def sign_in_at_the_provider(page: Page, subject: str) -> None:
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to good")
    await page.get_by_label("Account").fill(subject)
    await page.get_by_role("button", name="Sign in").click()


async def test_signing_in_with_the_organisation_lands_on_my_work(
    sso_page: Page, officer: User, oidc_provider: str, sessions: SessionFactory
):
    subject = await link(sessions, officer, f"{oidc_provider}/good")
    await sso_page.goto("/")
    await expect(sso_page.get_by_role("heading", level=2, name="Sign in with your organisation")).to_be_visible()
    await check_page(sso_page, "sign-in-with-organisation")

    await sso_page.get_by_role("button", name="Sign in with Test Good").click()
    await sign_in_at_the_provider(sso_page, subject)

    await expect(sso_page.get_by_role("heading", level=1)).to_have_text("My work")
    await expect(sso_page.get_by_text(f"Signed in as {officer.display_name}")).to_be_visible()
    assert "token" not in sso_page.url and "code=" not in sso_page.url
    assert await sso_page.evaluate("JSON.parse(sessionStorage.getItem('taf.session')).token")
    await sso_page.get_by_role("button", name="Sign out").click()
    await expect(sso_page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    assert await sso_page.evaluate("sessionStorage.length") == 0


async def test_the_organisation_buttons_work_with_the_keyboard(sso_page: Page):
    await sso_page.goto("/")
    await expect(sso_page.get_by_role("heading", level=1)).to_have_text("Sign in")
    await sso_page.keyboard.press("Tab")
    await expect(sso_page.get_by_role("link", name="Skip to main content")).to_be_focused()
    await sso_page.keyboard.press("Enter")
    await sso_page.keyboard.press("Tab")
    await expect(sso_page.get_by_role("button", name="Sign in with Test Good")).to_be_focused()

    await sso_page.keyboard.press("Enter")

    await expect(sso_page.get_by_role("heading", level=1)).to_have_text("Sign in to good")


async def test_a_refused_sign_in_is_explained_on_a_page_with_a_way_back(sso_page: Page):
    await sso_page.goto("/")
    await sso_page.get_by_role("button", name="Sign in with Test Good").click()
    await sign_in_at_the_provider(sso_page, unique("stranger"))

    await expect(sso_page.get_by_role("heading", level=1)).to_have_text("Your account is not linked")
    await expect(sso_page.locator("main")).to_contain_text("Ask your administrator to link your account")
    await expect(sso_page).to_have_title("Your account is not linked \u2013 Team Around the Family")
    await check_page(sso_page, "sign-in-with-organisation-refused")
    await sso_page.get_by_role("link", name="Go back to sign in").click()
    await expect(sso_page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert await sso_page.evaluate("sessionStorage.length") == 0
