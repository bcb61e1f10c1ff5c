"""The daily digest: once a day, at a local time, each recipient's held (non-urgent, `daily_digest`)
notifications since their last digest become ONE notification of kind `daily_digest`, delivered live
like any other (the per-recipient row, the bus, the subscription, the inbox).

- What it says: counts per kind and, for up to MAX_ITEMS items, references to the held notifications
  (id, kind, family, time), never their content: the server renders each item when the digest is read,
  through the same decision as any notification, so a consent withdrawn after the digest was compiled
  hides what it covered at once. The server's `visible` check drops, at compile time, the items about a
  family the recipient may no longer see.
- Exactly once per recipient per local day, with several instances: digests are compiled under the
  dispatcher's advisory lock (which also keeps notification ids committed in id order), each held row
  is marked with the digest that carried it in the same transaction, and a unique index on
  (recipient, payload->>'digest_on') refuses a second digest for the same day.
- Restarts: the due day is computed from the clock, and the held rows wait in the table; an instance
  that starts after the digest time compiles the missed digest (once: one digest covers everything
  held before the due time, however long the downtime).
- An empty day sends nothing: no held items (or none the recipient may still see) means no digest.
- Urgent escalations are never held (the dispatcher delivers them live whatever the preference), so
  they are never in a digest.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications.dispatcher import DISPATCH_LOCK
from notifications.events import NO_FAMILY
from notifications.models import Delivery, Notification
from notifications.outbox import NOTIFICATION_CHANNEL
from notifications.timers import Clock, system_clock

log = logging.getLogger("taf.notifications.digest")

DIGEST_KIND = "daily_digest"
MAX_ITEMS = 50  # items listed in one digest; the counts cover every held item
DROPPED = 0  # digested_in of held items the recipient may no longer see when the digest is compiled

# The server's check at compile time: of these held rows of one recipient, those they may still see.
Visible = Callable[[AsyncSession, uuid.UUID, list[Notification]], Awaitable[list[Notification]]]


@dataclass(frozen=True)
class Schedule:
    """The local time of day the digest is due, in a named time zone (summer time included)."""

    at: time
    zone: ZoneInfo

    def due(self, now: datetime) -> tuple[date, datetime]:
        """The local day of the latest digest due at `now`, and the instant it fell due."""
        local = now.astimezone(self.zone)
        day = local.date()
        if local.time() < self.at:
            day -= timedelta(days=1)
        return day, datetime.combine(day, self.at, tzinfo=self.zone)


def _held(due_at: datetime):
    return sa.and_(
        Notification.delivery == Delivery.daily_digest.value,
        col(Notification.digested_in).is_(None),
        col(Notification.created_at) < due_at,
    )


async def compile_due(
    sessions: async_sessionmaker, *, schedule: Schedule, visible: Visible, now: datetime, batch: int = 50
) -> int:
    """Compile the due digests of up to `batch` recipients in one transaction; return how many recipients
    were handled (sent a digest, or found to have nothing they may still see)."""
    day, due_at = schedule.due(now)
    due = sa.text(
        "SELECT DISTINCT n.recipient_user_id FROM notification n"
        " WHERE n.delivery = :held AND n.digested_in IS NULL AND n.created_at < :due"
        " AND NOT EXISTS (SELECT 1 FROM notification d WHERE d.recipient_user_id = n.recipient_user_id"
        "  AND d.kind = :kind AND d.payload->>'digest_on' = :day)"
        " LIMIT :batch"
    )
    params = {"held": Delivery.daily_digest.value, "due": due_at, "kind": DIGEST_KIND, "day": day.isoformat()}
    async with sessions() as session:  # most checks find nothing due: then take no lock at all
        if not (await session.exec(due, params={**params, "batch": 1})).first():
            return 0
    async with sessions() as session, session.begin():
        await session.exec(sa.text("SELECT pg_advisory_xact_lock(:key)"), params={"key": DISPATCH_LOCK})
        users = (await session.exec(due, params={**params, "batch": batch})).all()
        sent = 0
        for (user_id,) in users:
            sent += await _compile_one(session, user_id, day=day, due_at=due_at, visible=visible, now=now)
        if sent:
            await session.exec(sa.text("SELECT pg_notify(:channel, '')"), params={"channel": NOTIFICATION_CHANNEL})
        return len(users)


async def _compile_one(
    session: AsyncSession, user_id: uuid.UUID, *, day: date, due_at: datetime, visible: Visible, now: datetime
) -> int:
    statement = (
        select(Notification)
        .where(Notification.recipient_user_id == user_id, _held(due_at))
        .order_by(col(Notification.id))
        .with_for_update()
    )
    held = list((await session.exec(statement)).all())
    shown = await visible(session, user_id, held) if held else []
    digest_id = DROPPED
    if shown:
        digest = Notification(
            outbox_id=None,
            recipient_user_id=user_id,
            kind=DIGEST_KIND,
            family_id=NO_FAMILY,
            urgent=False,
            delivery=Delivery.live.value,
            payload=digest_payload(day, shown),
            created_at=now,
        )
        session.add(digest)
        await session.flush()
        assert digest.id is not None
        digest_id = digest.id
    await session.exec(
        sa.update(Notification)
        .where(col(Notification.id).in_([row.id for row in held]))
        .values(digested_in=digest_id)
        .execution_options(synchronize_session=False)
    )
    return 1 if shown else 0


def digest_payload(day: date, shown: list[Notification]) -> dict:
    """A plain summary of references to the held notifications (each marked with this digest's id)."""
    items = [
        {"id": str(row.id), "kind": row.kind, "family_id": str(row.family_id), "created_at": row.created_at.isoformat()}
        for row in shown[:MAX_ITEMS]
    ]
    payload = {
        "type": DIGEST_KIND,
        "digest_on": day.isoformat(),
        "total": len(shown),
        "counts": dict(sorted(Counter(row.kind for row in shown).items())),
        "items": items,
        "more": max(0, len(shown) - MAX_ITEMS),
    }
    return payload


async def run(
    sessions: async_sessionmaker,
    *,
    schedule: Schedule,
    visible: Visible,
    clock: Clock = system_clock,
    interval: float = 30.0,
    batch: int = 50,
) -> None:
    """Compile due digests every interval (the first check at start-up catches up after downtime)."""
    while True:
        try:
            while await compile_due(sessions, schedule=schedule, visible=visible, now=clock(), batch=batch) == batch:
                pass
        except (OSError, sa.exc.SQLAlchemyError) as error:
            log.error("compiling digests failed (%s); will retry", error)
        await asyncio.sleep(interval)
