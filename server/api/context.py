"""The typed GraphQL context, built once per HTTP request (and once per websocket connection)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from notifications import outbox
from notifications.bus import Bus
from notifications.dispatcher import Fanout, dispatch_appended
from server import idempotency, ratelimit
from server.access.actor import Actor
from server.access.enforcer import PolicyEnforcer
from server.access.pep import AccessControl
from server.api.loaders import Loaders
from server.audit import service as audit
from server.audit.models import AuditOutcome
from server.auth.service import TokenProblem
from server.config import Settings
from server.db.engine import SessionFactory, read_session, unit_of_work
from server.errors import Forbidden, NotFound, Unauthenticated, Unavailable
from server.inbox.sockets import SignedInSockets

_TOKEN_MESSAGES = {
    TokenProblem.missing: "Sign in to do that.",
    TokenProblem.invalid: "Your session is not valid. Sign in again.",
    TokenProblem.expired: "Your session has expired. Sign in again.",
}

T = TypeVar("T")


@dataclass
class Change:
    """The transaction of one mutation; the resolver names the family it touched for the audit log."""

    session: AsyncSession
    family_id: uuid.UUID | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    replayed_id: uuid.UUID | None = None  # a retry: the id created under the same idempotency key
    result_id: uuid.UUID | None = None  # what this change created, remembered under its idempotency key
    access: AccessControl | None = None

    async def replay(self, model: type[T]) -> T:
        """The item created under this idempotency key before, if the caller may still see its family."""
        assert self.replayed_id is not None and self.access is not None
        row = await self.session.get(model, self.replayed_id)
        if row is None:
            raise NotFound("That item no longer exists.")
        family_id = getattr(row, "family_id", None) or row.id  # type: ignore[attr-defined]
        await self.access.require_visible_family(self.session, family_id)
        self.family_id = family_id
        return row


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
            "anonymous": (settings.rate_anonymous_per_window, "attempts from your address"),
        }[bucket]
        known = self.actor is not None and not by_address
        subject = f"user:{self.actor.user_id}" if known else f"address:{self.address}"  # type: ignore[union-attr]
        budget = ratelimit.Budget(bucket, limit, settings.rate_window_seconds, what)
        await ratelimit.spend(self.sessions, budget, subject)

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

    @asynccontextmanager
    async def change(
        self, action: str, *, family_id: uuid.UUID | None = None, idempotency_key: str | None = None
    ) -> AsyncIterator[Change]:
        """Run one mutation in one transaction, audited: allowed changes in the same transaction,
        refusals in a transaction of their own (the change itself rolled back). With an idempotency key,
        a retry finds `replayed_id` set and must return that item instead of creating another. The events
        the change caused are dispatched last, so their notifications commit with it: no dispatcher
        transaction stands between the response and their delivery."""
        actor = self.require_actor()
        change: Change | None = None
        try:
            async with unit_of_work(self.sessions) as session:
                if self.fanout is not None:
                    outbox.dispatch_at_commit(session)
                change = Change(session=session, family_id=family_id, access=self.access)
                if idempotency_key is not None:
                    change.replayed_id = await idempotency.claim(
                        session, user_id=actor.user_id, key=idempotency_key, action=action
                    )
                    change.detail["idempotencyKeyReplayed"] = change.replayed_id is not None
                yield change
                if idempotency_key is not None and change.result_id is not None:
                    await idempotency.record_result(
                        session, user_id=actor.user_id, key=idempotency_key, result_id=change.result_id
                    )
                await audit.record(
                    session,
                    actor,
                    action,
                    family_id=change.family_id,
                    detail=change.detail,
                    address=self.address,
                )
                if self.fanout is not None:
                    await dispatch_appended(session, self.fanout)
        except (Forbidden, NotFound) as refusal:
            self.access.denials.clear()  # this one event records the refusal
            async with unit_of_work(self.sessions) as session:
                await audit.record(
                    session,
                    actor,
                    action,
                    family_id=change.family_id if change else family_id,
                    outcome=AuditOutcome.denied,
                    detail={"code": refusal.code},
                    address=self.address,
                )
            raise
        finally:
            self.access.forget()
            self.loaders.forget()
