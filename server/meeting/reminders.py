"""The "review due" reminder: two days before a review meeting on the family's calendar (an initial, review or
closure meeting, server/meeting/schedule.py REVIEW_KINDS), at the start of the working day, the lead professional
who chairs it (and the deputy lead while covering) is told, once across every instance (notifications/timers.py).
It follows the meeting: set when it is scheduled, moved with it, cancelled with it. A review that is missing or
late (none booked by the date the schedule needs it) is on the lead's My work page, not a timer."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import timers
from notifications.events import ReviewDue
from server.clock import utcnow
from server.meeting.models import Meeting, MeetingKind, MeetingStatus
from server.meeting.schedule import REVIEW_KINDS
from server.plan.reminders import DUE_SOON_DAYS, MORNING

TIMER_KIND = "review_due"


async def follow(session: AsyncSession, meeting: Meeting) -> None:
    await timers.cancel(session, kind=TIMER_KIND, subject_id=meeting.id)
    if (
        MeetingStatus(meeting.status) is not MeetingStatus.scheduled
        or MeetingKind(meeting.kind).value not in REVIEW_KINDS
    ):
        return
    day = meeting.scheduled_at.date()
    fires_at = datetime.combine(day - timedelta(days=DUE_SOON_DAYS), MORNING)
    if fires_at > utcnow():
        event = ReviewDue(family_id=meeting.family_id, due_on=day, meeting_id=meeting.id)
        await timers.schedule(session, due_at=fires_at, subject_id=meeting.id, event=event)
