"""A sign-in through an OpenID Connect provider, step by step. Each step is one short transaction that the
caller commits (server/sso/routes.py); the provider is called between them, never inside one.

1. `begin`: a new `state`, `nonce` and PKCE verifier, kept (hashed where they come back) with a hash of
   a secret cookie that binds the sign-in to this browser; the browser goes to the provider.
2. `consume`: the provider sends the browser back with a code and the state. The state is used up at
   once, whatever follows, so it never works twice.
3. `admit`: the validated ID token's (issuer, subject) names a linked, active staff account of an agency
   that signs in through this provider; the sign-in gets a one-time hand-over secret (a cookie).
4. `hand_over`: the web page exchanges that cookie for an ordinary session token, the same as a password
   sign-in gives, so signing out works as it always has (on every instance at once).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.agency.models import Agency
from server.audit import service as audit
from server.audit.models import AuditOutcome
from server.auth import service as auth_service
from server.auth.service import LoginSuccess
from server.db.columns import utcnow
from server.sso.client import Identity, Problem, SignInProblem
from server.sso.models import IdentityLink, SsoSignIn
from server.sso.providers import OidcProvider
from server.user.models import User, UserKind

SIGN_IN_TTL = timedelta(minutes=10)  # from leaving for the provider to coming back
HANDOVER_TTL = timedelta(minutes=2)  # from coming back to the page collecting its token
KEEP_FINISHED = timedelta(days=1)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Secrets:
    state: str
    nonce: str
    code_verifier: str


def new_secrets() -> Secrets:
    return Secrets(state=new_secret(), nonce=new_secret(), code_verifier=secrets.token_urlsafe(64))


async def begin(session: AsyncSession, provider: OidcProvider, chosen: Secrets, *, browser: str) -> None:
    await session.exec(sa.delete(SsoSignIn).where(col(SsoSignIn.expires_at) < utcnow() - KEEP_FINISHED))
    session.add(
        SsoSignIn(
            provider_id=provider.id,
            state_hash=digest(chosen.state),
            browser_hash=digest(browser),
            nonce=chosen.nonce,
            code_verifier=chosen.code_verifier,
            expires_at=utcnow() + SIGN_IN_TTL,
        )
    )


async def consume(session: AsyncSession, provider: OidcProvider, *, state: str) -> SsoSignIn:
    """The sign-in this state belongs to, marked as returned: commit this before anything else, so that
    the state is used up whatever follows."""
    statement = select(SsoSignIn).where(SsoSignIn.state_hash == digest(state)).with_for_update()
    row = (await session.exec(statement)).first()
    if row is None or row.provider_id != provider.id:
        raise SignInProblem(Problem.bad_state)
    if row.returned_at is not None:
        raise SignInProblem(Problem.replayed_state)
    row.returned_at = utcnow()
    session.add(row)
    return row


def check_returned(row: SsoSignIn, *, browser: str | None) -> None:
    """In time, and to the browser that began it (else a sign-in begun by someone else could be completed
    in this browser, signing it in as them)."""
    assert row.returned_at is not None
    if row.expires_at <= row.returned_at:
        raise SignInProblem(Problem.expired_state)
    if browser is None or not secrets.compare_digest(row.browser_hash, digest(browser)):
        raise SignInProblem(Problem.other_browser)


async def admit(
    session: AsyncSession, provider: OidcProvider, sign_in_id: uuid.UUID, identity: Identity, *, address: str
) -> str:
    """Decide who signs in; return the one-time hand-over secret. Raises SignInProblem, after which the
    caller rolls back: a link made by e-mail is not kept for a sign-in that was then refused."""
    user = await _linked_user(session, provider, identity, address=address)
    if user is None:
        raise SignInProblem(Problem.unknown_subject)
    await _check_may_sign_in(session, provider, user)
    handover = new_secret()
    row = await session.get(SsoSignIn, sign_in_id, with_for_update=True)
    assert row is not None and row.handover_hash is None
    row.user_id = user.id
    row.handover_hash = digest(handover)
    row.handover_expires_at = utcnow() + HANDOVER_TTL
    session.add(row)
    return handover


async def hand_over(session: AsyncSession, *, handover: str, token_ttl: timedelta, address: str) -> LoginSuccess:
    """The session token for a sign-in the provider vouched for: once, soon after, to the same browser."""
    statement = select(SsoSignIn).where(SsoSignIn.handover_hash == digest(handover)).with_for_update()
    row = (await session.exec(statement)).first()
    now = utcnow()
    if row is None or row.handed_over_at is not None or row.handover_expires_at is None:
        raise SignInProblem(Problem.handover_failed, "unknown or used")
    if row.handover_expires_at <= now:
        raise SignInProblem(Problem.handover_failed, "expired")
    user = await session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise SignInProblem(Problem.disabled_user)
    row.handed_over_at = now
    session.add(row)
    success = auth_service.start_session(session, user, token_ttl)
    await audit.record(
        session, None, "login", user_id=user.id, detail={"method": "sso", "provider": row.provider_id}, address=address
    )
    return success


async def record_refusal(
    session: AsyncSession, provider_id: str | None, problem: Problem, *, address: str, user_id: uuid.UUID | None = None
) -> None:
    detail = {"method": "sso", "reason": problem.value}
    if provider_id:
        detail["provider"] = provider_id
    await audit.record(
        session, None, "login_failed", user_id=user_id, outcome=AuditOutcome.denied, detail=detail, address=address
    )


async def _linked_user(
    session: AsyncSession, provider: OidcProvider, identity: Identity, *, address: str
) -> User | None:
    statement = (
        select(User)
        .join(IdentityLink, col(IdentityLink.user_id) == User.id)
        .where(IdentityLink.issuer == identity.issuer, IdentityLink.subject == identity.subject)
    )
    user = (await session.exec(statement)).first()
    if user is not None or not provider.link_by_email:
        return user
    return await _link_by_verified_email(session, provider, identity, address=address)


async def _link_by_verified_email(
    session: AsyncSession, provider: OidcProvider, identity: Identity, *, address: str
) -> User | None:
    """Only for a provider configured to be trusted with e-mail addresses (link_by_email): a verified
    address that is a staff account's, in one of the provider's agencies, with no link to this provider
    yet (so a second account at the provider with the same address cannot take the first one's place)."""
    if not identity.email_verified or not identity.email:
        return None
    statement = (
        select(User)
        .join(Agency, col(Agency.id) == User.agency_id)
        .where(
            User.email == identity.email.strip().lower(),
            User.kind == UserKind.staff,
            col(Agency.name).in_(provider.agencies),
        )
    )
    user = (await session.exec(statement)).first()
    if user is None:
        return None
    taken = select(IdentityLink.id).where(IdentityLink.user_id == user.id, IdentityLink.issuer == identity.issuer)
    if (await session.exec(taken)).first() is not None:
        return None
    session.add(IdentityLink(user_id=user.id, issuer=identity.issuer, subject=identity.subject))
    await audit.record(
        session,
        None,
        "identity_linked",
        user_id=user.id,
        detail={"provider": provider.id, "by": "verified_email"},
        address=address,
    )
    return user


async def _check_may_sign_in(session: AsyncSession, provider: OidcProvider, user: User) -> None:
    if user.kind != UserKind.staff:
        raise SignInProblem(Problem.unknown_subject, "a family member's account")
    if not user.is_active:
        raise SignInProblem(Problem.disabled_user)
    agency = await session.get(Agency, user.agency_id)
    if agency is None or agency.name not in provider.agencies:
        raise SignInProblem(Problem.agency_not_served)
