"""append(session, event): write an event in the caller's transaction (no change without its event).

Ordering rule: publishers take one transaction-scoped advisory lock before inserting, so outbox ids are
committed in id order. A reader that remembers the last id it saw can then never skip a row that
commits later with a lower id (the gap hazard of sequences under concurrent transactions).

Who dispatches: a transaction marked with `dispatch_at_commit` promises to dispatch its own events
before it commits (notifications/dispatcher.py `dispatch_appended`); its events are only remembered in
the session. Any other transaction announces each event with a NOTIFY for the background dispatcher.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import transaction
from notifications.events import Event, to_json

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
    appended: list[Appended] = field(default_factory=list)


def dispatch_at_commit(session: AsyncSession) -> None:
    """Mark the session's transaction as one that dispatches the events it appends before committing."""
    transaction.state(session, _AtCommit).dispatches = True


def take_appended(session: AsyncSession) -> list[Appended]:
    """The events appended in this transaction since the last call, for the dispatch at commit."""
    at_commit = transaction.state(session, _AtCommit)
    taken, at_commit.appended = at_commit.appended, []
    return taken


def sent_here(notice: str) -> bool:
    """Whether an outbox NOTIFY's payload was sent by this process."""
    return notice.partition(":")[0] == INSTANCE


# The lock is taken in the statement that inserts, before the row (and its id) is made: one round trip.
_INSERT = sa.text(
    "INSERT INTO notification_outbox (kind, family_id, payload, created_at)"
    " SELECT :kind, :family_id, CAST(:payload AS jsonb), now() FROM (SELECT pg_advisory_xact_lock(:key)) AS locked"
    " RETURNING id"
)


async def append(session: AsyncSession, event: Event) -> int:
    """Append in the session's open transaction. Announced (unless the transaction dispatches it at commit)
    with a NOTIFY of this instance and the id, never the payload, which could pass PostgreSQL's 8000-byte
    limit; PostgreSQL delivers it only if the transaction commits."""
    payload = to_json(event)
    result = await session.exec(
        _INSERT,
        params={
            "kind": payload["type"],
            "family_id": event.family_id,
            "payload": json.dumps(payload),
            "key": OUTBOX_LOCK,
        },
    )
    outbox_id = int(result.scalar_one())
    at_commit = transaction.state(session, _AtCommit)
    if at_commit.dispatches:
        at_commit.appended.append(Appended(outbox_id, payload["type"], event))
    else:
        await announce(session, outbox_id)
    return outbox_id


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
