"""Turns outbox events into per-recipient notification rows, exactly once, with several instances.

The server injects who must know (`recipients`) and which of them may be told (`told`, its policy
enforcement point); this package makes no access decision of its own. Every recipient's row is the same
reference: the event's structure and the subject it is about, never its content (notifications/events.py).

Exactly once: an event is claimed with FOR UPDATE SKIP LOCKED and marked dispatched in the same
transaction that inserts its notifications (and (outbox_id, recipient) is unique besides). In order:
dispatching transactions are serialised by an advisory lock, so notification ids are committed in id
order (a subscriber's cursor never skips a late commit) and follow the order of the events.

Who dispatches: the transaction that made the change, just before it commits (`dispatch_appended`,
called by the server's unit of work for mutations): the notifications then commit with the change, and
no dispatcher transaction stands between a mutation's response and delivery. If that dispatch fails,
it is rolled back to a savepoint, the change still commits, and the event is announced for the
background dispatcher, which also takes every event appended elsewhere (timers, scripts).

In the background: the instance whose commit announced the event (`woken`), at once, waiting for the lock.
The others (`woken_elsewhere`) only follow up after `follow_up_seconds`, and then, like the periodic
poll, merely try the lock: if someone holds it, that one is dispatching, and an event it did not claim
is its own committer's to dispatch. So a burst does not wake every instance to queue for the lock in
turn and find nothing; an event whose committer died first is still dispatched, a follow-up later.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import outbox, transaction
from notifications.events import Event, from_json, is_urgent, stored_payload
from notifications.models import Delivery, NotificationPreference, OutboxEvent
from notifications.outbox import NOTIFICATION_CHANNEL, Appended

log = logging.getLogger("taf.notifications.dispatcher")

DISPATCH_LOCK = 727_102

Recipients = Callable[[AsyncSession, Event], Awaitable[list[uuid.UUID]]]
# Of these recipients, those who may be told of the event (who may read the record it is about).
Told = Callable[[AsyncSession, Event, list[uuid.UUID]], Awaitable[list[uuid.UUID]]]
# Optional, once per batch before the per-event calls: lets the server read what every event of the batch
# needs in a few statements instead of a few per recipient per event (the dispatcher's cost in a burst).
Prepare = Callable[[AsyncSession, list[Event]], Awaitable[None]]


class Fanout:
    """Writes the per-recipient notifications of some outbox events in the caller's transaction, and marks
    the events dispatched there. The caller holds DISPATCH_LOCK until it commits."""

    def __init__(self, *, recipients: Recipients, told: Told, prepare: Prepare | None = None) -> None:
        self.recipients = recipients
        self.told = told
        self.prepare = prepare

    async def write(self, session: AsyncSession, pending: list[Appended]) -> None:
        """One statement, whatever the number of recipients: DISPATCH_LOCK taken (if not held already) before
        the first notification's id is drawn, the notifications inserted in order from one array per column
        (constant SQL, prepared once), the events marked dispatched, and a NOTIFY if anyone was told."""
        rows = await self._notification_rows(session, pending)
        await session.exec(_WRITE, params=_write_values(rows, [appended.outbox_id for appended in pending]))

    async def rows_for(self, session: AsyncSession, events: list[tuple[dict, Event]]) -> list[dict]:
        """The notifications of events not written yet (each with its payload, as `outbox.take_unwritten` gives
        them), for a statement that writes the events and their notifications together (`dispatch_written_with`):
        each row's `outbox_id` is its event's position in `events`."""
        pending = [Appended(index, payload["type"], event) for index, (payload, event) in enumerate(events)]
        return await self._notification_rows(session, pending)

    async def _notification_rows(self, session: AsyncSession, pending: list[Appended]) -> list[dict]:
        told: list[tuple[Appended, list[uuid.UUID]]] = []
        if self.prepare is not None:
            await self.prepare(session, [appended.event for appended in pending])
        for appended in pending:
            event = appended.event
            recipients = [r for r in dict.fromkeys(await self.recipients(session, event)) if r != event.actor_user_id]
            told.append((appended, await self.told(session, event, recipients) if recipients else []))
        everyone = list({user for _, users in told for user in users})
        digest = await _digest_choices(session, everyone)
        rows = []
        for appended, users in told:
            event, subject = appended.event, appended.event.subject()
            common = {
                "outbox_id": appended.outbox_id,
                "kind": appended.kind,
                "family_id": event.family_id,
                "urgent": is_urgent(event),
                "payload": json.dumps(stored_payload(event)),  # as written, once for all its recipients
                "subject_kind": subject.kind if subject else None,
                "subject_id": subject.id if subject else None,
                "owning_agency_id": subject.owning_agency_id if subject else None,
                "category": subject.category if subject else None,
                "created_at": datetime.now(UTC),
            }
            for user in users:
                rows.append(
                    {
                        **common,
                        "recipient_user_id": user,
                        "delivery": _delivery(common["urgent"], appended.kind, user, digest).value,
                    }
                )
        return rows


async def dispatch_appended(session: AsyncSession, fanout: Fanout) -> None:
    """Dispatch the events this transaction appended (see `outbox.dispatch_at_commit`), as its last work
    before commit. A failure must not cost the change: it is rolled back to a savepoint, logged, and the
    events are announced for the background dispatcher instead."""
    pending = await outbox.take_appended(session)
    if not pending:
        return
    try:
        async with session.begin_nested():
            await fanout.write(session, pending)  # takes DISPATCH_LOCK before it inserts
    except Exception as error:  # whatever failed, the events stay in the outbox, undispatched
        log.error("dispatching at commit failed (%s); left to the background dispatcher", error)
        await outbox.announce(session, pending[-1].outbox_id)


class Dispatcher:
    def __init__(
        self,
        sessions: async_sessionmaker,
        *,
        recipients: Recipients,
        told: Told,
        prepare: Prepare | None = None,
        batch_size: int = 100,
        follow_up_seconds: float = 1.0,
    ) -> None:
        self.sessions = sessions
        self.fanout = Fanout(recipients=recipients, told=told, prepare=prepare)
        self.batch_size = batch_size
        self.follow_up_seconds = follow_up_seconds
        self.wake = asyncio.Event()
        self._own = False  # a wake-up for events this instance committed (or may have missed): wait for the lock
        self._follow_up: asyncio.TimerHandle | None = None

    def woken(self) -> None:
        """Events this instance committed (or NOTIFYs it may have missed): dispatch now."""
        self._own = True
        self.wake.set()

    def woken_elsewhere(self) -> None:
        """Events another instance committed, and will dispatch: look once, a little later, in case it died."""
        if self._follow_up is None:
            self._follow_up = asyncio.get_running_loop().call_later(self.follow_up_seconds, self._look_again)

    def _look_again(self) -> None:
        self._follow_up = None
        self.wake.set()

    async def dispatch_pending(self, *, wait_for_lock: bool = True) -> int:
        """Dispatch one batch in one transaction; return how many events it dispatched. Without
        wait_for_lock, dispatch nothing (0) while another dispatcher holds the lock."""
        async with self.sessions() as session, session.begin():
            if wait_for_lock:
                await session.exec(sa.text("SELECT pg_advisory_xact_lock(:key)"), params={"key": DISPATCH_LOCK})
            else:
                locked = await session.exec(
                    sa.text("SELECT pg_try_advisory_xact_lock(:key)"), params={"key": DISPATCH_LOCK}
                )
                if not locked.scalar_one():
                    return 0
            claimed = (await session.exec(self._pending())).all()
            if not claimed:
                return 0
            await self.fanout.write(
                session, [Appended(row.id, row.kind, from_json(row.payload)) for row in claimed if row.id is not None]
            )
        return len(claimed)

    def _pending(self):
        return (
            select(OutboxEvent)
            .where(col(OutboxEvent.dispatched_at).is_(None))
            .order_by(col(OutboxEvent.id))
            .limit(self.batch_size)
            .with_for_update(skip_locked=True)
        )

    async def run(self, *, poll_interval: float = 5.0) -> None:
        """Dispatch whenever woken (an outbox NOTIFY, a bus reconnect) and every poll_interval besides."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=poll_interval)
            own, self._own = self._own, False
            self.wake.clear()
            try:
                while await self.dispatch_pending(wait_for_lock=own) == self.batch_size:
                    pass
            except (OSError, sa.exc.SQLAlchemyError) as error:
                # The events stay in the outbox, undispatched: the next round retries them.
                log.error("dispatching notifications failed (%s); will retry", error)
                await asyncio.sleep(1)


