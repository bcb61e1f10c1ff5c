"""Browser tests: Debian's Chromium driven by Playwright's async API (TECH-NOTES.md section 7: the
sync API and pytest-playwright clash with pytest-asyncio). One browser per session, a new context per
test; axe-core checks every page and a screenshot of each lands in test-artifacts/."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, async_playwright, expect

from server.agency.models import Agency, AgencyKind
from server.app import create_app
from server.auth.models import SessionToken
from server.auth.service import token_digest
from server.clock import utcnow
from server.config import REPO_ROOT, Settings
from server.db.engine import SessionFactory, unit_of_work
from server.family.models import Family
from server.sharing_agreement.models import DataSharingAgreement
from server.user.models import User
from tests.builders import PASSWORD, create_agency, create_agreement, create_family, create_user, unique
from tests.conftest import (
    TEST_DATABASE,
    free_port,
    migrated_database,
    serving,
    serving_with_sign_on,
    sessions_on,
    settings_for,
)

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# As root in a container: no sandbox; and no calls home, which the closed network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO_ROOT / "test-artifacts"
MISSING_CHROMIUM = (
    f"The browser tests (tests/e2e) need Chromium at {CHROMIUM} and it is not there. "
    "Install it with `sudo apt-get install -y chromium` (Debian and Ubuntu), "
    "or set CHROMIUM=/path/to/chromium."
)
BLOCKING_IMPACTS = {"serious", "critical"}

expect.set_options(timeout=5_000)


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Fail (never skip) when the browser is missing: the Makefile checks too, before anything runs."""
    if not CHROMIUM.exists():
        pytest.fail(MISSING_CHROMIUM, pytrace=False)
    return CHROMIUM


@pytest.fixture(scope="session")
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


# The browser tests have a database of their own in each worker. In the one the other tests share, they met
# every family, agency, agreement and audit event the API tests had left (thousands), and the pages they render,
# check with axe and photograph were that much longer: the same tests took 3-10 times as long. Every session
# fixture that reaches the database is redefined here, so none is shared with the other tests of the worker.
@pytest.fixture(scope="session")
async def database_url(server_url: str) -> AsyncIterator[str]:
    async with migrated_database(server_url, f"{TEST_DATABASE}_browser") as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return settings_for(database_url)


@pytest.fixture(scope="session")
async def sessions(database_url: str) -> AsyncIterator[SessionFactory]:
    async with sessions_on(database_url) as factory:
        yield factory


@pytest.fixture(scope="session")
async def sso_agency(sessions: SessionFactory) -> Agency:
    return await create_agency(sessions, kind=AgencyKind.police)


@pytest.fixture(scope="session")
async def sso_server(settings: Settings, oidc_provider: str, sso_agency: Agency) -> AsyncIterator[str]:
    async with serving_with_sign_on(settings, oidc_provider, sso_agency) as origin:
        yield origin


@pytest.fixture(scope="session")
async def live_server(settings: Settings) -> AsyncIterator[str]:
    """The service as the browser reaches it. Its public origin is the URL the browser uses, as in
    production (TAF_PUBLIC_ORIGIN), so the notification socket's handshake passes the origin check."""
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    served = replace(settings, public_origin=origin, oidc_providers=())  # tests/e2e/test_single_sign_on.py has some
    async with serving(create_app(served), port=port) as url:
        assert url == origin
        yield url


@pytest.fixture
async def page(browser: Browser, live_server: str, request: pytest.FixtureRequest) -> AsyncIterator[Page]:
    """A fresh browser context (own sessionStorage) whose console must stay free of errors: a CSP
    violation or an uncaught exception fails the test. A test marked console_allows(text) may log console
    errors containing that text, and no others (the browser logs every HTTP error response it is given)."""
    context = await browser.new_context(base_url=live_server, viewport={"width": 1100, "height": 900})
    opened = await context.new_page()
    problems: list[str] = []
    marker = request.node.get_closest_marker("console_allows")
    allowed = marker.args[0] if marker else None
    opened.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and not (allowed and allowed in message.text)
            else None
        ),
    )
    opened.on("pageerror", lambda error: problems.append(str(error)))
    yield opened
    await context.close()
    assert problems == [], f"the browser console reported errors: {problems}"


