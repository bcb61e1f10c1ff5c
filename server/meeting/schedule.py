"""The review cadence: a family with an open case has its next TAF review on the calendar, within
`review_max_weeks` of the last meeting held (or of the referral). A missing or late one is flagged."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
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
DUE_SOON = timedelta(days=14)  # a review within this is listed in the lead's work


@dataclass(frozen=True)
class ReviewSchedule:
    next_review_at: datetime | None
    last_meeting_at: datetime | None
    earliest_due: date
    due_by: date
    missing: bool  # an open case with no review on the calendar
    late: bool  # the next review is after due_by, or none is booked and due_by has passed

    def due_on(self) -> date:
        """The day the review is booked for, or else the day by which it must be held."""
        return self.next_review_at.date() if self.next_review_at else self.due_by

    def needs_attention(self, now: datetime) -> bool:
        """Missing, late, or booked within DUE_SOON: what a lead professional has to prepare or arrange."""
        soon = self.next_review_at is not None and self.next_review_at <= now + DUE_SOON
        return self.missing or self.late or soon


def _last_held(family_id: ColumnElement) -> ColumnElement:
    return (
        select(sa.func.max(Meeting.scheduled_at))
        .where(Meeting.family_id == family_id, Meeting.status == MeetingStatus.held.value)
        .scalar_subquery()
    )


def _next_review(family_id: ColumnElement, now: datetime) -> ColumnElement:
    return (
        select(sa.func.min(Meeting.scheduled_at))
        .where(
            Meeting.family_id == family_id,
            Meeting.status == MeetingStatus.scheduled.value,
            col(Meeting.kind).in_(REVIEW_KINDS),
            col(Meeting.scheduled_at) > now,
        )
        .scalar_subquery()
    )


def _schedule(
    family: Family, last: datetime | None, next_at: datetime | None, settings: Settings, now: datetime
) -> ReviewSchedule:
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


def schedule_columns(
    family: sa.FromClause, settings: Settings, now: datetime | ColumnElement
) -> tuple[ColumnElement, ColumnElement, ColumnElement, ColumnElement]:
    """_schedule in SQL over `family` rows: next review at, due by, missing, late; for the compiled caseload
    (server/family/compiled_api.py), whose differential test holds the two equal. `now` is a time, or a
    timestamptz in SQL (a statement's parameter)."""
    c = family.c
    last, next_at = _last_held(c.id), _next_review(c.id, now)
    since = sa.cast(sa.func.coalesce(last, c.opened_at).op("AT TIME ZONE")(sa.literal("UTC")), sa.Date)
    due_by = since + sa.literal(7 * settings.review_max_weeks)
    next_day = sa.cast(next_at.op("AT TIME ZONE")(sa.literal("UTC")), sa.Date)
    needs_review = c.status != FamilyStatus.closed.value
    booked_late = sa.and_(next_at.is_not(None), next_day > due_by)
    today = (
        sa.literal(now.date(), sa.Date)
        if isinstance(now, datetime)
        else sa.cast(now.op("AT TIME ZONE")(sa.literal("UTC")), sa.Date)
    )
    overdue = sa.and_(next_at.is_(None), due_by < today)
    return (
        next_at,
        due_by,
        sa.and_(needs_review, next_at.is_(None)),
        sa.and_(needs_review, sa.or_(booked_late, overdue)),
    )


async def review_schedule(
    session: AsyncSession, access: AccessControl, family_id: uuid.UUID, settings: Settings
) -> ReviewSchedule:
    await access.require(session, Act.read, Kind.meeting, family_id)
    found = await _schedules(session, [col(Family.id) == family_id], settings)
    return found[0][1]


async def schedules_of_families(
    session: AsyncSession, access: AccessControl, family_ids: list[uuid.UUID], settings: Settings
) -> dict[uuid.UUID, ReviewSchedule | None]:
    """One statement for any number of families; None where the caller may not read the family's meetings
    (the SQL form of the same decision as `review_schedule`)."""
    readable = access.family_filter(col(Family.id), Act.read, Kind.meeting)
    found = {
        family.id: schedule
        for family, schedule in await _schedules(session, [col(Family.id).in_(family_ids), readable], settings)
    }
    return {family_id: found.get(family_id) for family_id in family_ids}


async def reviews_to_arrange(
    session: AsyncSession, access: AccessControl, settings: Settings
) -> list[tuple[Family, ReviewSchedule]]:
    """The open cases whose reviews the caller arranges (the chair: whoever may update the family's
    meetings) that need attention, soonest due first. A lead's caseload is tens of families, so the
    schedules are computed for all of them in one statement and sifted here."""
    now = utcnow()
    conditions = [
        access.family_filter(col(Family.id), Act.update, Kind.meeting),
        access.family_filter(col(Family.id)),
        col(Family.status) != FamilyStatus.closed.value,
    ]
    found = [
        (family, schedule)
        for family, schedule in await _schedules(session, conditions, settings)
        if schedule.needs_attention(now)
    ]
    return sorted(
        found,
        key=lambda pair: (
            pair[1].next_review_at.date() if pair[1].next_review_at else pair[1].due_by,
            pair[0].reference,
        ),
    )


async def _schedules(
    session: AsyncSession, conditions: list[ColumnElement], settings: Settings
) -> list[tuple[Family, ReviewSchedule]]:
    now = utcnow()
    family_id = col(Family.id)
    statement = select(Family, _last_held(family_id), _next_review(family_id, now)).where(*conditions)
    rows = (await session.exec(statement)).all()
    return [(family, _schedule(family, last, next_at, settings, now)) for family, last, next_at in rows]