# The notifications' columns as the statement reads them from the rows' JSON.
_SQL_TYPES = {
    "outbox_id": "bigint",
    "recipient_user_id": "uuid",
    "kind": "text",
    "family_id": "uuid",
    "urgent": "boolean",
    "delivery": "text",
    "payload": "text",  # JSON text (the event's stored payload), cast to jsonb in the statement
    "subject_kind": "text",
    "subject_id": "uuid",
    "owning_agency_id": "uuid",
    "category": "text",
    "created_at": "timestamptz",
}
_COLUMNS = tuple(_SQL_TYPES)
# The rows arrive as one JSON text: asyncpg encodes twelve arrays of a team's size value by value (~0.23 ms of CPU
# for 32 recipients), one text of the same rows in ~0.07 ms. It is read through a scalar subquery, so that every plan
# expects the same rows whatever the number told, and the connection's one plan is kept.
_ROWS_FROM = (
    "ROWS FROM (jsonb_to_recordset(CAST((SELECT :{name}) AS jsonb))"
    f" AS ({', '.join(f'{column} {sql_type}' for column, sql_type in _SQL_TYPES.items())}))"
    f" WITH ORDINALITY AS r({', '.join(_COLUMNS)}, n)"
)
_INSERT = (
    f"INSERT INTO notification ({', '.join(_COLUMNS)})"
    " SELECT {outbox_id}, r.recipient_user_id, r.kind, r.family_id, r.urgent, r.delivery, CAST(r.payload AS jsonb),"
    "        r.subject_kind, r.subject_id, r.owning_agency_id, r.category, r.created_at"
)
_WRITE_SQL = (
    "WITH locked AS (SELECT pg_advisory_xact_lock(:lock)),"  # noqa: S608 (constant text: every value is bound)
    f" inserted AS ({_INSERT.format(outbox_id='r.outbox_id')}"
    f"  FROM {_ROWS_FROM.format(name='rows')}"
    "   CROSS JOIN locked ORDER BY r.n"
    "   ON CONFLICT ON CONSTRAINT uq_notification_outbox_recipient DO NOTHING RETURNING 1),"
    " marked AS (UPDATE notification_outbox SET dispatched_at = :at"
    "  WHERE id = ANY (CAST((SELECT :ids) AS BIGINT[])) RETURNING 1)"
    " SELECT pg_notify(:channel, '')"
    " FROM (SELECT count(*) FROM inserted) AS told(n), (SELECT count(*) FROM marked) AS done(n) WHERE told.n > 0"
)
_WRITE_PARAMETERS = (
    sa.bindparam("rows", type_=sa.String()),
    sa.bindparam("ids", type_=sa.ARRAY(sa.BigInteger())),
    sa.bindparam("at", type_=sa.DateTime(timezone=True)),
)
_WRITE = sa.text(_WRITE_SQL).bindparams(*_WRITE_PARAMETERS)


