"""The review cadence: a family with an open case has its next TAF review on the calendar, within
`review_max_weeks` of the last meeting held (or of the referral). A missing or late one is flagged."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Act
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.clock import utcnow
from server.config import Settings
from server.family.models import Family, FamilyStatus
from server.meeting.models import Meeting, MeetingKind, MeetingStatus

REVIEW_KINDS = (MeetingKind.initial.value, MeetingKind.review.value, MeetingKind.closure.value)


@dataclass(frozen=True)
class ReviewSchedule:
    next_review_at: datetime | None
    last_meeting_at: datetime | None
    earliest_due: date
    due_by: date
    missing: bool  # an open case with no review on the calendar
    late: bool  # the next review is after due_by, or none is booked and due_by has passed


async def review_schedule(
    session: AsyncSession, access: AccessControl, family_id: uuid.UUID, settings: Settings
) -> ReviewSchedule:
    await access.require(session, Act.read, Kind.meeting, family_id)
    family = await session.get(Family, family_id)
    assert family is not None
    now = utcnow()
    held = select(sa.func.max(Meeting.scheduled_at)).where(
        Meeting.family_id == family_id, Meeting.status == MeetingStatus.held.value
    )
    upcoming = select(sa.func.min(Meeting.scheduled_at)).where(
        Meeting.family_id == family_id,
        Meeting.status == MeetingStatus.scheduled.value,
        col(Meeting.kind).in_(REVIEW_KINDS),
        col(Meeting.scheduled_at) > now,
    )
    last = (await session.exec(held)).one()
    next_at = (await session.exec(upcoming)).one()
    since = (last or family.opened_at).date()
    due_by = since + timedelta(weeks=settings.review_max_weeks)
    needs_review = family.status is not FamilyStatus.closed
    return ReviewSchedule(
        next_review_at=next_at,
        last_meeting_at=last,
        earliest_due=since + timedelta(weeks=settings.review_min_weeks),
        due_by=due_by,
        missing=needs_review and next_at is None,
        late=needs_review
        and ((next_at is not None and next_at.date() > due_by) or (next_at is None and due_by < now.date())),
    )
