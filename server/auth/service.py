"""Signing in and out, and turning a bearer token back into an actor."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications.outbox import REVOCATION_CHANNEL
from server.access.actor import Actor
from server.agency.models import Agency
from server.audit import service as audit
from server.audit.models import AuditOutcome
from server.auth.models import LoginAttempt, SessionToken
from server.auth.passwords import hash_password, verify_password
from server.clock import utcnow
from server.config import Settings
from server.db.driver import DriverConnections
from server.errors import BadUserInput, Forbidden
from server.user.models import User


class LoginFailure(StrEnum):
    bad_credentials = "bad_credentials"
    rate_limited = "rate_limited"
    sso_only = "sso_only"  # the right password, but the user's agency signs in only through its provider


@dataclass(frozen=True)
class LoginLimits:
    window: timedelta
    failures_per_account: int
    failures_per_address: int

    @classmethod
    def of(cls, settings: Settings) -> LoginLimits:
        return cls(settings.login_window, settings.login_failures_per_account, settings.login_failures_per_address)


@dataclass(frozen=True)
class LoginSuccess:
    token: str
    expires_at: datetime
    actor: Actor


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor_from(user: User, token_id=None) -> Actor:
    return Actor(
        user_id=user.id,
        display_name=user.display_name,
        kind=user.kind.value,
        role=user.role.value if user.role else "family",
        agency_id=user.agency_id,
        family_member_id=user.family_member_id,
        token_id=token_id,
    )


async def login(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    address: str,
    limits: LoginLimits,
    token_ttl: timedelta,
) -> LoginSuccess | LoginFailure:
    """Check the password and issue a token. Failures are recorded (the caller commits them), and the
    answer is the same for an unknown account as for a wrong password."""
    # An e-mail with NUL in it (which PostgreSQL text cannot hold) is simply a wrong sign-in, still counted.
    malformed = "\x00" in email
    account = email.replace("\x00", "").strip().lower()
    if await _over_limit(session, account, address, limits):
        await _note_attempt(session, account, address, None, succeeded=False, why="rate_limited")
        return LoginFailure.rate_limited
    user = (await session.exec(select(User).where(User.email == account))).first()
    # argon2 is deliberately slow (tens of ms): off the event loop, so one sign-in never stalls other requests.
    password_ok = await asyncio.to_thread(verify_password, user.password_hash if user else None, password)
    if user is None or not user.is_active or not password_ok or malformed:
        await _note_attempt(session, account, address, user, succeeded=False, why="bad_credentials")
        return LoginFailure.bad_credentials
    # Said only to someone who knew the password, so it tells a stranger nothing about the account.
    if await _sso_only(session, user):
        await _note_attempt(session, account, address, user, succeeded=False, why="sso_only")
        return LoginFailure.sso_only
    token = secrets.token_urlsafe(32)
    row = SessionToken(user_id=user.id, token_hash=token_digest(token), expires_at=utcnow() + token_ttl)
    session.add(row)
    await _note_attempt(session, account, address, user, succeeded=True, why=None)
    return LoginSuccess(token=token, expires_at=row.expires_at, actor=actor_from(user, row.id))


async def _sso_only(session: AsyncSession, user: User) -> bool:
    agency = await session.get(Agency, user.agency_id) if user.agency_id else None
    return agency is not None and agency.sso_only


async def _over_limit(session: AsyncSession, account: str, address: str, limits: LoginLimits) -> bool:
    since = utcnow() - limits.window
    failures = sa.func.count().filter(LoginAttempt.succeeded.is_(False), LoginAttempt.at > since)
    by_account = select(failures).where(LoginAttempt.account == account)
    by_address = select(failures).where(LoginAttempt.address == address)
    return (await session.exec(by_account)).one() >= limits.failures_per_account or (
        await session.exec(by_address)
    ).one() >= limits.failures_per_address


async def _note_attempt(
    session: AsyncSession, account: str, address: str, user: User | None, *, succeeded: bool, why: str | None
) -> None:
    session.add(LoginAttempt(account=account, address=address, succeeded=succeeded))
    await audit.record(
        session,
        None,
        "login" if succeeded else "login_failed",
        user_id=user.id if user else None,
        outcome=AuditOutcome.allowed if succeeded else AuditOutcome.denied,
        detail={"reason": why} if why else {},
        address=address,
    )


async def over_limit(session: AsyncSession, account: str, address: str, limits: LoginLimits) -> bool:
    """The sign-in limits, for other doors that take a secret (accepting a portal invitation)."""
    return await _over_limit(session, account, address, limits)


async def note_attempt(
    session: AsyncSession, account: str, address: str, user: User | None, *, succeeded: bool, why: str | None
) -> None:
    await _note_attempt(session, account, address, user, succeeded=succeeded, why=why)


def start_session(session: AsyncSession, user: User, token_ttl: timedelta) -> LoginSuccess:
    """A new bearer token for a user who has just proved who they are."""
    token = secrets.token_urlsafe(32)
    row = SessionToken(user_id=user.id, token_hash=token_digest(token), expires_at=utcnow() + token_ttl)
    session.add(row)
    return LoginSuccess(token=token, expires_at=row.expires_at, actor=actor_from(user, row.id))


class TokenProblem(StrEnum):
    missing = "missing"
    invalid = "invalid"
    expired = "expired"


# The check every request makes (bench/signed_in.py): one statement, prepared once per pooled connection, on the
# driver itself, so no ORM session, no hydration and no transaction (one round trip, where a session took three),
# on a connection of the check's own (server/db/driver.py), so no pool checkout either.
# Nothing about a sign-in is kept in the process: a sign-out, a disabled account or a password reset (which revokes
# sessions) ends the sign-in for the next request on every instance, with no window at all.
_SIGNED_IN = """
SELECT t.id, t.expires_at, t.revoked_at, u.id, u.display_name, u.kind::text, u.role::text, u.agency_id,
       u.family_member_id, u.is_active
