from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import strawberry

from server.agency.api import AgencyType
from server.api.scalars import Info, parse_id
from server.api.types import InformationCategoryType
from server.contribution.api import FamilyMemberRef
from server.family_network import service as network_service
from server.meeting import reads
from server.meeting import schedule as schedule_service
from server.meeting import service as meeting_service
from server.meeting.models import (
    Attendance,
    Meeting,
    MeetingAddendum,
    MeetingChange,
    MeetingChangeKind,
    MeetingDecision,
    MeetingInvitee,
    MeetingKind,
    MeetingStatus,
    MinutesItem,
)
from server.meeting.reads import Recorded
from server.plan.api import PlanActionType
from server.user.api import StaffMemberType

MeetingKindType = strawberry.enum(MeetingKind, name="MeetingKind", description="What a TAF meeting is for.")
MeetingStatusType = strawberry.enum(MeetingStatus, name="MeetingStatus", description="Scheduled, held or cancelled.")
AttendanceType = strawberry.enum(
    Attendance, name="Attendance", description="Invited (not yet recorded), present, apologies or absent."
)
MeetingChangeKindType = strawberry.enum(MeetingChangeKind, name="MeetingChangeKind")


@strawberry.type(name="NetworkMemberRef", description="A person of the family's network: who, and how related.")
class NetworkMemberRef:
    id: strawberry.ID
    full_name: str
    relationship: str


@strawberry.type(
    name="MeetingInvitee",
    description="A professional, a family member or (to a family group conference) a person of the family's"
    " network invited to a meeting.",
)
class MeetingInviteeType:
    id: strawberry.ID
    attendance: AttendanceType  # type: ignore[valid-type]
    row: strawberry.Private[MeetingInvitee]
    family_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The professional; null for a family member.")
    async def professional(self, info: Info) -> StaffMemberType | None:
        if self.row.user_id is None:
            return None
        return StaffMemberType.from_row(await info.context.loaders.user_by_id.load(self.row.user_id))

    @strawberry.field(description="The family member; null for a professional.")
    async def family_member(self, info: Info) -> FamilyMemberRef | None:
        if self.row.family_member_id is None:
            return None
        members = await info.context.loaders.members_by_family_id.load(self.family_id)
        member = next(m for m in members if m.id == self.row.family_member_id)
        return FamilyMemberRef(id=strawberry.ID(str(member.id)), full_name=member.full_name)

    @strawberry.field(description="The person of the family's network; null for anyone else.")
    async def network_member(self, info: Info) -> NetworkMemberRef | None:
        if self.row.network_member_id is None:
            return None
        async with info.context.read() as session:
            row = await network_service.get(session, info.context.access, self.row.network_member_id)
        return NetworkMemberRef(id=strawberry.ID(str(row.id)), full_name=row.full_name, relationship=row.relationship)


@strawberry.type(
    name="MinutesItem",
    description="One part of a meeting's minutes: an agenda point or one agency's update, that agency's"
    " information in one category. Only items the caller may read are returned; a lookup by id of any other"
    " answers NOT_FOUND as for a missing id.",
)
class MinutesItemType:
    id: strawberry.ID
    meeting_id: strawberry.ID
    position: int = strawberry.field(description="Items are listed in this order.")
    heading: str = strawberry.field(description='An agenda point, or "Update from <agency>".')
    text: str
    category: InformationCategoryType  # type: ignore[valid-type]
    contains_third_party_identities: bool
    about_member_ids: list[strawberry.ID] = strawberry.field(description="The family members it is about.")
    created_at: datetime
    owning_agency: AgencyType = strawberry.field(description="The agency whose information it is.")
    author: StaffMemberType = strawberry.field(description="Who recorded it (the chair).")

    @classmethod
    def from_recorded(cls, recorded: Recorded[MinutesItem]) -> MinutesItemType:
        row = recorded.row
        return cls(
            id=strawberry.ID(str(row.id)),
            meeting_id=strawberry.ID(str(row.meeting_id)),
            position=row.position,
            heading=row.heading,
            text=row.text,
            category=row.category,
            contains_third_party_identities=row.contains_third_party_identities,
            about_member_ids=[strawberry.ID(str(member_id)) for member_id in row.about_member_ids],
            created_at=row.created_at,
            owning_agency=AgencyType.from_row(recorded.agency),
            author=StaffMemberType.from_row(recorded.author),
        )


