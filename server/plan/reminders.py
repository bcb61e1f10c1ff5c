"""Reminders of the plan's actions: "due soon" two days before an action is due and "overdue" the day after,
as timers (notifications/timers.py) that fire exactly once across every instance. Each timer holds the event
it will emit; the event holds no words (they are rendered, as the policy allows, when read).

An action's reminders follow it: set when it is set, moved when its due date, owner or category changes,
and cancelled when it is done or cancelled. A new kind of reminder is one more entry in REMINDERS."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import timers
from notifications.events import ActionDueSoon, ActionOverdue, Event
from server.clock import utcnow
from server.plan.models import OPEN_ACTION_STATUSES, PlanAction
from server.plan.notices import action_fields

DUE_SOON_DAYS = 2
MORNING = time(8, 0, tzinfo=UTC)  # reminders of a day arrive at the start of the working day
MIDNIGHT = time(0, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Reminder:
    kind: str  # the event's type, which is also the timer's kind
    event: Callable[[PlanAction], Event]
    fires_at: Callable[[date], datetime]  # from the action's due date


REMINDERS: tuple[Reminder, ...] = (
    Reminder(
        "action_due_soon",
        lambda action: ActionDueSoon(**action_fields(action)),
        lambda due: datetime.combine(due - timedelta(days=DUE_SOON_DAYS), MORNING),
    ),
    Reminder(
        "action_overdue",
        lambda action: ActionOverdue(**action_fields(action)),
        lambda due: datetime.combine(due + timedelta(days=1), MIDNIGHT),
    ),
)


async def follow(session: AsyncSession, action: PlanAction) -> None:
    """Set (or reset) the reminders of an action as it now is: none once it is done or cancelled, and none for
    a time already past (an action set today and due tomorrow is not "due soon" after the fact)."""
    await cancel(session, action)
    if action.status.value not in OPEN_ACTION_STATUSES:
        return
    now = utcnow()
    for reminder in REMINDERS:
        fires_at = reminder.fires_at(action.due_date)
        if fires_at > now:
            await timers.schedule(session, due_at=fires_at, subject_id=action.id, event=reminder.event(action))


async def cancel(session: AsyncSession, action: PlanAction) -> None:
    for reminder in REMINDERS:
        await timers.cancel(session, kind=reminder.kind, subject_id=action.id)
