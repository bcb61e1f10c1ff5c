"""The open websockets of this process by sign-in, so that signing out closes them at once on every
instance, even when no notification is flowing.

Signing out NOTIFYs the revoked sign-in's id on a channel every instance's bus listens to (in the
transaction that revokes it, so only a committed sign-out closes anything); each instance closes its
sockets of that sign-in with 4403. NOTIFY is lost while an instance's LISTEN connection is down, so on
every (re)connect, and every `sweep_seconds` besides, the instance checks its open sign-ins against the
table and closes those revoked or expired (or whose account was deactivated) meanwhile.

It also remembers, for a minute, the sign-ins it learnt had ended: the live stream checks that in memory
before each delivery (and the table only every `recheck_seconds`), and a socket registering just after
its sign-out notice passed is closed at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable

import sqlalchemy as sa

from server.auth import service as auth_service
from server.db.engine import SessionFactory

log = logging.getLogger("taf.notifications.sockets")

Closer = Callable[[], Awaitable[None]]

REMEMBER_SECONDS = 60.0


class SignedInSockets:
    def __init__(self, sessions: SessionFactory) -> None:
        self.sessions = sessions
        self._by_token: dict[uuid.UUID, set[Closer]] = {}
        self._tasks: set[asyncio.Task] = set()
        self._ended: dict[uuid.UUID, float] = {}  # sign-in -> when this process learnt it had ended

    def add(self, token_id: uuid.UUID, close: Closer) -> None:
        self._by_token.setdefault(token_id, set()).add(close)
        if self.has_ended(token_id):
            self._close(token_id)

    def has_ended(self, token_id: uuid.UUID | None) -> bool:
        return token_id in self._ended

    def discard(self, token_id: uuid.UUID, close: Closer) -> None:
        closers = self._by_token.get(token_id)
        if closers is not None:
            closers.discard(close)
            if not closers:
                del self._by_token[token_id]

    @property
    def count(self) -> int:
        return sum(len(closers) for closers in self._by_token.values())

    def revoked(self, payload: str) -> None:
        """A revocation NOTIFY (called by the bus, synchronously)."""
        try:
            token_id = uuid.UUID(payload)
        except ValueError:
            log.warning("ignoring a malformed revocation notice")
            return
        self._close(token_id)

    async def sweep(self) -> None:
        """Close the sockets whose sign-in ended while no revocation notice could reach this instance."""
        if not self._by_token:
            return
        try:
            async with self.sessions() as session:
                ended = await auth_service.ended_sign_ins(session, list(self._by_token))
        except (OSError, sa.exc.SQLAlchemyError) as error:
            log.warning("checking open sign-ins failed (%s); will retry", error)
            return
        for token_id in ended:
            self._close(token_id)

    async def run(self, *, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            await self.sweep()

    def _close(self, token_id: uuid.UUID) -> None:
        now = time.monotonic()
        self._ended[token_id] = now
        for old in [t for t, at in self._ended.items() if now - at > REMEMBER_SECONDS]:
            del self._ended[old]
        for close in self._by_token.pop(token_id, set()):
            self._spawn(close())

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
