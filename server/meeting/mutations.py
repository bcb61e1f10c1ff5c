"""Mutations of TAF meetings: scheduling, moving, cancelling, and recording what happened."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from functools import partial

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.categories import InformationCategory
from server.access.pep import AccessControl
from server.api.context import Context
from server.api.mutation import mutate, mutation_payload, run_mutation
from server.api.scalars import Info, idempotency_key_field, parse_id, parse_ids
from server.api.types import InformationCategoryType
from server.errors import BadUserInput
from server.meeting import minutes as minutes_service
from server.meeting import service as meeting_service
from server.meeting.api import AttendanceType, MeetingKindType, MeetingType
from server.meeting.minutes import AddendumIn, DecisionIn, MinutesItemIn
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
    invitee_network_member_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="People of the family's network: a family group conference only."
    )
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


@strawberry.input(
    description="Add an item at the end of the draft minutes: an agenda point, or one agency's update. Chair only."
)
class MinutesItemAddInput:
    meeting_id: strawberry.ID
    expected_version: int = strawberry.field(description="The meeting's version you read; stale gives CONFLICT.")
    heading: str = strawberry.field(description='An agenda point, or "Update from <agency>". 200 characters at most.')
    text: str = strawberry.field(description="20,000 characters at most.")
    category: InformationCategoryType = InformationCategory.other  # type: ignore[valid-type]
    contains_third_party_identities: bool = False
    about_member_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    agency_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The agency whose information it is, on the family's team (an update the chair records for"
        " it). Default: the chair's own agency.",
    )
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input(description="Change an item of the draft minutes: send only what changes. Chair only.")
class MinutesItemEditInput:
    item_id: strawberry.ID
    expected_version: int = strawberry.field(description="The meeting's version you read; stale gives CONFLICT.")
    heading: strawberry.Maybe[str]
    text: strawberry.Maybe[str]
    category: strawberry.Maybe[InformationCategoryType]  # type: ignore[valid-type]
    contains_third_party_identities: strawberry.Maybe[bool]
    about_member_ids: strawberry.Maybe[list[strawberry.ID]]
    agency_id: strawberry.Maybe[strawberry.ID]

    def changes(self) -> dict:
        changes = {}
        for name in ("heading", "text", "category", "contains_third_party_identities", "about_member_ids", "agency_id"):
            sent = getattr(self, name)
            if sent is None:
                continue
            if sent.value is None:
                raise BadUserInput(f"{name} cannot be null; leave it out to keep it.", field=name)
            changes[name] = sent.value
        if "about_member_ids" in changes:
            changes["about_member_ids"] = parse_ids(changes["about_member_ids"], "aboutMemberIds")
        if "agency_id" in changes:
            changes["agency_id"] = parse_id(changes["agency_id"], "agencyId")
        return changes


@strawberry.input(description="Remove an item from the draft minutes. Chair only.")
class MinutesItemRemoveInput:
    item_id: strawberry.ID
    expected_version: int = strawberry.field(description="The meeting's version you read; stale gives CONFLICT.")


@strawberry.input
class MinutesPublishInput:
    meeting_id: strawberry.ID
    expected_version: int


@strawberry.input(description="A decision of the meeting, recorded while the minutes are a draft.")
class MeetingDecisionAddInput:
    meeting_id: strawberry.ID
    text: str = strawberry.field(description="2,000 characters at most.")
    category: InformationCategoryType = InformationCategory.other  # type: ignore[valid-type]
    contains_third_party_identities: bool = False
    agreed_with_family: bool = strawberry.field(
        default=True,
        description="Agreed with the family at the meeting: then the whole team reads it, unless the family"
        " refused to share its category.",
    )
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input(description="A correction to published minutes.")
class MinutesAddendumAddInput:
    meeting_id: strawberry.ID
    text: str = strawberry.field(description="5,000 characters at most.")
    category: InformationCategoryType = InformationCategory.other  # type: ignore[valid-type]
    contains_third_party_identities: bool = False
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
            invitee_network_member_ids=parse_ids(input.invitee_network_member_ids, "inviteeNetworkMemberIds"),
        )
        row = await mutate(
            info,
            partial(meeting_service.schedule, family_id=family_id, data=data),
            family_id=family_id,
            audit=lambda row: {"meetingId": str(row.id)},
            idempotency_key=input.idempotency_key,
            replay=Meeting,
        )
        return MeetingType.from_row(row)

    @strawberry.mutation(description="Move a scheduled meeting, with a reason. CONFLICT when stale.")
    async def meeting_reschedule(self, info: Info, input: MeetingRescheduleInput) -> MeetingType:
        row = await mutate(
            info,
            partial(
                meeting_service.reschedule,
                meeting_id=parse_id(input.meeting_id, "meetingId"),
                expected_version=input.expected_version,
                scheduled_at=input.scheduled_at,
                reason=input.reason,
            ),
            audit=_meeting_detail,
            keeps_facts=True,
        )
        return MeetingType.from_row(row)

    @strawberry.mutation(description="Cancel a scheduled meeting, with a reason. CONFLICT when stale.")
    async def meeting_cancel(self, info: Info, input: MeetingCancelInput) -> MeetingType:
        meeting_id = parse_id(input.meeting_id, "meetingId")
        row = await mutate(
            info,
            partial(
                meeting_service.cancel,
                meeting_id=meeting_id,
                expected_version=input.expected_version,
                reason=input.reason,
            ),
            audit=_meeting_detail,
            keeps_facts=True,
        )
        return MeetingType.from_row(row)

    @strawberry.mutation(description="Record attendance once the meeting has started. Lead professional only.")
    async def meeting_attendance_record(self, info: Info, input: MeetingAttendanceInput) -> MeetingType:
        meeting_id, attendance = parse_id(input.meeting_id, "meetingId"), input.to_map()
        row = await mutate(
            info,
            partial(
                minutes_service.record_attendance,
                meeting_id=meeting_id,
                expected_version=input.expected_version,
                attendance=attendance,
            ),
            audit=_meeting_detail,
            keeps_facts=True,
        )
        return MeetingType.from_row(row)

    @strawberry.mutation(
        description="Add an item to the draft minutes. CONFLICT once published or when stale. Returns the meeting"
        " as the caller may read it: an item in a category the chair may not read is saved but not shown."
    )
    async def minutes_item_add(self, info: Info, input: MinutesItemAddInput) -> MeetingType:
        meeting = await add_minutes_item(info.context, input, payload=partial(mutation_payload, info))
        return MeetingType.from_row(meeting)

    @strawberry.mutation(description="Change an item of the draft minutes. CONFLICT once published or when stale.")
    async def minutes_item_edit(self, info: Info, input: MinutesItemEditInput) -> MeetingType:
        changes = input.changes()
        meeting, _ = await mutate(
            info,
            partial(
                minutes_service.edit_item,
                item_id=parse_id(input.item_id, "itemId"),
                expected_version=input.expected_version,
                changes=changes,
            ),
            audit=lambda pair: {
                "meetingId": str(pair[0].id),
                "minutesItemId": str(pair[1].id),
                "fields": sorted(changes),
            },
            keeps_facts=True,
        )
        return MeetingType.from_row(meeting)

    @strawberry.mutation(description="Remove an item from the draft minutes. CONFLICT once published or when stale.")
    async def minutes_item_remove(self, info: Info, input: MinutesItemRemoveInput) -> MeetingType:
        item_id = parse_id(input.item_id, "itemId")
        meeting = await mutate(
            info,
            partial(minutes_service.remove_item, item_id=item_id, expected_version=input.expected_version),
            audit=lambda row: {"meetingId": str(row.id), "minutesItemId": str(item_id)},
            keeps_facts=True,
        )
        return MeetingType.from_row(meeting)

    @strawberry.mutation(
        description="Publish the minutes (at least one item); after this they never change (add addenda instead)."
        " The team is told that they were published, never what they say."
    )
    async def minutes_publish(self, info: Info, input: MinutesPublishInput) -> MeetingType:
        return MeetingType.from_row(await publish(info.context, input))

    @strawberry.mutation(description="Record a decision of the meeting, while the minutes are a draft.")
    async def meeting_decision_add(self, info: Info, input: MeetingDecisionAddInput) -> MeetingType:
        return MeetingType.from_row(await add_decision(info.context, input, payload=partial(mutation_payload, info)))

    @strawberry.mutation(description="Add a correction to published minutes.")
    async def minutes_addendum_add(self, info: Info, input: MinutesAddendumAddInput) -> MeetingType:
        data = AddendumIn(
            text=input.text,
            category=InformationCategory(input.category),
            contains_third_party_identities=input.contains_third_party_identities,
        )
        meeting, _ = await mutate(
            info,
            partial(minutes_service.add_addendum, meeting_id=parse_id(input.meeting_id, "meetingId"), data=data),
            audit=lambda pair: {"meetingId": str(pair[0].id), "addendumId": str(pair[1].id)},
            idempotency_key=input.idempotency_key,
            replay=_meeting_added_to,
            keeps_facts=True,
        )
        return MeetingType.from_row(meeting)

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
        seen = await mutate(
            info,
            partial(minutes_service.add_action, meeting_id=meeting_id, data=data),
            audit=lambda row: {"meetingId": str(meeting_id), "actionId": str(row.id)},
            idempotency_key=input.idempotency_key,
            replay=PlanAction,
            then=plan_service.seen_action,
        )
        return PlanActionType.from_seen(seen)


# MinutesItemAdd's, MinutesPublish's and MeetingDecisionAdd's changes, for their resolvers and their compiled form
# (server/meeting/compiled_writes_api.py): the meeting changed (or, on a replay, added to). `payload()` hashes the
# arguments (for an idempotency key).


async def add_minutes_item(context: Context, input: MinutesItemAddInput, *, payload: Callable[[], str]) -> Meeting:
    meeting_id = parse_id(input.meeting_id, "meetingId")
    data = MinutesItemIn(
        heading=input.heading,
        text=input.text,
        category=InformationCategory(input.category),
        contains_third_party_identities=input.contains_third_party_identities,
        about_member_ids=parse_ids(input.about_member_ids, "aboutMemberIds"),
        agency_id=parse_id(input.agency_id, "agencyId") if input.agency_id else None,
    )
    meeting, _ = await run_mutation(
        context,
        "minutesItemAdd",
        partial(minutes_service.add_item, meeting_id=meeting_id, expected_version=input.expected_version, data=data),
        payload=payload,
        audit=lambda pair: {"meetingId": str(pair[0].id), "minutesItemId": str(pair[1])},
        idempotency_key=input.idempotency_key,
        replay=_meeting_added_to,
        keeps_facts=True,
        shares_row=True,
    )
    return meeting


async def publish(context: Context, input: MinutesPublishInput) -> Meeting:
    meeting_id = parse_id(input.meeting_id, "meetingId")
    return await run_mutation(
        context,
        "minutesPublish",
        partial(minutes_service.publish_minutes, meeting_id=meeting_id, expected_version=input.expected_version),
        payload=_no_payload,
        audit=_meeting_detail,
        keeps_facts=True,
        shares_row=True,
    )


async def add_decision(context: Context, input: MeetingDecisionAddInput, *, payload: Callable[[], str]) -> Meeting:
    data = DecisionIn(
        text=input.text,
        category=InformationCategory(input.category),
        contains_third_party_identities=input.contains_third_party_identities,
        agreed_with_family=input.agreed_with_family,
    )
    meeting, _ = await run_mutation(
        context,
        "meetingDecisionAdd",
        partial(minutes_service.add_decision, meeting_id=parse_id(input.meeting_id, "meetingId"), data=data),
        payload=payload,
        audit=lambda pair: {"meetingId": str(pair[0].id), "decisionId": str(pair[1])},
        idempotency_key=input.idempotency_key,
        replay=_meeting_added_to,
        keeps_facts=True,
        shares_row=True,
    )
    return meeting


def _no_payload() -> str:
    raise AssertionError("a mutation without an idempotency key hashes no payload")


def _meeting_detail(row: Meeting) -> dict:
    return {"meetingId": str(row.id)}


async def _meeting_added_to(
    session: AsyncSession, access: AccessControl, meeting_id: uuid.UUID
) -> tuple[Meeting, None]:
    """What a retried addition to a meeting returns: the meeting the first attempt added to."""
    return await meeting_service.get(session, access, meeting_id), None
