from __future__ import annotations

import uuid
from datetime import date, datetime
from functools import partial

import strawberry

from server.api.mutation import mutate
from server.api.pagination import After, First, PageInfo
from server.api.scalars import Info, parse_id
from server.clock import today
from server.follow_up import service as follow_up_service
from server.follow_up.models import FollowUp
from server.follow_up.service import CheckIn
from server.user.api import StaffMemberType


@strawberry.type(
    name="FollowUp",
    description="A check on a closed family 3, 6 or 12 months after its closure: is the young person still at"
    " home, was the family referred again. For the team and its agencies' managers; the lead records it.",
)
class FollowUpType:
    id: strawberry.ID
    family_id: strawberry.ID
    months: int = strawberry.field(description="Months after the closure: 3, 6 or 12.")
    due_on: date
    status: str = strawberry.field(
        description="scheduled (not yet due), due (due and not recorded), recorded, or cancelled (the case was"
        " re-opened before it was recorded)."
    )
    version: int = strawberry.field(description="Send it back as expectedVersion; a stale one gives CONFLICT.")
    checked_on: date | None
    still_at_home: bool | None
    re_referred: bool | None
    note: str
    recorded_at: datetime | None
    row: strawberry.Private[FollowUp]

    @strawberry.field(description="Who recorded the check; null until then.")
    async def recorded_by(self, info: Info) -> StaffMemberType | None:
        user_id = self.row.recorded_by_user_id
        return StaffMemberType.from_row(await info.context.loaders.user_by_id.load(user_id)) if user_id else None

    @strawberry.field(description="The family's reference, e.g. TAF-1001.")
    async def family_reference(self, info: Info) -> str:
        return (await info.context.loaders.family_by_id.load(self.row.family_id)).reference

    @strawberry.field(description="How the team refers to the family.")
    async def family_name(self, info: Info) -> str:
        return (await info.context.loaders.family_by_id.load(self.row.family_id)).display_name

    @classmethod
    def from_row(cls, row: FollowUp) -> FollowUpType:
        return cls(
            id=strawberry.ID(str(row.id)),
            family_id=strawberry.ID(str(row.family_id)),
            months=row.months,
            due_on=row.due_on,
            status=_status(row),
            version=row.version,
            checked_on=row.checked_on,
            still_at_home=row.still_at_home,
            re_referred=row.re_referred,
            note=row.note,
            recorded_at=row.recorded_at,
            row=row,
        )


def _status(row: FollowUp) -> str:
    if row.recorded_at is not None:
        return "recorded"
    if row.cancelled_at is not None:
        return "cancelled"
    return "due" if row.due_on <= today() else "scheduled"


@strawberry.type(description="A page of follow-ups.")
class FollowUpConnection:
    nodes: list[FollowUpType]
    page_info: PageInfo
    total_count: int


@strawberry.input(description="Record what a follow-up check found. Lead professional only; once.")
class FollowUpRecordInput:
    follow_up_id: strawberry.ID
    expected_version: int
    checked_on: date = strawberry.field(description="After the closure date, and not in the future.")
    still_at_home: bool = strawberry.field(description="Is the young person still living at home?")
    re_referred: bool = strawberry.field(description="Has the family been referred again since closure?")
    note: str = strawberry.field(default="", description="2,000 characters at most.")


async def _view(info: Info, follow_up_id: uuid.UUID) -> FollowUpType:
    async with info.context.read() as session:
        return FollowUpType.from_row(await follow_up_service.get(session, info.context.access, follow_up_id))


@strawberry.type
class FollowUpQuery:
    @strawberry.field(description="A family's follow-up checks after closure, by due date.")
    async def family_follow_ups(self, info: Info, family_id: strawberry.ID) -> list[FollowUpType]:
        async with info.context.read() as session:
            rows = await follow_up_service.list_for_family(
                session, info.context.access, parse_id(family_id, "familyId")
            )
        return [FollowUpType.from_row(row) for row in rows]

    @strawberry.field(
        description="The follow-up checks due and not yet recorded on the families the caller leads, oldest first."
    )
    async def follow_ups_due(self, info: Info, first: First = 20, after: After = None) -> FollowUpConnection:
        async with info.context.read() as session:
            page = await follow_up_service.due_for_lead(session, info.context.access, first=first, after=after)
        return FollowUpConnection(
            nodes=[FollowUpType.from_row(row) for row in page.items],
            page_info=PageInfo.of(page, follow_up_service.cursor),
            total_count=page.total,  # type: ignore[arg-type]
        )


@strawberry.type
class FollowUpMutation:
    @strawberry.mutation(description="Record a follow-up check. CONFLICT if already recorded, cancelled or stale.")
    async def follow_up_record(self, info: Info, input: FollowUpRecordInput) -> FollowUpType:
        follow_up_id = parse_id(input.follow_up_id, "followUpId")
        data = CheckIn(input.checked_on, input.still_at_home, input.re_referred, input.note)
        await mutate(
            info,
            partial(
                follow_up_service.record,
                follow_up_id=follow_up_id,
                expected_version=input.expected_version,
                data=data,
            ),
            audit=lambda row: {"followUpId": str(row.id), "stillAtHome": row.still_at_home},
        )
        return await _view(info, follow_up_id)
