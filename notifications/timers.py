"""Timers: at a due time, append a stored event to the outbox, exactly once across every instance.

A timer row holds the event it will emit (an escalation's acknowledgement deadline holds its
EscalationTimedOut, an action's due date its ActionOverdue). `fire_due` claims due rows with
FOR UPDATE SKIP LOCKED and marks them fired in the transaction that appends their events, so two
instances never fire the same timer and a crash before commit leaves it due. Time comes from an
injectable clock, so tests move time instead of waiting for it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import outbox
from notifications.events import Event, from_json, to_json
from notifications.models import Timer

log = logging.getLogger("taf.notifications.timers")

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


async def schedule(session: AsyncSession, *, due_at: datetime, subject_id: uuid.UUID, event: Event) -> None:
    """Schedule in the caller's transaction; the same (kind, subject, due time) twice is one timer."""
    payload = to_json(event)
    await session.exec(
        sa.text(
            "INSERT INTO timer (kind, subject_id, due_at, event, created_at)"
            " VALUES (:kind, :subject, :due, CAST(:event AS jsonb), now())"
            " ON CONFLICT ON CONSTRAINT uq_timer_kind_subject_due DO NOTHING"
        ),
        params={"kind": payload["type"], "subject": subject_id, "due": due_at, "event": json.dumps(payload)},
    )


async def cancel(session: AsyncSession, *, kind: str, subject_id: uuid.UUID) -> int:
    """Cancel the unfired timers of a subject (an escalation acknowledged in time, an action done)."""
    result = await session.exec(
        sa.delete(Timer).where(Timer.kind == kind, Timer.subject_id == subject_id, col(Timer.fired_at).is_(None))
    )
    return result.rowcount


async def fire_due(sessions: async_sessionmaker, *, now: datetime, limit: int = 100) -> int:
    """Fire the timers due at `now` in one transaction; return how many fired."""
    async with sessions() as session, session.begin():
        due = (
            select(Timer)
            .where(col(Timer.fired_at).is_(None), col(Timer.due_at) <= now)
            .order_by(col(Timer.due_at), col(Timer.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        timers = (await session.exec(due)).all()
        for timer in timers:
            await outbox.append(session, from_json(timer.event))
        if timers:
            await session.exec(sa.update(Timer).where(col(Timer.id).in_([t.id for t in timers])).values(fired_at=now))
        return len(timers)


async def run(sessions: async_sessionmaker, *, clock: Clock = system_clock, interval: float = 1.0) -> None:
    """Fire due timers every interval, for the life of the process."""
    while True:
        try:
            while await fire_due(sessions, now=clock()):
                pass
        except (OSError, sa.exc.SQLAlchemyError) as error:
            log.error("firing timers failed (%s); will retry", error)
        await asyncio.sleep(interval)
