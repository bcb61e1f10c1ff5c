"""Signing in through a real OpenID Connect provider (tests/oidc/provider.mjs), over HTTP as a browser
would: the whole flow, then each way it must fail with a clear page and nothing half-done (no hand-over,
no session token)."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa

from server.agency.models import AgencyKind
from server.db.engine import SessionFactory, unit_of_work
from server.sso.models import SsoSignIn
from server.sso.routes import BROWSER_COOKIE, HANDOVER_COOKIE
from server.user.models import User
from tests.builders import create_agency, create_user, unique
from tests.graphql_client import GraphQLClient
from tests.sso.conftest import link, links_of, session_tokens, sign_ins_handed_out, sign_ins_of
from tests.sso_support import MISBEHAVING, through_provider


async def collect(browser: httpx.AsyncClient) -> httpx.Response:
    """What the web page does on #/sign-in/complete."""
    return await browser.post("/auth/oidc/session")


async def test_a_linked_account_signs_in_and_signing_out_ends_it_on_every_instance(
    browser: httpx.AsyncClient,
    sso_gql: GraphQLClient,
    officer: User,
    oidc_provider: str,
    sessions: SessionFactory,
    second_server: str,
):
    # given an officer linked to their subject at the good provider
    subject = await link(sessions, officer, f"{oidc_provider}/good")

    # when they sign in there and come back
    callback = await through_provider(browser, "good", subject)
    assert "code=" in callback and "state=" in callback
    landed = await browser.get(callback)

    # then they land on the page that collects the session, holding a one-time hand-over cookie
    assert landed.status_code == 303 and landed.headers["location"] == "/#/sign-in/complete"
    assert "token" not in landed.headers["location"]
    collected = await collect(browser)
    assert collected.status_code == 200, collected.text
    token = collected.json()["token"]
    me = await sso_gql.data("Me", token=token)
    assert me["me"]["displayName"] == officer.display_name
    assert (await collect(browser)).status_code == 401  # the hand-over works once

    # and signing out ends that session on every instance, as a password sign-in's
    await sso_gql.data("Logout", token=token)
    async with httpx.AsyncClient(base_url=second_server) as elsewhere:
        refused = await GraphQLClient(elsewhere).error("Me", token=token)
    assert refused["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    ("service", "reason", "reference"),
    [
        ("wrong-issuer", "the answer came from a different sign-in service", "wrong_issuer"),
        ("other-keys", "the answer was not signed with Test Other Keys's keys", "bad_signature"),
        ("expired", "the answer had expired", "expired_token"),
        ("wrong-audience", "the answer was meant for a different service", "wrong_audience"),
    ],
)
async def test_an_answer_that_cannot_be_trusted_is_refused_with_a_clear_page(
    service: str,
    reason: str,
    reference: str,
    browser: httpx.AsyncClient,
    officer: User,
    oidc_provider: str,
    sessions: SessionFactory,
):
    assert service in MISBEHAVING
    subject = await link(sessions, officer, f"{oidc_provider}/{service}")

    page = await browser.get(await through_provider(browser, service, subject))

    assert page.status_code == 502
    assert "We could not confirm who you are" in page.text
    assert reason in page.text.replace("&#x27;", "'")
    assert f'<span id="problem-reference">{reference}</span>' in page.text
    assert HANDOVER_COOKIE not in page.headers.get("set-cookie", "")
    assert await sign_ins_handed_out(sessions, service) == 0
    assert (await collect(browser)).status_code == 401
    assert await session_tokens(sessions, officer) == 0


async def test_a_replayed_state_is_refused_and_signs_nobody_in_again(
    browser: httpx.AsyncClient, officer: User, oidc_provider: str, sessions: SessionFactory
):
    subject = await link(sessions, officer, f"{oidc_provider}/good")
    callback = await through_provider(browser, "good", subject)
    assert (await browser.get(callback)).status_code == 303
    assert (await collect(browser)).status_code == 200

    replayed = await browser.get(callback)

    assert replayed.status_code == 400
    assert "This sign-in link has already been used" in replayed.text
    assert (await collect(browser)).status_code == 401
    assert await session_tokens(sessions, officer) == 1


async def test_an_unknown_subject_is_not_signed_in(browser: httpx.AsyncClient, sessions: SessionFactory):
    page = await browser.get(await through_provider(browser, "good", unique("stranger")))

    assert page.status_code == 403
    assert "Your account is not linked" in page.text
    assert "Ask your administrator to link your account" in page.text
    assert (await collect(browser)).status_code == 401


async def test_a_disabled_user_is_not_signed_in(
    browser: httpx.AsyncClient, officer: User, oidc_provider: str, sessions: SessionFactory
):
    subject = await link(sessions, officer, f"{oidc_provider}/good")
    async with unit_of_work(sessions) as session:
        await session.exec(sa.update(User).where(User.id == officer.id).values(is_active=False))

    page = await browser.get(await through_provider(browser, "good", subject))

    assert page.status_code == 403
    assert "Your account is switched off" in page.text
    assert (await collect(browser)).status_code == 401
    assert await session_tokens(sessions, officer) == 0


async def test_a_provider_that_is_down_gets_a_provider_unavailable_page_and_nothing_is_stored(
    browser: httpx.AsyncClient, sessions: SessionFactory
):
    page = await browser.get("/auth/oidc/down/start")

    assert page.status_code == 503
    assert "Test Down is not available" in page.text
    assert "Try again in a few minutes" in page.text
    assert await sign_ins_of(sessions, "down") == 0
    assert BROWSER_COOKIE not in page.headers.get("set-cookie", "")


