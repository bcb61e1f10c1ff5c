"""One LISTEN connection per process: wakes the dispatcher and fans new notifications out to this
process's subscribers.

NOTIFY carries no data we rely on: it is only a wake-up. The rows are read from the table from the last
id this process has seen, so notifications sent while the connection was down (PostgreSQL drops them)
are read on reconnect, and nothing committed is missed. Each subscriber has a bounded queue: one that
falls behind is dropped (its stream ends with `Dropped`) and resumes from its own cursor, so a slow
client never slows anyone else.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from notifications.outbox import NOTIFICATION_CHANNEL, OUTBOX_CHANNEL, REVOCATION_CHANNEL

log = logging.getLogger("taf.notifications.bus")

BUS_APPLICATION_NAME = "taf-bus"


@dataclass(frozen=True, slots=True)
class Record:
    """One delivered notification, as the stream hands it to the server."""

    id: int
    recipient_user_id: uuid.UUID
    kind: str
    family_id: uuid.UUID
    urgent: bool
    payload: dict
    created_at: datetime
    read_at: datetime | None = None
    acknowledged_at: datetime | None = None
    subject_kind: str | None = None  # the case content it is about, by reference (notifications/models.py)
    subject_id: uuid.UUID | None = None
    category: str | None = None
    # What the server rendered of the subject for this recipient when admitting it (opaque to this package).
    rendered: Any = None


RECORD_COLUMNS = (
    "id, recipient_user_id, kind, family_id, urgent, payload, created_at, read_at, acknowledged_at,"
    " subject_kind, subject_id, category"
)


def record_from(row) -> Record:
    payload = row["payload"]
    return Record(
        id=row["id"],
        recipient_user_id=uuid.UUID(str(row["recipient_user_id"])),
        kind=row["kind"],
        family_id=uuid.UUID(str(row["family_id"])),
        urgent=row["urgent"],
        payload=json.loads(payload) if isinstance(payload, str) else payload,
        created_at=row["created_at"],
        read_at=row["read_at"],
        acknowledged_at=row["acknowledged_at"],
        subject_kind=row["subject_kind"],
        subject_id=uuid.UUID(str(row["subject_id"])) if row["subject_id"] is not None else None,
        category=row["category"],
    )


class Dropped(Exception):
    """The subscriber fell too far behind (or the bus stopped); resume from the last id received."""


# The server's check at fan-out time, for every subscriber of a drain at once: given (each subscriber's
# `admission` object, the records for it), the records each may receive, in the same order.
AdmitMany = Callable[[list[tuple[object, list["Record"]]]], Awaitable[list[list["Record"]]]]


class Subscriber:
    def __init__(self, bus: Bus, recipient_id: uuid.UUID, maxsize: int, admission: object = None) -> None:
        self.bus = bus
        self.recipient_id = recipient_id
        self.admission = admission  # what the server's AdmitMany needs to decide for this subscriber
        self.queue: asyncio.Queue[Record | None] = asyncio.Queue(maxsize)

    def offer(self, record: Record) -> bool:
        try:
            self.queue.put_nowait(record)
            return True
        except asyncio.QueueFull:
            return False

    def end(self) -> None:
        """Replace whatever is queued by the end marker (the consumer resumes from its cursor)."""
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)

    async def next_batch(self, limit: int = 200) -> list[Record]:
        """Wait for at least one record, then take what else is already queued (up to limit)."""
        first = await self.queue.get()
        batch = [first]
        while first is not None and len(batch) < limit and not self.queue.empty():
            batch.append(self.queue.get_nowait())
            if batch[-1] is None:
                break
        if batch[-1] is None:
            raise Dropped("fell behind")
        return batch  # type: ignore[return-value]

    def close(self) -> None:
        self.bus.unsubscribe(self)


class Bus:
    def __init__(
        self,
        dsn: str,
        *,
        on_outbox: Callable[[str | None], None] = lambda _notice: None,
        on_revoked: Callable[[str], None] = lambda _payload: None,
        on_listening: Callable[[], Awaitable[None]] | None = None,
        admit: AdmitMany | None = None,
        queue_size: int = 1000,
        probe_interval: float = 10.0,
        application_name: str = BUS_APPLICATION_NAME,
    ) -> None:
        self.dsn = dsn
        self.on_outbox = on_outbox  # an outbox NOTIFY's payload; None on (re)connect, when any may have been missed
        self.on_revoked = on_revoked  # a revocation NOTIFY's payload, as soon as it arrives
        # Awaited on every (re)connect before anything is delivered: notices sent meanwhile reached nobody.
        self.on_listening = on_listening
        # With `admit`, what each subscriber may receive is decided once per drain for all of them (a few
        # statements), not by each stream on its own (a few per subscriber per batch).
        self.admit = admit
        self.queue_size = queue_size
        self.probe_interval = probe_interval
        self.application_name = application_name
        self.connected = asyncio.Event()
        self.last_id = 0
        self.reconnects = 0
        self._subscribers: dict[uuid.UUID, set[Subscriber]] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="notification-bus")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for subscribers in list(self._subscribers.values()):
            for subscriber in list(subscribers):
                subscriber.end()
        self._subscribers.clear()

    def subscribe(self, recipient_id: uuid.UUID, admission: object = None) -> Subscriber:
        """Register before replaying from the table, so nothing committed in between is missed."""
        subscriber = Subscriber(self, recipient_id, self.queue_size, admission)
        self._subscribers.setdefault(recipient_id, set()).add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        subscribers = self._subscribers.get(subscriber.recipient_id)
        if subscribers is not None:
            subscribers.discard(subscriber)
            if not subscribers:
                del self._subscribers[subscriber.recipient_id]

    @property
    def subscriber_count(self) -> int:
        return sum(len(subscribers) for subscribers in self._subscribers.values())

    async def _run(self) -> None:
        delay = 0.2
        while True:
            connection: asyncpg.Connection | None = None
            try:
                connection = await self._connect()
                delay = 0.2
                await self._listen(connection)
            except asyncio.CancelledError:
                raise
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as error:
                log.warning("notification bus connection lost (%s); reconnecting", error)
            finally:
                self.connected.clear()
                if connection is not None and not connection.is_closed():
                    connection.terminate()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
            self.reconnects += 1

    async def _connect(self) -> asyncpg.Connection:
        connection = await asyncpg.connect(
            self.dsn, server_settings={"application_name": self.application_name}, timeout=10
        )
        if self.last_id == 0:
            self.last_id = await connection.fetchval("SELECT coalesce(max(id), 0) FROM notification")
        return connection

    async def _listen(self, connection: asyncpg.Connection) -> None:
        lost = asyncio.Event()

        def on_lost(_connection: object) -> None:
            lost.set()
            self._wake.set()

        connection.add_termination_listener(on_lost)
        await connection.add_listener(OUTBOX_CHANNEL, lambda _c, _p, _ch, payload: self.on_outbox(payload))
        await connection.add_listener(NOTIFICATION_CHANNEL, lambda *_: self._wake.set())
        await connection.add_listener(REVOCATION_CHANNEL, lambda _c, _p, _ch, payload: self.on_revoked(payload))
        self.connected.set()
        self.on_outbox(None)  # events appended while we were not listening were announced to nobody
        if self.on_listening is not None:
            await self.on_listening()
        await self._drain(connection)
        while not lost.is_set():
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.probe_interval)
            except TimeoutError:
                # A half-open TCP connection raises nothing by itself: probe it.
                await asyncio.wait_for(connection.fetchval("SELECT 1"), timeout=5)
                continue
            self._wake.clear()
            if lost.is_set():
                break
            await self._drain(connection)
        raise ConnectionResetError("LISTEN connection terminated")

    async def _drain(self, connection: asyncpg.Connection) -> None:
        top = await connection.fetchval("SELECT coalesce(max(id), 0) FROM notification")
        if top < self.last_id:  # the table was re-created under us (a dev reseed): start over
            self.last_id = 0
        if top == self.last_id:
            return
        recipients = list(self._subscribers)
        if recipients:
            rows = await connection.fetch(
                f"SELECT {RECORD_COLUMNS} FROM notification WHERE id > $1 AND id <= $2"  # noqa: S608
                " AND delivery = 'live' AND recipient_user_id = ANY($3::uuid[]) ORDER BY id",
                self.last_id,
                top,
                recipients,
            )
            await self._fan_out([record_from(row) for row in rows])
        self.last_id = top

    async def _fan_out(self, records: list[Record]) -> None:
        mine: dict[Subscriber, list[Record]] = {}
        for record in records:
            for subscriber in self._subscribers.get(record.recipient_user_id, ()):
                mine.setdefault(subscriber, []).append(record)
        if self.admit is not None and mine:
            subscribers = list(mine)
            try:
                allowed = await self.admit([(subscriber.admission, mine[subscriber]) for subscriber in subscribers])
            except Exception:
                log.warning("checking deliveries failed; subscribers resume from their cursors", exc_info=True)
                allowed = None
            for i, subscriber in enumerate(subscribers):
                if allowed is None:
                    self._drop(subscriber)
                else:
                    mine[subscriber] = allowed[i]
        for subscriber, batch in mine.items():
            for record in batch:
                if subscriber not in self._subscribers.get(subscriber.recipient_id, ()):
                    break  # dropped (or gone) meanwhile
                if not subscriber.offer(record):
                    log.info("dropping a subscriber of %s that fell behind", record.recipient_user_id)
                    self._drop(subscriber)
                    break

    def _drop(self, subscriber: Subscriber) -> None:
        self.unsubscribe(subscriber)
        subscriber.end()
