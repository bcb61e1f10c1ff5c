"""append(session, event): write an event in the caller's transaction (no change without its event).

Ordering rule: publishers take one transaction-scoped advisory lock before inserting, so outbox ids are
committed in id order. A reader that remembers the last id it saw can then never skip a row that
commits later with a lower id (the gap hazard of sequences under concurrent transactions).

Who dispatches: a transaction marked with `dispatch_at_commit` promises to dispatch its own events
before it commits (notifications/dispatcher.py `dispatch_appended`); its events are only remembered in
the session, and written with the change's other rows in its batched write (server/writes.py `flush`, which
returns their ids), or by `take_appended` if none came. Any other transaction writes each event at once and
announces it with a NOTIFY for the background dispatcher.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import transaction
from notifications.events import Event, to_json
from notifications.models import OutboxEvent

OUTBOX_CHANNEL = "taf_outbox"
NOTIFICATION_CHANNEL = "taf_notification"
REVOCATION_CHANNEL = "taf_revocation"  # payload: a revoked sign-in's id (the server closes its sockets)
OUTBOX_LOCK = 727_101  # serialises outbox writers until commit

# This process, in every outbox NOTIFY it sends ("<instance>:<outbox id>"): the instance that committed an
# event dispatches it at once; the others only follow up later, in case it died first (notifications/bus.py).
INSTANCE = uuid.uuid4().hex


@dataclass(frozen=True, slots=True)
class Appended:
    """An event in the outbox, not yet dispatched."""

    outbox_id: int
    kind: str
    event: Event


@dataclass(slots=True)
class _AtCommit:
    """Whether this transaction dispatches its own events before it commits, and those it appended since
    the last dispatch."""

    dispatches: bool = False
    unwritten: list[tuple[dict, Event]] = field(default_factory=list)  # (payload, event), for the batched write
    appended: list[Appended] = field(default_factory=list)


def dispatch_at_commit(session: AsyncSession) -> None:
    """Mark the session's transaction as one that dispatches the events it appends before committing."""
    transaction.state(session, _AtCommit).dispatches = True


async def take_appended(session: AsyncSession) -> list[Appended]:
    """The events appended in this transaction since the last call, for the dispatch at commit; those the
    batched write did not write are written first, one statement each."""
    at_commit = transaction.state(session, _AtCommit)
    for payload, event in take_unwritten(session):
        at_commit.appended.append(Appended(await _insert(session, payload, event), payload["type"], event))
    taken, at_commit.appended = at_commit.appended, []
    return taken


def take_unwritten(session: AsyncSession) -> list[tuple[dict, Event]]:
    """The events a dispatching transaction appended and has not written yet, each with its payload."""
    at_commit = transaction.state(session, _AtCommit)
    taken, at_commit.unwritten = at_commit.unwritten, []
    return taken


def written(session: AsyncSession, events: list[tuple[dict, Event]], ids: list[int]) -> None:
    """Record the ids the batched write gave `events` (from `take_unwritten`), for the dispatch at commit."""
    at_commit = transaction.state(session, _AtCommit)
    at_commit.appended.extend(
        Appended(int(id_), payload["type"], event) for (payload, event), id_ in zip(events, ids, strict=True)
    )


def sent_here(notice: str) -> bool:
    """Whether an outbox NOTIFY's payload was sent by this process."""
    return notice.partition(":")[0] == INSTANCE


_OUTBOX = OutboxEvent.__table__  # type: ignore[attr-defined]


def event_insert(prefix: str, *, dispatched_where: sa.ColumnElement[bool] | None = None) -> sa.Insert:
    """An event's INSERT, RETURNING its id, its values the bind parameters `event_params(..., prefix)` names. The
    lock is taken in the statement that inserts, before the row (and its id) is made: one round trip.

    With `dispatched_where`, the event is written already dispatched, and only where that condition holds: for a
    statement that also writes its notifications (notifications/dispatcher.py `dispatch_written_with`), so that no
    dispatcher ever claims it."""
    locked = sa.select(sa.func.pg_advisory_xact_lock(sa.literal(OUTBOX_LOCK, sa.BigInteger)).label("locked"))
    values = [
        sa.bindparam(f"{prefix}kind", type_=sa.String),
        sa.bindparam(f"{prefix}family_id", type_=sa.Uuid),
        sa.cast(sa.bindparam(f"{prefix}payload", type_=sa.String), JSONB),
        sa.func.now(),
    ]
    columns = ["kind", "family_id", "payload", "created_at"]
    row = sa.select(*values).select_from(locked.subquery("locked"))
    if dispatched_where is not None:
        row = row.add_columns(sa.func.now()).where(dispatched_where)
        columns.append("dispatched_at")
    return sa.insert(_OUTBOX).from_select(columns, row).returning(_OUTBOX.c.id)


def event_params(payload: dict, event: Event, prefix: str) -> dict[str, object]:
    return {
        f"{prefix}kind": payload["type"],
        f"{prefix}family_id": event.family_id,
        f"{prefix}payload": json.dumps(payload),
    }


_EVENT_INSERT = event_insert("event_")  # built once: an event written on its own


async def _insert(session: AsyncSession, payload: dict, event: Event) -> int:
    result = await session.exec(_EVENT_INSERT, params=event_params(payload, event, "event_"))  # type: ignore[call-overload]
    return int(result.scalar_one())


async def append(session: AsyncSession, event: Event) -> None:
    """Append in the session's open transaction. A transaction that dispatches at commit only remembers the
    event, for its batched write. Any other writes it now and announces it with a NOTIFY of this instance and
    the id, never the payload, which could pass PostgreSQL's 8000-byte limit; PostgreSQL delivers it only if
    the transaction commits."""
    payload = to_json(event)
    at_commit = transaction.state(session, _AtCommit)
    if at_commit.dispatches:
        at_commit.unwritten.append((payload, event))
        return
    await announce(session, await _insert(session, payload, event))


async def announce(session: AsyncSession, outbox_id: int) -> None:
    """Wake the background dispatchers when the transaction commits (this instance's at once)."""
    await session.exec(
        sa.text("SELECT pg_notify(:channel, :id)"), params={"channel": OUTBOX_CHANNEL, "id": f"{INSTANCE}:{outbox_id}"}
    )


async def prune(session: AsyncSession, *, dispatched_before: datetime) -> int:
    """Delete dispatched events older than a cut-off; the per-recipient rows are the durable record."""
    result = await session.exec(
        sa.text("DELETE FROM notification_outbox WHERE dispatched_at < :before"),
        params={"before": dispatched_before},
    )
    return result.rowcount