def _write_values(rows: list[dict], outbox_ids: list[int]) -> dict:
    """The write's values: the notifications, and the events they dispatch."""
    return {
        "rows": _rows_text(rows),
        "lock": DISPATCH_LOCK,
        "ids": outbox_ids,
        "at": datetime.now(UTC),
        "channel": NOTIFICATION_CHANNEL,
    }


def _rows_text(rows: list[dict]) -> str:
    """The notifications' rows (`_COLUMNS`, each) as one JSON array: ids and times as text, which PostgreSQL reads
    back as they were."""
    return orjson.dumps(rows, default=_uuid_text).decode()


def _uuid_text(value: object) -> str:
    """A UUID orjson does not write itself (asyncpg's subclass, read from a row): its text; anything else is a
    defect, as for orjson."""
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} in a notification's row")


# The same write for a statement that writes the events too (server/writes.py, a change written optimistically):
# each event a CTE `<events>0`, `<events>1`, ... returning its id, written already dispatched; DISPATCH_LOCK taken
# earlier in the statement, before anything that draws a notification's id. Each notification names its event by
# position (its `outbox_id`, `Fanout.rows_for`), and is inserted only if its event was. Its values are
# `dispatch_values`', named `prefix` + name.
_WRITTEN_WITH = (
    _INSERT.format(outbox_id="ev.id") + " FROM {rows} JOIN ({events}) AS ev(i, id) ON ev.i = r.outbox_id"
    " ORDER BY r.n"
    " ON CONFLICT ON CONSTRAINT uq_notification_outbox_recipient DO NOTHING RETURNING 1"
)
_NOTIFY_TOLD = "SELECT pg_notify(:{prefix}channel, '') FROM (SELECT count(*) FROM {told}) AS t(n) WHERE t.n > 0"


