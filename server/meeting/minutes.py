"""What happens at and after a TAF meeting: attendance, minutes (draft, then published and never
changed; corrections are addenda), decisions, and actions that go onto the family plan."""

from __future__ import annotations

import uuid

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import outbox
from notifications.events import MinutesPublished
from server.access.pep import AccessControl
from server.db.columns import utcnow
from server.errors import BadUserInput, Conflict
from server.meeting.models import Attendance, Meeting, MeetingAddendum, MeetingDecision, MeetingInvitee, MeetingStatus
from server.meeting.service import for_change
from server.plan import service as plan_service
from server.plan.models import PlanAction
from server.plan.versioning import update_versioned
from server.validation import required_text

PUBLISHED = "These minutes are published and cannot change; add an addendum to correct them."


async def record_attendance(
    session: AsyncSession,
    access: AccessControl,
    *,
    meeting_id: uuid.UUID,
    expected_version: int,
    attendance: dict[uuid.UUID, Attendance],
) -> Meeting:
    """`attendance` maps invitee ids to present / apologies / absent. The meeting becomes held."""
    meeting = await _started(session, access, meeting_id)
    _require_draft(meeting)
    if Attendance.invited in attendance.values():
        raise BadUserInput("Record present, apologies or absent.", field="attendance")
    invitees = {
        row.id: row
        for row in (await session.exec(select(MeetingInvitee).where(MeetingInvitee.meeting_id == meeting.id))).all()
    }
    if not set(attendance) <= set(invitees):
        raise BadUserInput("Record attendance for this meeting's invitees only.", field="attendance")
    for invitee_id, value in attendance.items():
        invitees[invitee_id].attendance = value
    values = {"status": MeetingStatus.held.value}
    return await update_versioned(session, Meeting, meeting.id, expected_version, values, what="meeting")


async def save_minutes(
    session: AsyncSession, access: AccessControl, *, meeting_id: uuid.UUID, expected_version: int, minutes: str
) -> Meeting:
    meeting = await _started(session, access, meeting_id)
    _require_draft(meeting)
    values = {"minutes": required_text(minutes, "minutes", 50_000), "status": MeetingStatus.held.value}
    return await update_versioned(session, Meeting, meeting.id, expected_version, values, what="meeting")


async def publish_minutes(
    session: AsyncSession, access: AccessControl, *, meeting_id: uuid.UUID, expected_version: int
) -> Meeting:
    meeting = await _started(session, access, meeting_id)
    _require_draft(meeting)
    if not meeting.minutes.strip():
        raise BadUserInput("Write the minutes before publishing them.", field="minutes")
    values = {"minutes_published_at": utcnow(), "status": MeetingStatus.held.value}
    row = await update_versioned(session, Meeting, meeting.id, expected_version, values, what="meeting")
    await outbox.append(
        session,
        MinutesPublished(
            family_id=row.family_id, actor_user_id=access.actor.user_id, meeting_id=row.id, starts_at=row.scheduled_at
        ),
    )
    return row


async def add_decision(
    session: AsyncSession, access: AccessControl, *, meeting_id: uuid.UUID, text: str
) -> MeetingDecision:
    meeting = await _started(session, access, meeting_id)
    _require_draft(meeting)
    row = MeetingDecision(
        meeting_id=meeting.id,
        text=required_text(text, "text", 2000),
        recorded_by_user_id=access.actor.user_id,
        owning_agency_id=access.actor.agency_id,
    )
    session.add(row)
    await session.flush()
    return row


async def add_addendum(
    session: AsyncSession, access: AccessControl, *, meeting_id: uuid.UUID, text: str
) -> MeetingAddendum:
    meeting = await for_change(session, access, meeting_id)
    if meeting.minutes_published_at is None:
        raise Conflict("The minutes are still a draft: change them instead of adding an addendum.")
    row = MeetingAddendum(
        meeting_id=meeting.id,
        text=required_text(text, "text", 5000),
        author_user_id=access.actor.user_id,
        owning_agency_id=access.actor.agency_id,
    )
    session.add(row)
    await session.flush()
    return row


async def add_action(
    session: AsyncSession, access: AccessControl, *, meeting_id: uuid.UUID, data: plan_service.ActionIn
) -> PlanAction:
    """An action agreed at the meeting goes onto the family plan, assigned to its owner."""
    meeting = await _started(session, access, meeting_id)
    _require_draft(meeting)
    return await plan_service.add_action(session, access, family_id=meeting.family_id, data=data, meeting_id=meeting.id)


async def _started(session: AsyncSession, access: AccessControl, meeting_id: uuid.UUID) -> Meeting:
    meeting = await for_change(session, access, meeting_id)
    if meeting.status is MeetingStatus.cancelled:
        raise Conflict("This meeting was cancelled.")
    if meeting.scheduled_at > utcnow():
        raise Conflict("This meeting has not started yet: record what happened once it has.")
    return meeting


def _require_draft(meeting: Meeting) -> None:
    if meeting.minutes_published_at is not None:
        raise Conflict(PUBLISHED)
