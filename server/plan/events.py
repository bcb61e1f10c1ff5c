"""The seam between the plan, meeting, escalation and closure services and the notification outbox:
every place where another person must act calls `emit` in the transaction of the change, and the
typed event goes into the outbox in that same transaction (no event without the change, and no change
without the event). Escalations also schedule their acknowledgement deadline as a timer, cancelled
when acknowledged; an unacknowledged one reaches the lead professional's manager.
"""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import outbox, timers
from notifications.events import (
    ActionAssigned,
    ActionDone,
    EscalationAcknowledged,
    EscalationRaised,
    EscalationResolved,
    EscalationTimedOut,
    Event,
    FamilyStatusChanged,
    MeetingCancelled,
    MeetingChanged,
    MeetingScheduled,
    MinutesPublished,
)
from server.escalation.models import Escalation, EscalationLevel
from server.meeting.models import Meeting
from server.plan.models import PlanAction

EVENT_KINDS = frozenset(
    {
        "action_assigned",
        "action_done",
        "meeting_scheduled",
        "meeting_changed",
        "meeting_cancelled",
        "minutes_published",
        "escalation_raised",
        "escalation_acknowledged",
        "escalation_resolved",
        "family_stepped_up",
        "family_stepped_down",
        "family_closed",
        "family_reopened",
    }
)

PENDING_KEY = "taf_pending_events"
# Plan actions carry no information category of their own; their text is plan content, shown in
# notifications to those who may read that agency's "other" information (always its own staff).
ACTION_CATEGORY = "other"
_MEETINGS = {
    "meeting_scheduled": MeetingScheduled,
    "meeting_changed": MeetingChanged,
    "meeting_cancelled": MeetingCancelled,
    "minutes_published": MinutesPublished,
}


async def emit(session: AsyncSession, kind: str, *, by: uuid.UUID | None, **ids: uuid.UUID | str | None) -> None:
    """Append the event for `kind` about the records named by `ids` (family_id always among them), caused by
    the user `by` (who is never told of their own act)."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    session.info.setdefault(PENDING_KEY, []).append({"kind": kind, **{k: str(v) for k, v in ids.items() if v}})
    event = (await _event(session, kind, ids)).model_copy(update={"actor_user_id": by})
    await outbox.append(session, event)
    await _timers(session, kind, event)


async def _event(session: AsyncSession, kind: str, ids: dict) -> Event:
    family_id = uuid.UUID(str(ids["family_id"]))
    if kind.startswith("action_"):
        action = await session.get(PlanAction, ids["action_id"])
        cls = ActionAssigned if kind == "action_assigned" else ActionDone
        return cls(
            family_id=family_id,
            owning_agency_id=action.owning_agency_id,
            category=ACTION_CATEGORY,
            action_id=action.id,
            owner_user_id=action.owner_user_id,
            due_on=action.due_date,
            title=action.description[:200],
        )
    if kind in _MEETINGS:
        meeting = await session.get(Meeting, ids["meeting_id"])
        return _MEETINGS[kind](family_id=family_id, meeting_id=meeting.id, starts_at=meeting.scheduled_at)
    if kind.startswith("escalation_"):
        return _escalation_event(kind, await session.get(Escalation, ids["escalation_id"]))
    transition = kind.removeprefix("family_")
    return FamilyStatusChanged(family_id=family_id, transition=transition, transition_id=ids["transition_id"])


def _escalation_event(kind: str, row: Escalation) -> Event:
    common = {
        "family_id": row.family_id,
        "owning_agency_id": row.owning_agency_id,
        "category": row.category.value,
        "escalation_id": row.id,
        "level": row.level.value,
        "urgent": row.level is not EscalationLevel.concern,
    }
    if kind == "escalation_raised":
        return EscalationRaised(**common, reason=row.reason)
    if kind == "escalation_acknowledged":
        return EscalationAcknowledged(**common)
    return EscalationResolved(**common, outcome=row.outcome.value if row.outcome else "")


async def _timers(session: AsyncSession, kind: str, event: Event) -> None:
    if isinstance(event, EscalationRaised):
        row = await session.get(Escalation, event.escalation_id)
        timed_out = EscalationTimedOut(**event.model_dump(exclude={"type", "reason", "actor_user_id"}))
        await timers.schedule(session, due_at=row.ack_due_at, subject_id=row.id, event=timed_out)
    elif isinstance(event, EscalationAcknowledged | EscalationResolved):
        await timers.cancel(session, kind="escalation_timed_out", subject_id=event.escalation_id)