def dispatch_written_with(events: str, count: int, told: str, prefix: str) -> tuple[sa.TextClause, sa.TextClause]:
    """The notification insert and its NOTIFY (if anyone was told), each the body of a CTE, the insert's to be named
    `told`, for a statement that writes `count` events as CTEs named `events` + their position."""
    positions = " UNION ALL ".join(f"SELECT {index}, id FROM {events}{index}" for index in range(count))  # noqa: S608
    rows = _ROWS_FROM.format(name=f"{prefix}rows")
    insert = sa.text(_WRITTEN_WITH.format(rows=rows, events=positions)).bindparams(
        sa.bindparam(f"{prefix}rows", type_=sa.String())
    )
    notify = sa.text(_NOTIFY_TOLD.format(prefix=prefix, told=told)).bindparams(
        sa.bindparam(f"{prefix}channel", type_=sa.String())
    )
    return insert, notify


def dispatch_values(rows: list[dict], prefix: str) -> dict:
    """`dispatch_written_with`'s values for `Fanout.rows_for`'s rows."""
    return {f"{prefix}rows": _rows_text(rows), f"{prefix}channel": NOTIFICATION_CHANNEL}


@dataclass
class DigestChoices:
    """The kinds of notification each user takes in the daily digest, as read in this transaction with
    something else (a family's team, by the audience's `prepare`): not read again."""

    known: dict[uuid.UUID, frozenset[str]] = field(default_factory=dict)


async def _digest_choices(session: AsyncSession, users: list[uuid.UUID]) -> set[tuple[uuid.UUID, str]]:
    known = transaction.state(session, DigestChoices).known
    chosen = {(user, kind) for user in users if user in known for kind in known[user]}
    missing = [user for user in users if user not in known]
    if not missing:
        return chosen
    statement = select(NotificationPreference.user_id, NotificationPreference.kind).where(
        col(NotificationPreference.user_id).in_(missing),
        NotificationPreference.delivery == Delivery.daily_digest.value,
    )
    return chosen | {(user, kind) for user, kind in (await session.exec(statement)).all()}


def _delivery(urgent: bool, kind: str, user: uuid.UUID, digest: set[tuple[uuid.UUID, str]]) -> Delivery:
    # Urgent escalations cannot be muted: they are delivered live whatever the recipient chose.
    if urgent or (user, kind) not in digest:
        return Delivery.live
    return Delivery.daily_digest


class DispatchThread:
    """The dispatcher on an event loop of its own, in a thread of its own, with its own small pool.

    Why: on an instance busy serving requests, each of the dispatcher's awaits (about ten statements per
    batch) would wait behind every request callback queued on the shared loop, and in a burst of
    mutations that wait is most of the time from a commit to its notifications (about 80 of 100 ms at the
    median, bench/results/notifications.md). On its own loop, PostgreSQL's answer resumes the dispatcher
    as soon as the interpreter lock is free, whatever the request loop has queued. What the injected
    callables read must therefore be safe to share across threads (the server's policy enforcer is
    built at start-up and never written to).

    `build` runs on the thread's loop, so what it opens (the engine's pool) belongs to that loop; it
    returns the dispatcher and what closes what it opened, awaited when the thread stops.
    """

    def __init__(
        self, build: Callable[[], tuple[Dispatcher, Callable[[], Awaitable[None]]]], *, poll_interval: float
    ) -> None:
        self.build = build
        self.poll_interval = poll_interval
        self.dispatcher: Dispatcher | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    def start(self) -> None:
        self._thread = threading.Thread(target=asyncio.run, args=(self._run(),), name="taf-dispatcher", daemon=True)
        self._thread.start()
        self._ready.wait(timeout=30)

    def call(self, method: Callable[[Dispatcher], None]) -> None:
        """Run a (non-blocking) Dispatcher method on the dispatcher's loop; safe from any thread."""
        if self._loop is not None and self.dispatcher is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: stopping
                self._loop.call_soon_threadsafe(method, self.dispatcher)

    def stop(self) -> None:
        if self._loop is not None and self._task is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._task.cancel)
        if self._thread is not None:
            self._thread.join(timeout=30)

    async def _run(self) -> None:
        self.dispatcher, close = self.build()
        self._loop, self._task = asyncio.get_running_loop(), asyncio.current_task()
        self._ready.set()
        try:
            await self.dispatcher.run(poll_interval=self.poll_interval)
        except asyncio.CancelledError:
            pass
        finally:
            await close()