async def test_a_provider_whose_token_endpoint_is_down_signs_nobody_in(
    browser: httpx.AsyncClient, officer: User, oidc_provider: str, sessions: SessionFactory
):
    subject = await link(sessions, officer, f"{oidc_provider}/token-down")

    page = await browser.get(await through_provider(browser, "token-down", subject))

    assert page.status_code == 503
    assert "Test Token Down is not available" in page.text
    assert await sign_ins_handed_out(sessions, "token-down") == 0
    assert await session_tokens(sessions, officer) == 0


async def test_a_sign_in_finished_in_another_browser_is_refused_and_used_up(
    browser: httpx.AsyncClient, sso_server: str, officer: User, oidc_provider: str, sessions: SessionFactory
):
    # given a sign-in begun in one browser, whose callback link reaches another (login CSRF)
    subject = await link(sessions, officer, f"{oidc_provider}/good")
    callback = await through_provider(browser, "good", subject)

    async with httpx.AsyncClient(base_url=sso_server) as other:
        page = await other.get(callback)
        assert page.status_code == 400
        assert "started in another browser" in page.text
        assert (await other.post("/auth/oidc/session")).status_code == 401

    # then the link is used up: not even the browser that began it can finish with it now
    assert "already been used" in (await browser.get(callback)).text
    assert await session_tokens(sessions, officer) == 0


async def test_a_state_this_service_never_issued_is_refused(browser: httpx.AsyncClient):
    page = await browser.get("/auth/oidc/good/callback", params={"code": "stolen", "state": "made-up"})

    assert page.status_code == 400
    assert "not one this service started" in page.text


async def test_a_sign_in_that_took_too_long_is_refused(
    browser: httpx.AsyncClient, officer: User, oidc_provider: str, sessions: SessionFactory
):
    subject = await link(sessions, officer, f"{oidc_provider}/good")
    callback = await through_provider(browser, "good", subject)
    async with unit_of_work(sessions) as session:  # as if ten minutes had passed
        await session.exec(
            sa.update(SsoSignIn)
            .where(SsoSignIn.provider_id == "good", sa.column("returned_at").is_(None))
            .values(expires_at=sa.func.now() - sa.text("interval '1 second'"))
        )

    page = await browser.get(callback)

    assert page.status_code == 400
    assert "took more than 10 minutes" in page.text
    assert await session_tokens(sessions, officer) == 0


async def test_the_provider_saying_no_is_a_clear_page(browser: httpx.AsyncClient):
    started = await browser.get("/auth/oidc/good/start")
    state = httpx.URL(started.headers["location"]).params["state"]

    page = await browser.get("/auth/oidc/good/callback", params={"error": "access_denied", "state": state})

    assert page.status_code == 400
    assert "You may have cancelled signing in there" in page.text


async def test_an_unknown_service_is_not_found(browser: httpx.AsyncClient):
    page = await browser.get("/auth/oidc/nobody/start")

    assert page.status_code == 404
    assert "Sign-in service not found" in page.text


async def test_an_account_of_an_agency_the_provider_does_not_serve_is_refused(
    browser: httpx.AsyncClient, oidc_provider: str, sessions: SessionFactory
):
    health = await create_agency(sessions, kind=AgencyKind.health)
    nurse = await create_user(sessions, agency=health)
    subject = await link(sessions, nurse, f"{oidc_provider}/good")  # as if linked by mistake

    page = await browser.get(await through_provider(browser, "good", subject))

    assert page.status_code == 403
    assert "does not sign in with Test Good" in page.text
    assert await session_tokens(sessions, nurse) == 0


class TestLinkingByEmail:
    """Only a provider configured to be trusted with e-mail addresses links at first sign-in, and only by an
    address it says it verified, of a staff account of one of its agencies."""

    async def test_a_verified_address_links_the_account_once(
        self, browser: httpx.AsyncClient, sso_server: str, officer: User, oidc_provider: str, sessions: SessionFactory
    ):
        subject = unique("subject")
        callback = await through_provider(browser, "trusts-email", subject, email=officer.email, verified=True)

        assert (await browser.get(callback)).status_code == 303
        assert (await collect(browser)).status_code == 200
        [made] = await links_of(sessions, officer)
        assert (made.issuer, made.subject) == (f"{oidc_provider}/trusts-email", subject)

        # a second account at the provider with the same address does not take the first one's place
        async with httpx.AsyncClient(base_url=sso_server) as another:
            other = await through_provider(another, "trusts-email", unique("other"), email=officer.email, verified=True)
            assert (await another.get(other)).status_code == 403
        assert len(await links_of(sessions, officer)) == 1

    @pytest.mark.parametrize(("service", "verified"), [("trusts-email", False), ("good", True)])
    async def test_an_unverified_address_or_an_untrusted_provider_links_nothing(
        self, service: str, verified: bool, browser: httpx.AsyncClient, officer: User, sessions: SessionFactory
    ):
        callback = await through_provider(browser, service, unique("subject"), email=officer.email, verified=verified)

        page = await browser.get(callback)

        assert page.status_code == 403
        assert "Your account is not linked" in page.text
        assert await links_of(sessions, officer) == []

    async def test_a_refused_sign_in_keeps_no_link(
        self, browser: httpx.AsyncClient, officer: User, sessions: SessionFactory
    ):
        async with unit_of_work(sessions) as session:
            await session.exec(sa.update(User).where(User.id == officer.id).values(is_active=False))

        page = await browser.get(
            await through_provider(browser, "trusts-email", unique("subject"), email=officer.email, verified=True)
        )

        assert page.status_code == 403
        assert await links_of(sessions, officer) == []


async def test_the_sign_in_page_lists_the_services(sso_gql: GraphQLClient):
    services = (await sso_gql.data("SignInServices"))["signInServices"]

    assert {"id": "good", "name": "Test Good", "startPath": "/auth/oidc/good/start"} in services