@strawberry.type(
    name="MeetingDecision",
    description="A decision recorded at the meeting, the recording agency's information in one category. One"
    " agreed with the family is the whole team's unless the family refused to share its category. Only decisions"
    " the caller may read are returned.",
)
class MeetingDecisionType:
    id: strawberry.ID
    meeting_id: strawberry.ID
    text: str
    category: InformationCategoryType  # type: ignore[valid-type]
    contains_third_party_identities: bool
    agreed_with_family: bool
    created_at: datetime
    owning_agency: AgencyType = strawberry.field(description="The agency whose information it is.")
    recorded_by: StaffMemberType

    @classmethod
    def from_recorded(cls, recorded: Recorded[MeetingDecision]) -> MeetingDecisionType:
        return cls(
            **_written(recorded),
            agreed_with_family=recorded.row.agreed_with_family,
            recorded_by=StaffMemberType.from_row(recorded.author),
        )


@strawberry.type(
    name="MeetingAddendum",
    description="A correction added after the minutes were published, its author's agency's information in one"
    " category. Only addenda the caller may read are returned.",
)
class MeetingAddendumType:
    id: strawberry.ID
    meeting_id: strawberry.ID
    text: str
    category: InformationCategoryType  # type: ignore[valid-type]
    contains_third_party_identities: bool
    created_at: datetime
    owning_agency: AgencyType = strawberry.field(description="The agency whose information it is.")
    author: StaffMemberType

    @classmethod
    def from_recorded(cls, recorded: Recorded[MeetingAddendum]) -> MeetingAddendumType:
        return cls(**_written(recorded), author=StaffMemberType.from_row(recorded.author))


def _written(recorded: Recorded[MeetingDecision] | Recorded[MeetingAddendum]) -> dict[str, Any]:
    """What a meeting's decisions and addenda share: the words, whose information they are, and when."""
    row = recorded.row
    return {
        "id": strawberry.ID(str(row.id)),
        "meeting_id": strawberry.ID(str(row.meeting_id)),
        "text": row.text,
        "category": row.category,
        "contains_third_party_identities": row.contains_third_party_identities,
        "created_at": row.created_at,
        "owning_agency": AgencyType.from_row(recorded.agency),
    }


@strawberry.type(name="MeetingChange", description="A meeting moved or cancelled, and why.")
class MeetingChangeType:
    kind: MeetingChangeKindType  # type: ignore[valid-type]
    reason: str
    previous_at: datetime
    new_at: datetime | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: MeetingChange) -> MeetingChangeType:
        return cls(
            kind=row.kind, reason=row.reason, previous_at=row.previous_at, new_at=row.new_at, created_at=row.created_at
        )


@strawberry.type(name="Meeting", description="A TAF meeting, chaired by the lead professional. For the family's team.")
class MeetingType:
    id: strawberry.ID
    family_id: strawberry.ID
    kind: MeetingKindType  # type: ignore[valid-type]
    status: MeetingStatusType  # type: ignore[valid-type]
    scheduled_at: datetime
    location: str
    call_link: str
    agenda: str
    minutes_published_at: datetime | None = strawberry.field(
        description="When the minutes were published; until then they are a draft the chair changes item by item."
    )
    cancel_reason: str | None
    version: int = strawberry.field(description="Send it back as expectedVersion when changing the meeting.")
    row: strawberry.Private[Meeting]

    @strawberry.field(description="The lead professional who chairs it.")
    async def chair(self, info: Info) -> StaffMemberType:
        actor = info.context.actor
        if actor is not None and actor.user_id == self.row.chair_user_id:  # the chair asks: no read of them
            return StaffMemberType.of_actor(actor)
        return StaffMemberType.from_row(await info.context.loaders.user_by_id.load(self.row.chair_user_id))

    @strawberry.field
    async def invitees(self, info: Info) -> list[MeetingInviteeType]:
        rows = (await info.context.loaders.content_by_meeting.load((self.row.id, self.row.family_id))).invitees
        return [
            MeetingInviteeType(
                id=strawberry.ID(str(r.id)), attendance=r.attendance, row=r, family_id=self.row.family_id
            )
            for r in rows
        ]

    @strawberry.field(description="The items of the minutes the caller may read, in order.")
    async def minutes(self, info: Info) -> list[MinutesItemType]:
        key = (self.row.id, self.row.family_id)
        return [
            MinutesItemType.from_recorded(r) for r in (await info.context.loaders.content_by_meeting.load(key)).minutes
        ]

    @strawberry.field(description="The decisions the caller may read, oldest first.")
    async def decisions(self, info: Info) -> list[MeetingDecisionType]:
        key = (self.row.id, self.row.family_id)
        return [
            MeetingDecisionType.from_recorded(r)
            for r in (await info.context.loaders.content_by_meeting.load(key)).decisions
        ]

    @strawberry.field(description="Corrections to the published minutes the caller may read, oldest first.")
    async def addenda(self, info: Info) -> list[MeetingAddendumType]:
        key = (self.row.id, self.row.family_id)
        return [
            MeetingAddendumType.from_recorded(r)
            for r in (await info.context.loaders.content_by_meeting.load(key)).addenda
        ]

    @strawberry.field(description="Moves and cancellation, with reasons, oldest first.")
    async def changes(self, info: Info) -> list[MeetingChangeType]:
        return [
            MeetingChangeType.from_row(r)
            for r in (await info.context.loaders.content_by_meeting.load((self.row.id, self.row.family_id))).changes
        ]

    @strawberry.field(description="Actions agreed at the meeting; they are on the family plan.")
    async def actions(self, info: Info) -> list[PlanActionType]:
        content = await info.context.loaders.content_by_meeting.load((self.row.id, self.row.family_id))
        return [PlanActionType.from_seen(a) for a in content.actions]

    @classmethod
    def from_row(cls, row: Meeting) -> MeetingType:
        return cls(
            id=strawberry.ID(str(row.id)),
            family_id=strawberry.ID(str(row.family_id)),
            kind=row.kind,
            status=row.status,
            scheduled_at=row.scheduled_at,
            location=row.location,
            call_link=row.call_link,
            agenda=row.agenda,
            minutes_published_at=row.minutes_published_at,
            cancel_reason=row.cancel_reason,
            version=row.version,
            row=row,
        )


