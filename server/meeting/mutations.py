"""Mutations of TAF meetings: scheduling, moving, cancelling, and recording what happened."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import strawberry

from server.api.scalars import Info, idempotency_key_field, parse_id, parse_ids
from server.contribution.api import InformationCategoryType
from server.contribution.models import InformationCategory
from server.errors import BadUserInput
from server.meeting import minutes as minutes_service
from server.meeting import service as meeting_service
from server.meeting.api import AttendanceType, MeetingKindType, MeetingType, meeting_view
from server.meeting.models import Attendance, Meeting
from server.meeting.service import MeetingIn
from server.plan import service as plan_service
from server.plan.api import PlanActionType
from server.plan.models import PlanAction
from server.plan.service import ActionIn


@strawberry.input(description="Schedule a TAF meeting; the lead professional chairs it and is invited.")
class MeetingScheduleInput:
    family_id: strawberry.ID
    kind: MeetingKindType  # type: ignore[valid-type]
    scheduled_at: datetime = strawberry.field(description="In the future, with a time zone.")
    location: str = strawberry.field(default="", description="A place, or give callLink (one is required).")
    call_link: str = ""
    agenda: str = strawberry.field(default="", description="5,000 characters at most.")
    invitee_user_ids: list[strawberry.ID] = strawberry.field(default_factory=list, description="Workers on the team.")
    invitee_member_ids: list[strawberry.ID] = strawberry.field(default_factory=list, description="Family members.")
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input
class MeetingRescheduleInput:
    meeting_id: strawberry.ID
    expected_version: int
    scheduled_at: datetime = strawberry.field(description="In the future, with a time zone.")
    reason: str = strawberry.field(description="Why it moved (required).")


@strawberry.input
class MeetingCancelInput:
    meeting_id: strawberry.ID
    expected_version: int
    reason: str = strawberry.field(description="Why it was cancelled (required).")


@strawberry.input
class AttendanceInput:
    invitee_id: strawberry.ID
    attendance: AttendanceType  # type: ignore[valid-type]


@strawberry.input(description="Who came, once the meeting has started. The meeting becomes held.")
class MeetingAttendanceInput:
    meeting_id: strawberry.ID
    expected_version: int
    attendance: list[AttendanceInput]

    def to_map(self) -> dict[uuid.UUID, Attendance]:
        if len(self.attendance) > 100:
            raise BadUserInput("At most 100 attendance entries.", field="attendance")
        return {parse_id(a.invitee_id, "inviteeId"): Attendance(a.attendance) for a in self.attendance}


@strawberry.input(description="Save the draft minutes. Published minutes never change.")
class MinutesSaveInput:
    meeting_id: strawberry.ID
    expected_version: int
    minutes: str = strawberry.field(description="50,000 characters at most.")


@strawberry.input
class MinutesPublishInput:
    meeting_id: strawberry.ID
    expected_version: int


@strawberry.input
class MeetingTextInput:
    meeting_id: strawberry.ID
    text: str
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input(description="An action agreed at the meeting; it goes onto the family plan.")
class MeetingActionAddInput:
    meeting_id: strawberry.ID
    description: str
    owner_user_id: strawberry.ID
    due_date: date = strawberry.field(description="Not before today.")
    goal_id: strawberry.ID | None = None
    category: InformationCategoryType = strawberry.field(  # type: ignore[valid-type]
        default=InformationCategory.other,
        description="The information category of the description: it decides who may read it.",
    )
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class MeetingMutation:
    @strawberry.mutation(description="Schedule a TAF meeting. Lead professional only.")
    async def meeting_schedule(self, info: Info, input: MeetingScheduleInput) -> MeetingType:
        family_id = parse_id(input.family_id, "familyId")
        data = MeetingIn(
            kind=input.kind,
            scheduled_at=input.scheduled_at,
            location=input.location,
            call_link=input.call_link,
            agenda=input.agenda,
            invitee_user_ids=parse_ids(input.invitee_user_ids, "inviteeUserIds"),
            invitee_member_ids=parse_ids(input.invitee_member_ids, "inviteeMemberIds"),
        )
        async with info.context.change(
            "meetingSchedule", family_id=family_id, idempotency_key=input.idempotency_key
        ) as change:
            if change.replayed_id is not None:
                row = await change.replay(Meeting)
            else:
                row = await meeting_service.schedule(
                    change.session, info.context.access, family_id=family_id, data=data
                )
                change.detail |= {"meetingId": str(row.id)}
                change.result_id = row.id
        return MeetingType.from_row(row)

    @strawberry.mutation(description="Move a scheduled meeting, with a reason. CONFLICT when stale.")
    async def meeting_reschedule(self, info: Info, input: MeetingRescheduleInput) -> MeetingType:
        meeting_id = parse_id(input.meeting_id, "meetingId")
        async with info.context.change("meetingReschedule") as change:
            row = await meeting_service.reschedule(
                change.session,
                info.context.access,
                meeting_id=meeting_id,
                expected_version=input.expected_version,
                scheduled_at=input.scheduled_at,
                reason=input.reason,
            )
            change.family_id, change.detail = row.family_id, {"meetingId": str(row.id)}
        return MeetingType.from_row(row)

    @strawberry.mutation(description="Cancel a scheduled meeting, with a reason. CONFLICT when stale.")
    async def meeting_cancel(self, info: Info, input: MeetingCancelInput) -> MeetingType:
        meeting_id = parse_id(input.meeting_id, "meetingId")
        async with info.context.change("meetingCancel") as change:
            row = await meeting_service.cancel(
                change.session,
                info.context.access,
                meeting_id=meeting_id,
                expected_version=input.expected_version,
                reason=input.reason,
            )
            change.family_id, change.detail = row.family_id, {"meetingId": str(row.id)}
        return MeetingType.from_row(row)

    @strawberry.mutation(description="Record attendance once the meeting has started. Lead professional only.")
    async def meeting_attendance_record(self, info: Info, input: MeetingAttendanceInput) -> MeetingType:
        meeting_id, attendance = parse_id(input.meeting_id, "meetingId"), input.to_map()
        async with info.context.change("meetingAttendanceRecord") as change:
            row = await minutes_service.record_attendance(
                change.session,
                info.context.access,
                meeting_id=meeting_id,
                expected_version=input.expected_version,
                attendance=attendance,
            )
            change.family_id, change.detail = row.family_id, {"meetingId": str(row.id)}
        return MeetingType.from_row(row)

    @strawberry.mutation(description="Save the draft minutes. CONFLICT once published or when stale.")
    async def minutes_save(self, info: Info, input: MinutesSaveInput) -> MeetingType:
        meeting_id = parse_id(input.meeting_id, "meetingId")
        async with info.context.change("minutesSave") as change:
            row = await minutes_service.save_minutes(
                change.session,
                info.context.access,
                meeting_id=meeting_id,
                expected_version=input.expected_version,
                minutes=input.minutes,
            )
            change.family_id, change.detail = row.family_id, {"meetingId": str(row.id)}
        return MeetingType.from_row(row)

    @strawberry.mutation(description="Publish the minutes; after this they never change (add addenda instead).")
    async def minutes_publish(self, info: Info, input: MinutesPublishInput) -> MeetingType:
        meeting_id = parse_id(input.meeting_id, "meetingId")
        async with info.context.change("minutesPublish") as change:
            row = await minutes_service.publish_minutes(
                change.session, info.context.access, meeting_id=meeting_id, expected_version=input.expected_version
            )
            change.family_id, change.detail = row.family_id, {"meetingId": str(row.id)}
        return MeetingType.from_row(row)

    @strawberry.mutation(description="Record a decision of the meeting, while the minutes are a draft.")
    async def meeting_decision_add(self, info: Info, input: MeetingTextInput) -> MeetingType:
        meeting_id = parse_id(input.meeting_id, "meetingId")
        async with info.context.change("meetingDecisionAdd", idempotency_key=input.idempotency_key) as change:
            if change.replayed_id is not None:  # the meeting the first attempt added to
                meeting_id = (await change.replay(Meeting)).id
            else:
                row = await minutes_service.add_decision(
                    change.session, info.context.access, meeting_id=meeting_id, text=input.text
                )
                change.detail |= {"meetingId": str(meeting_id), "decisionId": str(row.id)}
                meeting = await meeting_service.get(change.session, info.context.access, meeting_id)
                change.family_id, change.result_id = meeting.family_id, meeting.id
        return await meeting_view(info, str(meeting_id))

    @strawberry.mutation(description="Add a correction to published minutes.")
    async def minutes_addendum_add(self, info: Info, input: MeetingTextInput) -> MeetingType:
        meeting_id = parse_id(input.meeting_id, "meetingId")
        async with info.context.change("minutesAddendumAdd", idempotency_key=input.idempotency_key) as change:
            if change.replayed_id is not None:  # the meeting the first attempt added to
                meeting_id = (await change.replay(Meeting)).id
            else:
                row = await minutes_service.add_addendum(
                    change.session, info.context.access, meeting_id=meeting_id, text=input.text
                )
                change.detail |= {"meetingId": str(meeting_id), "addendumId": str(row.id)}
                meeting = await meeting_service.get(change.session, info.context.access, meeting_id)
                change.family_id, change.result_id = meeting.family_id, meeting.id
        return await meeting_view(info, str(meeting_id))

    @strawberry.mutation(description="Add an action agreed at the meeting; it goes onto the plan for its owner.")
    async def meeting_action_add(self, info: Info, input: MeetingActionAddInput) -> PlanActionType:
        meeting_id = parse_id(input.meeting_id, "meetingId")
        data = ActionIn(
            description=input.description,
            owner_user_id=parse_id(input.owner_user_id, "ownerUserId"),
            due_date=input.due_date,
            goal_id=parse_id(input.goal_id, "goalId") if input.goal_id else None,
            category=input.category,
        )
        async with info.context.change("meetingActionAdd", idempotency_key=input.idempotency_key) as change:
            if change.replayed_id is not None:
                row = await change.replay(PlanAction)
            else:
                row = await minutes_service.add_action(
                    change.session, info.context.access, meeting_id=meeting_id, data=data
                )
                change.family_id = row.family_id
                change.detail |= {"meetingId": str(meeting_id), "actionId": str(row.id)}
                change.result_id = row.id
            seen = await plan_service.seen_action(change.session, info.context.access, row)
        return PlanActionType.from_seen(seen)
