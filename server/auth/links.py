"""One-time links that let someone set a password: portal invitations (server/portal/) and password reset
links (server/password_reset/). There is no e-mail server, so whoever issues a link sees it once and hands
it over. Each works the same way:

- the token is 256 random bits sent only in the link; the database keeps its SHA-256, so a database leak
  yields no usable link;
- a link works once, until it expires or is cancelled (a newer link for the same person cancels it);
- using one counts towards the sign-in limits (for the caller's address and for the link itself), so links
  cannot be guessed at speed, and a refusal is returned rather than raised, so the failed attempt is kept.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth import service as auth_service
from server.auth.service import LoginLimits, token_digest
from server.clock import utcnow
from server.errors import RateLimited, TafError
from server.user.models import User


class LinkState(StrEnum):
    pending = "pending"
    used = "used"
    expired = "expired"
    revoked = "revoked"


def state_of(*, used_at: datetime | None, revoked_at: datetime | None, expires_at: datetime) -> LinkState:
    if used_at is not None:
        return LinkState.used
    if revoked_at is not None:
        return LinkState.revoked
    if expires_at <= utcnow():
        return LinkState.expired
    return LinkState.pending


@dataclass(frozen=True)
class NewLink:
    token: str  # goes in the link, never stored
    digest: str  # stored


def new_link() -> NewLink:
    token = secrets.token_urlsafe(32)
    return NewLink(token, token_digest(token))


def url(public_origin: str, route: str, token: str) -> str:
    """The link the issuer hands over: the web front end's `route` (e.g. "/portal/invite") with the token."""
    return f"{public_origin.rstrip('/')}/#{route}/{token}"


@dataclass(frozen=True)
class Refusal:
    """A refused use of a link: returned, not raised, so that the caller commits the failed attempt."""

    error: TafError


class Attempt:
    """One use of a link, counted like a sign-in under the account name `<kind>:<part of the digest>`."""

    def __init__(self, session: AsyncSession, *, kind: str, token: str, address: str, limits: LoginLimits) -> None:
        self.session = session
        self.digest = token_digest(token.replace("\x00", "").strip())
        self.account = f"{kind}:{self.digest[:32]}"
        self.address = address
        self.limits = limits

    async def over_limit(self) -> Refusal | None:
        if not await auth_service.over_limit(self.session, self.account, self.address, self.limits):
            return None
        await self.failed("rate_limited")
        minutes = int(self.limits.window.total_seconds() // 60)
        return Refusal(RateLimited(f"Too many attempts. Wait {minutes} minutes and try again."))

    async def failed(self, why: str) -> None:
        await auth_service.note_attempt(self.session, self.account, self.address, None, succeeded=False, why=why)

    async def succeeded(self, user: User) -> None:
        await auth_service.note_attempt(self.session, self.account, self.address, user, succeeded=True, why=None)
