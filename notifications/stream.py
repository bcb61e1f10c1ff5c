"""follow(): one recipient's notifications after a cursor, replayed from the table, then live.

At-least-once and in id order: the subscriber registers on the bus *before* the replay reads the
table, so a row committed during the replay is either in the replay or in the queue (or both: ids at
or below what was already delivered are skipped, and a client can always de-duplicate by id).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select

from notifications.bus import Bus, Record
from notifications.models import Delivery, Notification

# The server's check at delivery time: raises to end the stream (a revoked sign-in) and returns the
# records the recipient may still see, in the order given.
Admit = Callable[[list[Record]], Awaitable[list[Record]]]

REPLAY_PAGE = 200


def record_of(row: Notification) -> Record:
    assert row.id is not None
    return Record(
        id=row.id,
        recipient_user_id=row.recipient_user_id,
        kind=row.kind,
        family_id=row.family_id,
        urgent=row.urgent,
        payload=row.payload,
        created_at=row.created_at,
        read_at=row.read_at,
        acknowledged_at=row.acknowledged_at,
        subject_kind=row.subject_kind,
        subject_id=row.subject_id,
        category=row.category,
    )


async def replay_page(
    sessions: async_sessionmaker, recipient_id: uuid.UUID, after: int, limit: int = REPLAY_PAGE
) -> list[Record]:
    statement = (
        select(Notification)
        .where(
            Notification.recipient_user_id == recipient_id,
            col(Notification.id) > after,
            Notification.delivery == Delivery.live.value,
        )
        .order_by(col(Notification.id))
        .limit(limit)
    )
    async with sessions() as session:
        return [record_of(row) for row in (await session.exec(statement)).all()]


async def follow(
    bus: Bus,
    sessions: async_sessionmaker,
    recipient_id: uuid.UUID,
    *,
    after: int,
    admit: Admit,
    admit_live: Admit | None = None,
    admission: object = None,
) -> AsyncIterator[Record]:
    """`admit` checks the replay; `admit_live` (default: `admit`) what the bus hands over, which the bus's
    own AdmitMany, if it has one, already checked for this subscriber's `admission`."""
    admit_live = admit_live or admit
    subscriber = bus.subscribe(recipient_id, admission)
    try:
        cursor = after
        while True:
            records = await replay_page(sessions, recipient_id, cursor)
            if records:
                for record in await admit(records):
                    yield record
                cursor = records[-1].id
            if len(records) < REPLAY_PAGE:
                break
        while True:
            batch = [record for record in await subscriber.next_batch() if record.id > cursor]
            if batch:
                for record in await admit_live(batch):
                    yield record
                cursor = batch[-1].id
    finally:
        subscriber.close()
