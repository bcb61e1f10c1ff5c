"""Password reset links: an administrator, or a practitioner's own manager, issues a one-time link (there is
no e-mail server, so the issuer hands it over, as with portal invitations: server/auth/links.py); whoever
opens it chooses a new password, every sign-in of the account ends, and they are signed in.

A link works once, until it expires (TAF_PASSWORD_RESET_HOURS) or is cancelled: issuing another for the same
account, deactivating the account and using the link cancel the others. Accounts whose agency signs in only
through its organisation have no password here, so no link is issued for them."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Act
from server.access.facts import account_facts
from server.access.kinds import Kind
from server.access.pep import ACCOUNT_NOT_FOUND, AccessControl
from server.agency.models import Agency
from server.audit import service as audit
from server.auth import links
from server.auth import service as auth_service
from server.auth.links import Attempt, LinkState, Refusal
from server.auth.passwords import hash_password
from server.auth.service import LoginLimits, LoginSuccess
from server.clock import utcnow
from server.errors import Conflict, NotFound, TafError
from server.password_reset.models import PasswordReset
from server.user.models import User, UserKind

ROUTE = "/reset-password"  # the web front end's page the link opens
NOT_VALID = "This link is not valid. Check you copied all of it, or ask your manager or administrator for a new one."
USED = "This link has already been used. Sign in with your new password, or ask for a new link if you need one."
EXPIRED = "This link has expired. Ask your manager or administrator for a new one."
REVOKED = "This link has been replaced or cancelled. Use the newest link you were given, or ask for a new one."
SSO_ONLY = "This account signs in with its organisation's own account, so it has no password here to reset."


@dataclass(frozen=True)
class Issued:
    reset: PasswordReset
    user: User
    token: str


async def issue(
    session: AsyncSession, access: AccessControl, *, user_id: uuid.UUID, ttl: timedelta, first: bool = False
) -> Issued:
    """A new link for the account; its earlier pending links stop working. `first`: the link of a new account
    (set by the same administrator who created it, so the decision is the same)."""
    user = await session.get(User, user_id, with_for_update=True)
    if user is None or user.kind != UserKind.staff or user.agency_id is None or user.role is None:
        raise NotFound(ACCOUNT_NOT_FOUND)
    access.require_account(Act.create, Kind.password_reset, account_facts(user.agency_id, user.role.value))
    if not user.is_active:
        raise Conflict("This account is deactivated. Reactivate it before giving it a new password.")
    if await _sso_only(session, user):
        raise Conflict(SSO_ONLY)
    await revoke_pending(session, user.id)
    link = links.new_link()
    now = utcnow()
    row = PasswordReset(
        user_id=user.id,
        token_hash=link.digest,
        issued_by_user_id=access.actor.user_id,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(row)
    await session.flush()
    return Issued(row, user, link.token)


async def revoke_pending(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.exec(
        sa.update(PasswordReset)
        .where(
            PasswordReset.user_id == user_id,
            col(PasswordReset.used_at).is_(None),
            col(PasswordReset.revoked_at).is_(None),
        )
        .values(revoked_at=utcnow())
    )


async def redeem(
    session: AsyncSession,
    *,
    token: str,
    password: str,
    address: str,
    limits: LoginLimits,
    token_ttl: timedelta,
) -> LoginSuccess | Refusal:
    """Set the account's password from a valid link, end its other sign-ins and sign it in. Failures count
    towards the sign-in limits for the address (and for this link), like sign-in itself."""
    attempt = Attempt(session, kind="reset", token=token, address=address, limits=limits)
    if refusal := await attempt.over_limit():
        return refusal
    statement = select(PasswordReset).where(PasswordReset.token_hash == attempt.digest).with_for_update()
    row = (await session.exec(statement)).first()
    user = await session.get(User, row.user_id, with_for_update=True) if row else None
    problem = await _problem(session, row, user)
    if problem is not None:
        await attempt.failed(problem[1])
        return Refusal(problem[0])
    assert row is not None and user is not None
    user.password_hash = await asyncio.to_thread(hash_password, password, field="newPassword")
    user.updated_at = utcnow()
    session.add(user)
    row.used_at = utcnow()
    session.add(row)
    await session.flush()
    ended = await auth_service.end_sign_ins(session, user.id)
    await attempt.succeeded(user)
    await audit.record(
        session,
        None,
        "passwordResetRedeem",
        user_id=user.id,
        detail={"resetId": str(row.id), "signInsEnded": ended},
        address=address,
    )
    return auth_service.start_session(session, user, token_ttl)


async def _problem(session: AsyncSession, row: PasswordReset | None, user: User | None) -> tuple[TafError, str] | None:
    if row is None or user is None:
        return NotFound(NOT_VALID), "reset_unknown"
    state = links.state_of(used_at=row.used_at, revoked_at=row.revoked_at, expires_at=row.expires_at)
    if state is not LinkState.pending:
        message = {LinkState.used: USED, LinkState.expired: EXPIRED, LinkState.revoked: REVOKED}[state]
        return Conflict(message), f"reset_{state.value}"
    if not user.is_active:  # deactivation cancels pending links; this holds even if one slipped through
        return Conflict(REVOKED), "reset_account_deactivated"
    if await _sso_only(session, user):
        return Conflict(SSO_ONLY), "reset_sso_only"
    return None


async def _sso_only(session: AsyncSession, user: User) -> bool:
    agency = await session.get(Agency, user.agency_id) if user.agency_id else None
    return agency is not None and agency.sso_only