# Which elements end right of the viewport and are not clipped by a scrolling region (one clips what it
# holds whose containing block, the offsetParent, is inside it): what widens the page.
_STICKING_OUT = """() => [...document.querySelectorAll('main *')]
  .filter((e) => e.getBoundingClientRect().right > innerWidth + 1)
  .filter((e) => !e.closest('.taf-table-scroll')?.contains(e.offsetParent))
  .map((e) => `${e.tagName}.${e.className}: ${e.textContent.slice(0, 60)}`)"""


async def sticking_out_of(page: Page) -> list[str]:
    """The elements of the page's main area past the viewport's right edge that no scrolling region clips."""
    return await page.evaluate(_STICKING_OUT)


_axe = Axe()


async def check_page(page: Page, name: str) -> None:
    """No serious or critical axe-core violations on the page as it is now; save a screenshot and the
    axe result summary under test-artifacts/."""
    results = await _axe.run(page)
    violations = results.response["violations"]
    ARTIFACTS.mkdir(exist_ok=True)
    summary = [{"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])} for v in violations]
    (ARTIFACTS / f"{name}.axe.json").write_text(json.dumps(summary, indent=2))
    await page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, results.generate_report()


async def sign_in_with_the_form(page: Page, user: User) -> None:
    await page.goto("/")
    await page.get_by_label("Email address").fill(user.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("My work")


SignIn = Callable[[User], Awaitable[None]]


@pytest.fixture
def sign_in(page: Page, sessions: SessionFactory) -> SignIn:
    """Start signed in, as the sign-in form leaves things (tests/e2e/test_sign_in.py drives the form
    itself): a session token made in the database, skipping the deliberately slow password hash, put
    in the tab's sessionStorage; the front end fetches who is signed in, then shows the caseload."""

    async def signed_in(user: User) -> None:
        token = secrets.token_urlsafe(32)
        expires_at = utcnow() + timedelta(hours=1)
        async with unit_of_work(sessions) as session:
            session.add(SessionToken(user_id=user.id, token_hash=token_digest(token), expires_at=expires_at))
        await page.goto("/#/signed-out")
        await page.evaluate(
            "session => { sessionStorage.setItem('taf.session', session); location.hash = '#/caseload'; }",
            json.dumps({"token": token, "expiresAt": expires_at.isoformat()}),
        )
        await expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")

    return signed_in


@dataclass
class Team:
    """A demo-like local area: an early help lead, a school colleague on the family's team, a health
    visitor who is not, and one family with a subject child. Like the demo's, the area's agencies have an
    information-sharing agreement covering every category (`agreement`)."""

    early_help: Agency
    school: Agency
    health: Agency
    lead: User
    colleague: User
    health_visitor: User
    family: Family
    agreement: DataSharingAgreement


@pytest.fixture
async def team(sessions: SessionFactory) -> Team:
    early_help = await create_agency(sessions, kind=AgencyKind.early_help)
    school = await create_agency(sessions, kind=AgencyKind.education)
    health = await create_agency(sessions, kind=AgencyKind.health)
    lead = await create_user(sessions, agency=early_help, name=unique("Sam Patel"))
    colleague = await create_user(sessions, agency=school, name=unique("Dan Okafor"))
    health_visitor = await create_user(sessions, agency=health, name=unique("Priya Shah"))
    family = await create_family(sessions, lead=lead, contributors=(colleague,))
    agreement = await create_agreement(sessions, parties=[early_help, school, health])
    return Team(early_help, school, health, lead, colleague, health_visitor, family, agreement)


async def open_part(page: Page, title: str) -> None:
    """Go to one of a family record's sub-pages ("Plan", "Team and contacts"...) by its sub navigation."""
    nav = page.get_by_role("navigation", name="Family record")
    await nav.get_by_role("link", name=title, exact=True).click()
    await expect(nav.locator('[aria-current="page"]')).to_have_text(title)
    await expect(page.locator("#main-content[aria-busy]")).to_have_count(0)


async def open_question(page: Page, link: str, heading: str | None = None) -> None:
    """Open a question page from the button-styled link on a family's sub-page."""
    await page.get_by_role("link", name=link, exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(heading or link)
