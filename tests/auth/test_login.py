from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import select

from server.audit.models import AuditEvent
from server.auth import service as auth_service
from server.auth.models import LoginAttempt, SessionToken
from server.auth.service import LoginFailure, LoginLimits, LoginSuccess
from server.db.engine import unit_of_work
from tests.auth_helpers import sign_in
from tests.builders import PASSWORD, create_agency, create_user, unique
from tests.graphql_client import code


async def test_sign_in_returns_a_token_that_identifies_the_user(gql, sessions):
    # given
    agency = await create_agency(sessions)
    user = await create_user(sessions, agency=agency)
    # when
    login = (await gql.data("Login", {"email": user.email.upper(), "password": PASSWORD}))["authLogin"]
    me = (await gql.data("Me", token=login["token"]))["me"]
    # then
    assert me == login["me"]
    assert me["id"] == str(user.id)
    assert me["role"] == "practitioner"
    assert me["agency"]["name"] == agency.name


async def test_token_is_stored_only_as_a_hash(gql, sessions):
    user = await create_user(sessions, agency=await create_agency(sessions))
    token = await sign_in(gql, user, fresh=True)
    async with sessions() as session:
        rows = (await session.exec(select(SessionToken).where(SessionToken.user_id == user.id))).all()
    assert [row.token_hash for row in rows] == [auth_service.token_digest(token)]
    assert token not in rows[0].token_hash


async def test_unknown_account_and_wrong_password_get_the_same_answer(gql, sessions):
    user = await create_user(sessions, agency=await create_agency(sessions))
    wrong_password = await gql.error("Login", {"email": user.email, "password": "not the password"})
    unknown_user = await gql.error("Login", {"email": f"{unique('nobody')}@x.example", "password": PASSWORD})
    assert code(wrong_password) == code(unknown_user) == "UNAUTHENTICATED"
    assert wrong_password["message"] == unknown_user["message"]


async def test_repeated_failures_lock_the_account_for_a_while(gql, sessions):
    # given five failures (the test settings' limit)
    user = await create_user(sessions, agency=await create_agency(sessions))
    for _ in range(5):
        await gql.error("Login", {"email": user.email, "password": "guess"})
    # when the right password is tried
    error = await gql.error("Login", {"email": user.email, "password": PASSWORD})
    # then it is refused with a clear error and no token
    assert code(error) == "RATE_LIMITED"
    assert "Too many sign-in attempts" in error["message"]


async def test_an_unknown_account_is_rate_limited_exactly_like_a_real_one(gql):
    email = f"{unique('nobody')}@x.example"
    for _ in range(5):
        await gql.error("Login", {"email": email, "password": "guess"})
    assert code(await gql.error("Login", {"email": email, "password": "guess"})) == "RATE_LIMITED"


async def test_failures_from_one_address_are_limited_across_accounts(sessions):
    limits = LoginLimits(window=timedelta(minutes=15), failures_per_account=100, failures_per_address=3)
    address = unique("203.0.113")
    results = []
    for _ in range(4):
        async with unit_of_work(sessions) as session:
            results.append(
                await auth_service.login(
                    session,
                    email=f"{unique('a')}@x.example",
                    password="guess",
                    address=address,
                    limits=limits,
                    token_ttl=timedelta(hours=1),
                )
            )
    assert results == [LoginFailure.bad_credentials] * 3 + [LoginFailure.rate_limited]


async def test_sign_in_and_failures_are_audited_without_the_password(gql, sessions):
    user = await create_user(sessions, agency=await create_agency(sessions))
    await gql.error("Login", {"email": user.email, "password": "secret guess 1"})
    await sign_in(gql, user, fresh=True)
    async with sessions() as session:
        events = (
            await session.exec(select(AuditEvent).where(AuditEvent.actor_user_id == user.id).order_by(AuditEvent.id))
        ).all()
        attempts = (await session.exec(select(LoginAttempt).where(LoginAttempt.account == user.email))).all()
    assert [(event.action, event.outcome.value) for event in events] == [
        ("login_failed", "denied"),
        ("login", "allowed"),
    ]
    assert all("secret" not in str(event.detail) for event in events)
    assert [attempt.succeeded for attempt in attempts] == [False, True]


async def test_logout_revokes_the_token_at_once(gql, sessions):
    user = await create_user(sessions, agency=await create_agency(sessions))
    token = await sign_in(gql, user, fresh=True)
    assert (await gql.data("Logout", token=token))["authLogout"] is True
    error = await gql.error("Me", token=token)
    assert code(error) == "UNAUTHENTICATED"


async def test_expired_and_missing_and_forged_tokens_are_unauthenticated(gql, sessions):
    user = await create_user(sessions, agency=await create_agency(sessions))
    token = await sign_in(gql, user, fresh=True)
    async with unit_of_work(sessions) as session:
        await session.exec(
            sa.update(SessionToken)
            .where(SessionToken.token_hash == auth_service.token_digest(token))
            .values(expires_at=sa.func.now() - sa.text("interval '1 minute'"))
        )
    expired = await gql.error("Me", token=token)
    missing = await gql.error("Me")
    forged = await gql.error("Me", token="not-a-real-token")
    assert [code(expired), code(missing), code(forged)] == ["UNAUTHENTICATED"] * 3
    assert "expired" in expired["message"]


async def test_a_successful_sign_in_does_not_reset_the_failure_count_silently(sessions):
    """Failures stay counted for the whole window, so interleaving one good guess buys nothing."""
    limits = LoginLimits(window=timedelta(minutes=15), failures_per_account=2, failures_per_address=100)
    user = await create_user(sessions, agency=await create_agency(sessions))
    outcomes = []
    for password in ["bad", PASSWORD, "bad", PASSWORD]:
        async with unit_of_work(sessions) as session:
            result = await auth_service.login(
                session,
                email=user.email,
                password=password,
                address=unique("198.51.100"),
                limits=limits,
                token_ttl=timedelta(hours=1),
            )
        outcomes.append(type(result) if isinstance(result, LoginSuccess) else result)
    assert outcomes == [
        LoginFailure.bad_credentials,
        LoginSuccess,
        LoginFailure.bad_credentials,
        LoginFailure.rate_limited,
    ]