@strawberry.type(
    name="ReviewSchedule",
    description="When the family's next TAF review is. Reviews are due every 6 to 12 weeks by default (settings"
    " TAF_REVIEW_MIN_WEEKS and TAF_REVIEW_MAX_WEEKS) from the last meeting held, or from the referral.",
)
class ReviewScheduleType:
    next_review_at: datetime | None = strawberry.field(description="The next scheduled meeting; null if none.")
    last_meeting_at: datetime | None
    earliest_due: date
    due_by: date
    missing: bool = strawberry.field(description="An open case with no review on the calendar.")
    late: bool = strawberry.field(description="The next review is after dueBy, or none is booked and dueBy passed.")


async def meeting_view(info: Info, meeting_id: strawberry.ID) -> MeetingType:
    async with info.context.read() as session:
        return MeetingType.from_row(await meeting_service.get(session, info.context.access, parse_id(meeting_id, "id")))


@strawberry.type
class MeetingQuery:
    @strawberry.field(description="A family's TAF meetings, latest first. For the family's team.")
    async def family_meetings(self, info: Info, family_id: strawberry.ID) -> list[MeetingType]:
        async with info.context.read() as session:
            rows = await meeting_service.list_for_family(session, info.context.access, parse_id(family_id, "familyId"))
        return [MeetingType.from_row(row) for row in rows]

    @strawberry.field(description="One meeting. NOT_FOUND when it does not exist or the caller may not see it.")
    async def meeting(self, info: Info, id: strawberry.ID) -> MeetingType:
        return await meeting_view(info, id)

    @strawberry.field(
        description="One item of a meeting's minutes. NOT_FOUND when it does not exist or the caller may not read it."
    )
    async def minutes_item(self, info: Info, id: strawberry.ID) -> MinutesItemType:
        async with info.context.read() as session:
            recorded = await reads.get(session, info.context.access, MinutesItem, parse_id(id, "id"))
        return MinutesItemType.from_recorded(recorded)

    @strawberry.field(
        description="One decision of a meeting. NOT_FOUND when it does not exist or the caller may not read it."
    )
    async def meeting_decision(self, info: Info, id: strawberry.ID) -> MeetingDecisionType:
        async with info.context.read() as session:
            recorded = await reads.get(session, info.context.access, MeetingDecision, parse_id(id, "id"))
        return MeetingDecisionType.from_recorded(recorded)

    @strawberry.field(
        description="One addendum to a meeting's minutes. NOT_FOUND when it does not exist or the"
        " caller may not read it."
    )
    async def meeting_addendum(self, info: Info, id: strawberry.ID) -> MeetingAddendumType:
        async with info.context.read() as session:
            recorded = await reads.get(session, info.context.access, MeetingAddendum, parse_id(id, "id"))
        return MeetingAddendumType.from_recorded(recorded)

    @strawberry.field(description="The family's next review and whether it is missing or late.")
    async def review_schedule(self, info: Info, family_id: strawberry.ID) -> ReviewScheduleType:
        async with info.context.read() as session:
            schedule = await schedule_service.review_schedule(
                session, info.context.access, parse_id(family_id, "familyId"), info.context.settings
            )
        return ReviewScheduleType(**vars(schedule))
