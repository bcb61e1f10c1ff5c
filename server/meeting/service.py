"""Use cases for scheduling TAF meetings: the lead professional schedules, moves and cancels them;
the team sees them. Minutes, attendance and decisions are in server/meeting/minutes.py."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import outbox
from notifications.events import MeetingCancelled, MeetingChanged, MeetingScheduled
from server import writes
from server.access.actor import Act
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.clock import utcnow
from server.db.versioning import update_versioned
from server.errors import BadUserInput, Conflict, NotFound
from server.family.models import FamilyMember
from server.family_network.models import NetworkMember
from server.meeting import reminders
from server.meeting.models import (
    Attendance,
    Meeting,
    MeetingChange,
    MeetingChangeKind,
    MeetingInvitee,
    MeetingKind,
    MeetingStatus,
)
from server.team.models import TeamMembership
from server.validation import optional_text, required_text
from server.writes import lock_and_require

KIND = Kind.meeting
NOT_FOUND = "No meeting with that id, or you may not see it."
MAX_INVITEES = 50


@dataclass(frozen=True)
class MeetingIn:
    kind: MeetingKind
    scheduled_at: datetime
    location: str = ""
    call_link: str = ""
    agenda: str = ""
    invitee_user_ids: list[uuid.UUID] = field(default_factory=list)
    invitee_member_ids: list[uuid.UUID] = field(default_factory=list)
    invitee_network_member_ids: list[uuid.UUID] = field(default_factory=list)  # a family group conference only


async def schedule(session: AsyncSession, access: AccessControl, *, family_id: uuid.UUID, data: MeetingIn) -> Meeting:
    """The lead professional schedules a meeting and chairs it; they are invited with the others."""
    await lock_and_require(session, access, Act.update, KIND, family_id)
    _check_future(data.scheduled_at)
    location = optional_text(data.location, "location", 300)
    call_link = optional_text(data.call_link, "callLink", 500)
    if not location and not call_link:
        raise BadUserInput("Give a place or a call link for the meeting.", field="location")
    row = Meeting(
        family_id=family_id,
        kind=data.kind,
        status=MeetingStatus.scheduled,
        scheduled_at=data.scheduled_at,
        location=location,
        call_link=call_link,
        chair_user_id=access.actor.user_id,
        agenda=optional_text(data.agenda, "agenda", 5000),
    )
    session.add(row)
    await session.flush()
    users = list(dict.fromkeys([access.actor.user_id, *data.invitee_user_ids]))
    await _invite(session, row, users, list(dict.fromkeys(data.invitee_member_ids)))
    await _invite_network(session, row, list(dict.fromkeys(data.invitee_network_member_ids)))
    await reminders.follow(session, row)
    await outbox.append(
        session,
        MeetingScheduled(
            family_id=family_id, actor_user_id=access.actor.user_id, meeting_id=row.id, starts_at=row.scheduled_at
        ),
    )
    return row


async def reschedule(
    session: AsyncSession,
    access: AccessControl,
    *,
    meeting_id: uuid.UUID,
    expected_version: int,
    scheduled_at: datetime,
    reason: str,
) -> Meeting:
    meeting = await for_change(session, access, meeting_id)
    _require_scheduled(meeting)
    _check_future(scheduled_at)
    session.add(
        MeetingChange(
            meeting_id=meeting.id,
            kind=MeetingChangeKind.rescheduled,
            reason=required_text(reason, "reason", 1000),
            previous_at=meeting.scheduled_at,
            new_at=scheduled_at,
            changed_by_user_id=access.actor.user_id,
        )
    )
    row = await update_versioned(
        session, Meeting, meeting.id, expected_version, {"scheduled_at": scheduled_at}, what="meeting"
    )
    await reminders.follow(session, row)
    await outbox.append(
        session,
        MeetingChanged(
            family_id=row.family_id, actor_user_id=access.actor.user_id, meeting_id=row.id, starts_at=row.scheduled_at
        ),
    )
    return row


async def cancel(
    session: AsyncSession, access: AccessControl, *, meeting_id: uuid.UUID, expected_version: int, reason: str
) -> Meeting:
    meeting = await for_change(session, access, meeting_id)
    _require_scheduled(meeting)
    text = required_text(reason, "reason", 1000)
    session.add(
        MeetingChange(
            meeting_id=meeting.id,
            kind=MeetingChangeKind.cancelled,
            reason=text,
            previous_at=meeting.scheduled_at,
            changed_by_user_id=access.actor.user_id,
        )
    )
    values = {"status": MeetingStatus.cancelled.value, "cancel_reason": text}
    row = await update_versioned(session, Meeting, meeting.id, expected_version, values, what="meeting")
    await reminders.follow(session, row)
    await outbox.append(
        session,
        MeetingCancelled(
            family_id=row.family_id, actor_user_id=access.actor.user_id, meeting_id=row.id, starts_at=row.scheduled_at
        ),
    )
    return row


async def list_for_family(session: AsyncSession, access: AccessControl, family_id: uuid.UUID) -> list[Meeting]:
    await access.require(session, Act.read, KIND, family_id)
    statement = select(Meeting).where(Meeting.family_id == family_id)
    return list((await session.exec(statement.order_by(col(Meeting.scheduled_at).desc()))).all())


async def get(session: AsyncSession, access: AccessControl, meeting_id: uuid.UUID) -> Meeting:
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None or not await access.can(session, Act.read, KIND, meeting.family_id):
        raise NotFound(NOT_FOUND)
    return meeting


async def for_change(
    session: AsyncSession, access: AccessControl, meeting_id: uuid.UUID, *, shared: bool = False
) -> Meeting:
    """The meeting, once the caller is known to see it and to chair the family's meetings, with the family
    locked (read with the meeting, in one statement) and open. `shared`: the family FOR SHARE and the meeting
    FOR UPDATE, the caller's facts read with them (`writes.share_family_of`), for a change to the draft minutes
    that only adds to them or publishes them; every other change of a meeting takes the family FOR UPDATE."""
    if shared:
        found = await writes.share_family_of(session, access, _MEETINGS, meeting_id)
        meeting, status = (Meeting(**found[0]), found[1]) if found is not None else (None, None)
    else:
        locked = await writes.lock_family_of(session, Meeting, meeting_id)
        meeting, status = (locked[0], locked[1].status) if locked is not None else (None, None)
    if meeting is None or not await access.can(session, Act.read, KIND, meeting.family_id):
        raise NotFound(NOT_FOUND)
    await access.require(session, Act.update, KIND, meeting.family_id, seen_as=KIND)
    writes.require_open_status(status)  # type: ignore[arg-type]
    return meeting


_MEETINGS = Meeting.__table__  # type: ignore[attr-defined]


def _require_scheduled(meeting: Meeting) -> None:
    if meeting.status is not MeetingStatus.scheduled:
        raise Conflict(f"This meeting is {meeting.status.value}; only a scheduled meeting can be moved or cancelled.")


def _check_future(at: datetime) -> None:
    if at.tzinfo is None:
        raise BadUserInput("Give the meeting time with its time zone.", field="scheduledAt")
    if at <= utcnow():
        raise BadUserInput("A meeting cannot be scheduled in the past.", field="scheduledAt")


async def _invite(
    session: AsyncSession, meeting: Meeting, user_ids: list[uuid.UUID], member_ids: list[uuid.UUID]
) -> None:
    if len(user_ids) + len(member_ids) > MAX_INVITEES:
        raise BadUserInput(f"A meeting can have at most {MAX_INVITEES} invitees.", field="inviteeUserIds")
    on_team = set(
        (
            await session.exec(
                select(TeamMembership.user_id).where(
                    TeamMembership.family_id == meeting.family_id,
                    col(TeamMembership.valid_to).is_(None),
                    col(TeamMembership.user_id).in_(user_ids),
                )
            )
        ).all()
    )
    if on_team != set(user_ids):
        raise BadUserInput("Invite professionals from the family's team only.", field="inviteeUserIds")
    members = set(
        (
            await session.exec(
                select(FamilyMember.id).where(
                    FamilyMember.family_id == meeting.family_id, col(FamilyMember.id).in_(member_ids)
                )
            )
        ).all()
    )
    if members != set(member_ids):
        raise BadUserInput("Invite members of this family only.", field="inviteeMemberIds")
    for user_id in user_ids:
        session.add(MeetingInvitee(meeting_id=meeting.id, user_id=user_id, attendance=Attendance.invited))
    for member_id in member_ids:
        session.add(MeetingInvitee(meeting_id=meeting.id, family_member_id=member_id, attendance=Attendance.invited))
    await session.flush()


async def _invite_network(session: AsyncSession, meeting: Meeting, network_ids: list[uuid.UUID]) -> None:
    """People of the family's network come to its family group conference, and to no other meeting."""
    if not network_ids:
        return
    if meeting.kind is not MeetingKind.family_group_conference:
        raise BadUserInput(
            "Only a family group conference can invite the family's network.", field="inviteeNetworkMemberIds"
        )
    if len(network_ids) > MAX_INVITEES:
        raise BadUserInput(f"A meeting can have at most {MAX_INVITEES} invitees.", field="inviteeNetworkMemberIds")
    found = set(
        (
            await session.exec(
                select(NetworkMember.id).where(
                    NetworkMember.family_id == meeting.family_id, col(NetworkMember.id).in_(network_ids)
                )
            )
        ).all()
    )
    if found != set(network_ids):
        raise BadUserInput("Invite people of this family's network only.", field="inviteeNetworkMemberIds")
    for network_id in network_ids:
        session.add(MeetingInvitee(meeting_id=meeting.id, network_member_id=network_id, attendance=Attendance.invited))
    await session.flush()
