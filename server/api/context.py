"""The typed GraphQL context, built once per HTTP request (and once per websocket connection)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response

from notifications.bus import Bus
from notifications.dispatcher import Fanout
from server import ratelimit
from server.access.actor import Actor
from server.access.enforcer import PolicyEnforcer
from server.access.pep import AccessControl
from server.api.loaders import Loaders
from server.auth.service import TokenProblem
from server.config import Settings
from server.db.engine import SessionFactory, read_session
from server.errors import Unauthenticated, Unavailable
from server.inbox.sockets import SignedInSockets

_TOKEN_MESSAGES = {
    TokenProblem.missing: "Sign in to do that.",
    TokenProblem.invalid: "Your session is not valid. Sign in again.",
    TokenProblem.expired: "Your session has expired. Sign in again.",
}


@dataclass
class Context:
    request: Request | Any
    response: Response | Any
    settings: Settings
    sessions: SessionFactory
    enforcer: PolicyEnforcer
    loaders: Loaders
    bus: Bus | None = None  # this process's notification bus (subscriptions)
    sign_ins: SignedInSockets | None = None  # this process's sockets by sign-in (ended sign-ins, at once)
    fanout: Fanout | None = None  # a mutation's events are dispatched in its own transaction, with this
    actor: Actor | None = None
    token_problem: TokenProblem = TokenProblem.missing
    database_down: bool = False
    connection_params: dict[str, Any] | None = None  # the websocket's connection_init payload
    engine: AsyncEngine | None = None  # for one statement on a pooled connection, outside a session (compiled reads)
    _access: AccessControl | None = None

    @property
    def address(self) -> str:
        client = getattr(self.request, "client", None)
        return client.host if client else "unknown"

    async def spend(self, bucket: str, *, by_address: bool = False) -> None:
        """Count one expensive call against the caller's budget (per user; per address when no one is
        signed in); RATE_LIMITED with retryAfterSeconds when it is spent."""
        settings = self.settings
        limit, what = {
            "report": (settings.rate_reports_per_window, "reports"),
            "search": (settings.rate_searches_per_window, "searches"),
            "invite": (settings.rate_invites_per_window, "additions"),
            "reset_link": (settings.rate_invites_per_window, "password links"),
            "anonymous": (settings.rate_anonymous_per_window, "attempts from your address"),
        }[bucket]
        known = self.actor is not None and not by_address
        subject = f"user:{self.actor.user_id}" if known else f"address:{self.address}"  # type: ignore[union-attr]
        budget = ratelimit.Budget(bucket, limit, settings.rate_window_seconds, what)
        await ratelimit.spend(self.sessions, budget, subject, engine=self.engine)

    def require_actor(self) -> Actor:
        if self.actor is None:
            if self.database_down:
                raise Unavailable("The service is briefly unavailable. Try again in a moment.")
            raise Unauthenticated(_TOKEN_MESSAGES[self.token_problem])
        return self.actor

    @property
    def access(self) -> AccessControl:
        actor = self.require_actor()
        if self._access is None:
            self._access = AccessControl(self.enforcer, actor)
        return self._access

    def read(self) -> Any:
        """A short session for one resolver's reads."""
        self.require_actor()
        return read_session(self.sessions)