FROM session_token AS t JOIN app_user AS u ON u.id = t.user_id
WHERE t.token_hash = $1
"""


async def authenticate(check: DriverConnections, token: str | None) -> Actor | TokenProblem:
    """The actor a bearer token stands for, or why it stands for no one. Without a token the database is not
    asked. Raises the driver's errors (and SQLAlchemy's, at checkout) when the database cannot be reached."""
    if not token:
        return TokenProblem.missing
    row = await check.fetchrow(_SIGNED_IN, token_digest(token))
    if row is None:
        return TokenProblem.invalid
    token_id, expires_at, revoked_at, user_id, display_name, kind, role, agency_id, family_member_id, active = row
    if revoked_at is not None or not active:
        return TokenProblem.invalid
    if expires_at <= utcnow():
        return TokenProblem.expired
    return Actor(
        user_id=user_id,
        display_name=display_name,
        kind=kind,
        role=role or "family",
        agency_id=agency_id,
        family_member_id=family_member_id,
        token_id=token_id,
    )


async def still_signed_in(session: AsyncSession, actor: Actor) -> bool:
    """Whether the actor's token is still unrevoked and unexpired and their account still active."""
    statement = (
        select(SessionToken.id)
        .join(User, User.id == SessionToken.user_id)
        .where(
            SessionToken.id == actor.token_id,
            col(SessionToken.revoked_at).is_(None),
            SessionToken.expires_at > utcnow(),
            col(User.is_active).is_(True),
        )
    )
    return (await session.exec(statement)).first() is not None


async def ended_sign_ins(session: AsyncSession, token_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Of these sign-ins, those revoked, expired or whose account is no longer active (or gone)."""
    statement = (
        select(SessionToken.id)
        .join(User, User.id == SessionToken.user_id)
        .where(
            col(SessionToken.id).in_(token_ids),
            col(SessionToken.revoked_at).is_(None),
            SessionToken.expires_at > utcnow(),
            col(User.is_active).is_(True),
        )
    )
    return set(token_ids) - set((await session.exec(statement)).all())


NO_PASSWORD = (
    "Your agency signs in with its own organisation account, so there is no password here to change."  # noqa: S105
    " Change it with your organisation."
)


class PasswordChangeFailure(StrEnum):
    wrong_password = "wrong_password"  # noqa: S105 (an outcome, not a password)
    rate_limited = "rate_limited"


async def change_password(
    session: AsyncSession,
    actor: Actor,
    *,
    current_password: str,
    new_password: str,
    address: str,
    limits: LoginLimits,
) -> PasswordChangeFailure | None:
    """Change the signed-in account's password, given its current one; the account's other sign-ins end (the
    NCSC advises it: whoever knew the old password is signed out). A wrong current password counts as a failed
    sign-in of the account, so a session left open cannot be used to guess it; the failure is returned, not
    raised, so that the caller commits the count."""
    user = await session.get(User, actor.user_id, with_for_update=True)
    assert user is not None  # the actor was authenticated in this request
    if user.password_hash is None or await _sso_only(session, user):
        raise Forbidden(NO_PASSWORD)
    if await _over_limit(session, user.email, address, limits):
        await _note_attempt(session, user.email, address, user, succeeded=False, why="rate_limited")
        return PasswordChangeFailure.rate_limited
    if not await asyncio.to_thread(verify_password, user.password_hash, current_password):
        await _note_attempt(session, user.email, address, user, succeeded=False, why="wrong_current_password")
        return PasswordChangeFailure.wrong_password
    if new_password == current_password:
        raise BadUserInput("Your new password must be different from your current one.", field="newPassword")
    user.password_hash = await asyncio.to_thread(hash_password, new_password, field="newPassword")
    user.updated_at = utcnow()
    session.add(user)
    ended = await end_sign_ins(session, user.id, keep=actor.token_id)
    await audit.record(session, actor, "passwordChange", detail={"otherSignInsEnded": ended}, address=address)
    return None


async def end_sign_ins(session: AsyncSession, user_id: uuid.UUID, *, keep: uuid.UUID | None = None) -> int:
    """Revoke every current sign-in of the account (but `keep`, the caller's own); on commit, every instance
    closes their websockets at once, as for a sign-out. Returns how many were ended."""
    statement = (
        sa.update(SessionToken)
        .where(
            SessionToken.user_id == user_id,
            col(SessionToken.revoked_at).is_(None),
            SessionToken.expires_at > utcnow(),
            SessionToken.id != (keep or uuid.UUID(int=0)),
        )
        .values(revoked_at=utcnow())
        .returning(SessionToken.id)
    )
    ended = list((await session.exec(statement)).all())  # type: ignore[call-overload]
    for (token_id,) in ended:
        await _notify_revoked(session, token_id)
    return len(ended)


async def _notify_revoked(session: AsyncSession, token_id: uuid.UUID) -> None:
    await session.exec(
        sa.text("SELECT pg_notify(:channel, :token)"),
        params={"channel": REVOCATION_CHANNEL, "token": str(token_id)},
    )


async def logout(session: AsyncSession, actor: Actor) -> None:
    """Revoke the sign-in; on commit, every instance closes its websockets of that sign-in at once."""
    statement = sa.update(SessionToken).where(SessionToken.id == actor.token_id).values(revoked_at=utcnow())
    await session.exec(statement)
    await _notify_revoked(session, actor.token_id)  # type: ignore[arg-type]
    await audit.record(session, actor, "logout")
