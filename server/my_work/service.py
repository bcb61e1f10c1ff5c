"""My work: what a member of staff has to do next, across every family they work with. Each list is a
query over one kind of record, filtered in SQL by the enforcement point's own predicates for that kind
(`family_filter`) and for the family itself, and each piece of case content in it (an action's
description, an escalation's reason) is decided item by item as everywhere else: what a family page
would hide, this page hides too. Every list holds at most `first` items, soonest first, says how
many there are in all, and each pages by a keyset cursor (server/pagination.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import pagination
from server.access.actor import Act
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.clock import today, utcnow
from server.config import Settings
from server.escalation.models import Escalation
from server.escalation.service import Seen, reason_facts
from server.family.models import Family
from server.meeting import schedule
from server.meeting.models import Meeting, MeetingInvitee, MeetingStatus
from server.meeting.schedule import ReviewSchedule
from server.pagination import Page, check_first
from server.plan.content import action_facts, serves_agreed_goal
from server.plan.models import OPEN_ACTION_STATUSES, PlanAction

DUE_SOON = timedelta(days=7)  # an action due within a week is "due soon"
MEETING_GRACE = timedelta(hours=2)  # a meeting under way is still on the list


@dataclass(frozen=True)
class MyAction:
    action: PlanAction
    family: Family
    description_visible: bool

    @property
    def overdue(self) -> bool:
        return self.action.due_date < today()

    @property
    def due_soon(self) -> bool:
        return not self.overdue and self.action.due_date <= today() + DUE_SOON


@dataclass(frozen=True)
class MyMeeting:
    meeting: Meeting
    family: Family


@dataclass(frozen=True)
class MyEscalation:
    seen: Seen
    family: Family


@dataclass(frozen=True)
class MyReview:
    family: Family
    schedule: ReviewSchedule


def _of_visible_family(access: AccessControl, family_id: ColumnElement, kind: Kind, act: Act = Act.read) -> list:
    """The caller may read (or `act` on) `kind` in the family, and see the family itself (for its name)."""
    return [access.family_filter(family_id, act, kind), access.family_filter(family_id)]


async def _page(
    session: AsyncSession, statement, conditions: list, *, first: int, after: str | None, key: tuple, types: tuple
) -> Page:
    """A keyset page of `statement` ordered by the columns `key` (the last one unique), with the total."""
    check_first(first)
    total = (await session.exec(select(sa.func.count()).select_from(statement.where(*conditions).subquery()))).one()
    if after is not None:
        conditions = [*conditions, sa.tuple_(*key) > sa.tuple_(*pagination.decode(after, *types))]
    rows = list((await session.exec(statement.where(*conditions).order_by(*key).limit(first + 1))).all())
    return Page.of(rows, first, total=total)


async def my_actions(session: AsyncSession, access: AccessControl, *, first: int, after: str | None) -> Page[MyAction]:
    """The open actions the caller owns, soonest due first (overdue ones lead)."""
    statement = select(PlanAction, Family, serves_agreed_goal().label("agreed")).join(
        Family, col(Family.id) == col(PlanAction.family_id)
    )
    conditions = [
        col(PlanAction.owner_user_id) == access.actor.user_id,
        col(PlanAction.status).in_(OPEN_ACTION_STATUSES),
        *_of_visible_family(access, col(Family.id), Kind.plan),
    ]
    key, types = (col(PlanAction.due_date), col(PlanAction.id)), (date, uuid.UUID)
    page = await _page(session, statement, conditions, first=first, after=after, key=key, types=types)
    await access.load_facts(session, [family.id for _, family, _ in page.items])
    items = []
    for action, family, agreed in page.items:
        facts = action_facts(action, serves_agreed_goal=bool(agreed))
        visible = await access.can_item(session, Act.read, Kind.plan_action, family.id, facts)
        if visible:
            access.note_read(family.id, action.id, Kind.plan_action, facts)
        items.append(MyAction(action, family, visible))
    return Page(items, page.has_next, page.total)


def action_cursor(item: MyAction) -> str:
    return pagination.encode(item.action.due_date, item.action.id)


async def my_meetings(
    session: AsyncSession, access: AccessControl, *, first: int, after: str | None
) -> Page[MyMeeting]:
    """Meetings to come that the caller is invited to or chairs, soonest first."""
    invited = sa.exists().where(
        col(MeetingInvitee.meeting_id) == col(Meeting.id), col(MeetingInvitee.user_id) == access.actor.user_id
    )
    statement = select(Meeting, Family).join(Family, col(Family.id) == col(Meeting.family_id))
    conditions = [
        sa.or_(invited, col(Meeting.chair_user_id) == access.actor.user_id),
        col(Meeting.status) == MeetingStatus.scheduled.value,
        col(Meeting.scheduled_at) > utcnow() - MEETING_GRACE,
        *_of_visible_family(access, col(Family.id), Kind.meeting),
    ]
    key, types = (col(Meeting.scheduled_at), col(Meeting.id)), (datetime, uuid.UUID)
    page = await _page(session, statement, conditions, first=first, after=after, key=key, types=types)
    return Page([MyMeeting(meeting, family) for meeting, family in page.items], page.has_next, page.total)


def meeting_cursor(item: MyMeeting) -> str:
    return pagination.encode(item.meeting.scheduled_at, item.meeting.id)


async def escalations_to_acknowledge(
    session: AsyncSession, access: AccessControl, *, first: int, after: str | None
) -> Page[MyEscalation]:
    """Escalations not yet acknowledged in families where the caller is the one to acknowledge them,
    earliest deadline first; each reason shown only where its category may be read."""
    statement = select(Escalation, Family).join(Family, col(Family.id) == col(Escalation.family_id))
    conditions = [
        col(Escalation.acknowledged_at).is_(None),
        col(Escalation.resolved_at).is_(None),
        *_of_visible_family(access, col(Family.id), Kind.escalation, Act.update),
        access.family_filter(col(Family.id), Act.read, Kind.escalation),
    ]
    key, types = (col(Escalation.ack_due_at), col(Escalation.id)), (datetime, uuid.UUID)
    page = await _page(session, statement, conditions, first=first, after=after, key=key, types=types)
    await access.load_facts(session, [family.id for _, family in page.items])
    items = []
    for row, family in page.items:
        visible = await access.can_item(session, Act.read, Kind.escalation_reason, family.id, reason_facts(row))
        if visible:
            access.note_read(family.id, row.id, Kind.escalation_reason, reason_facts(row))
        items.append(MyEscalation(Seen(row, visible), family))
    return Page(items, page.has_next, page.total)


def escalation_cursor(item: MyEscalation) -> str:
    return pagination.encode(item.seen.row.ack_due_at, item.seen.row.id)


async def reviews_due(
    session: AsyncSession, access: AccessControl, settings: Settings, *, first: int, after: str | None
) -> Page[MyReview]:
    """Reviews the caller arranges that are missing, late or within two weeks (server/meeting/schedule.py),
    soonest due first; paged on (the date it is due, the family's reference)."""
    check_first(first)
    found = [MyReview(family, due) for family, due in await schedule.reviews_to_arrange(session, access, settings)]
    total = len(found)
    if after is not None:
        last = pagination.decode(after, date, str)
        found = [review for review in found if review_key(review) > last]
    return Page.of(found[: first + 1], first, total=total)


def review_key(review: MyReview) -> tuple[date, str]:
    return (review.schedule.due_on(), review.family.reference)


def review_cursor(review: MyReview) -> str:
    return pagination.encode(*review_key(review))
