"""The `myWork` query: a member of staff's actions, meetings, escalations to acknowledge, reviews to
arrange and unread notifications, each with its family, in one request (server/my_work/service.py)."""

from __future__ import annotations

import strawberry

from server.api.pagination import After, First, PageInfo
from server.api.scalars import Info
from server.escalation.api import EscalationType
from server.family.api import FamilyType
from server.inbox import service as inbox_service
from server.inbox.api import NotificationConnection, NotificationType
from server.meeting.api import MeetingType, ReviewScheduleType
from server.my_work import service as my_work_service
from server.plan.api import PlanActionType
from server.plan.service import SeenAction

_LISTS = " Each list is a page of at most `first` items, with the total in totalCount."


@strawberry.type(name="MyAction", description="An open action the caller owns, with its family.")
class MyActionType:
    action: PlanActionType = strawberry.field(
        description="The action; its description is null where the caller may not read it."
    )
    family: FamilyType
    due_soon: bool = strawberry.field(description="Not overdue, and due within seven days.")


@strawberry.type(name="MyActionConnection", description="The caller's open actions, soonest due first.")
class MyActionConnection:
    nodes: list[MyActionType]
    page_info: PageInfo
    total_count: int


@strawberry.type(name="MyMeeting", description="A meeting to come that the caller is invited to or chairs.")
class MyMeetingType:
    meeting: MeetingType
    family: FamilyType


@strawberry.type(name="MyMeetingConnection", description="Meetings to come, soonest first.")
class MyMeetingConnection:
    nodes: list[MyMeetingType]
    page_info: PageInfo
    total_count: int


@strawberry.type(name="MyEscalation", description="An escalation waiting for the caller's acknowledgement.")
class MyEscalationType:
    escalation: EscalationType = strawberry.field(
        description="The escalation; its reason is null where the caller may not read its category."
    )
    family: FamilyType


@strawberry.type(name="MyEscalationConnection", description="Escalations to acknowledge, earliest deadline first.")
class MyEscalationConnection:
    nodes: list[MyEscalationType]
    page_info: PageInfo
    total_count: int


@strawberry.type(name="MyReview", description="A family review the caller arranges that is missing, late or soon.")
class MyReviewType:
    schedule: ReviewScheduleType
    family: FamilyType


@strawberry.type(name="MyReviewConnection", description="Reviews to arrange or prepare, soonest due first.")
class MyReviewConnection:
    nodes: list[MyReviewType]
    page_info: PageInfo
    total_count: int


@strawberry.type(
    name="MyWork",
    description="What the signed-in member of staff has to do next, across the families they work with. Items"
    " the caller may not see are left out, and case content they may not read is null, exactly as on the"
    " family's own pages." + _LISTS,
)
class MyWorkType:
    @strawberry.field(description="Open actions the caller owns, soonest due first (overdue ones lead).")
    async def actions(self, info: Info, first: First = 10, after: After = None) -> MyActionConnection:
        async with info.context.read() as session:
            page = await my_work_service.my_actions(session, info.context.access, first=first, after=after)
        nodes = [
            MyActionType(
                action=PlanActionType.from_seen(SeenAction(item.action, item.description_visible)),
                family=FamilyType.from_row(item.family),
                due_soon=item.due_soon,
            )
            for item in page.items
        ]
        page_info = PageInfo.of(page, my_work_service.action_cursor)
        return MyActionConnection(nodes=nodes, page_info=page_info, total_count=page.total)  # type: ignore[arg-type]

    @strawberry.field(description="Scheduled meetings, from two hours ago on, that the caller is invited to or chairs.")
    async def meetings(self, info: Info, first: First = 10, after: After = None) -> MyMeetingConnection:
        async with info.context.read() as session:
            page = await my_work_service.my_meetings(session, info.context.access, first=first, after=after)
        nodes = [
            MyMeetingType(meeting=MeetingType.from_row(i.meeting), family=FamilyType.from_row(i.family))
            for i in page.items
        ]
        page_info = PageInfo.of(page, my_work_service.meeting_cursor)
        return MyMeetingConnection(nodes=nodes, page_info=page_info, total_count=page.total)  # type: ignore[arg-type]

    @strawberry.field(
        description="Escalations not yet acknowledged in families where the caller is the one to acknowledge them"
        " (the lead professional), earliest deadline (ackDueAt) first."
    )
    async def escalations(self, info: Info, first: First = 10, after: After = None) -> MyEscalationConnection:
        async with info.context.read() as session:
            page = await my_work_service.escalations_to_acknowledge(
                session, info.context.access, first=first, after=after
            )
        nodes = [
            MyEscalationType(escalation=EscalationType.from_seen(i.seen), family=FamilyType.from_row(i.family))
            for i in page.items
        ]
        page_info = PageInfo.of(page, my_work_service.escalation_cursor)
        return MyEscalationConnection(nodes=nodes, page_info=page_info, total_count=page.total)  # type: ignore[arg-type]

    @strawberry.field(
        description="Open cases whose reviews the caller arranges (as chair) with no review booked, a late one,"
        " or one within two weeks; soonest due first."
    )
    async def reviews(self, info: Info, first: First = 10, after: After = None) -> MyReviewConnection:
        async with info.context.read() as session:
            page = await my_work_service.reviews_due(
                session, info.context.access, info.context.settings, first=first, after=after
            )
        nodes = [
            MyReviewType(schedule=ReviewScheduleType(**vars(i.schedule)), family=FamilyType.from_row(i.family))
            for i in page.items
        ]
        page_info = PageInfo.of(page, my_work_service.review_cursor)
        return MyReviewConnection(nodes=nodes, page_info=page_info, total_count=page.total)  # type: ignore[arg-type]

    @strawberry.field(description="The caller's unread notifications, newest first (the inbox, unread only).")
    async def notifications(self, info: Info, first: First = 10, after: After = None) -> NotificationConnection:
        async with info.context.read() as session:
            page = await inbox_service.inbox(session, info.context.access, first=first, after=after, unread_only=True)
        nodes = [NotificationType.from_row(row) for row in page.items]
        return NotificationConnection(nodes=nodes, page_info=PageInfo.of(page, inbox_service.cursor))

    @strawberry.field(description="How many of the caller's notifications are unread.")
    async def unread_count(self, info: Info) -> int:
        async with info.context.read() as session:
            return await inbox_service.unread_count(session, info.context.access)


@strawberry.type
class MyWorkQuery:
    @strawberry.field(
        description="The signed-in member of staff's work: the home page of the workspace. UNAUTHENTICATED"
        " without a sign-in. Family members have the portal instead."
    )
    def my_work(self, info: Info) -> MyWorkType:
        info.context.require_actor()
        return MyWorkType()
