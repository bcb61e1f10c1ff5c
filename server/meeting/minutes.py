"""What happens at and after a TAF meeting: attendance, minutes (items, one per agenda point or agency
update, each its agency's case content; a draft the chair changes item by item, then published and never
changed; corrections are addenda), decisions, and actions that go onto the family plan."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import outbox
from notifications.events import MinutesPublished
from server import writes
from server.access.categories import InformationCategory
from server.access.pep import AccessControl
from server.clock import utcnow
from server.db.versioning import update_versioned, update_versioned_later
from server.errors import BadUserInput, Conflict
from server.family.service import require_members_of
from server.meeting import reads
from server.meeting.models import (
    Attendance,
    Meeting,
    MeetingAddendum,
    MeetingDecision,
    MeetingInvitee,
    MeetingStatus,
    MinutesItem,
)
from server.meeting.service import for_change
from server.plan import service as plan_service
from server.plan.models import PlanAction
from server.team.models import TeamMembership
from server.validation import required_text

NO_ITEMS = "Add at least one item to the minutes before publishing them."
PUBLISHED = "These minutes are published and cannot change; add an addendum to correct them."
STALE = "Someone else changed this meeting since you opened it. Reload to see their change."


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


@dataclass(frozen=True)
class MinutesItemIn:
    heading: str
    text: str
    category: InformationCategory = InformationCategory.other
    contains_third_party_identities: bool = False
    about_member_ids: list[uuid.UUID] = field(default_factory=list)
    agency_id: uuid.UUID | None = None  # whose information it is; None: the chair's own agency


@dataclass(frozen=True)
class DecisionIn:
    text: str
    category: InformationCategory = InformationCategory.other
    contains_third_party_identities: bool = False
    agreed_with_family: bool = True


@dataclass(frozen=True)
class AddendumIn:
    text: str
    category: InformationCategory = InformationCategory.other
    contains_third_party_identities: bool = False


async def add_item(
    session: AsyncSession, access: AccessControl, *, meeting_id: uuid.UUID, expected_version: int, data: MinutesItemIn
) -> tuple[Meeting, uuid.UUID]:
    """The chair adds an item at the end of the draft minutes (its id is returned). The meeting's version moves on.
    The meeting's versioned update and the item's insert are queued with the audit event (server/writes.py): one
    statement, each built once. Its position and whether its agency is on the team (nothing inserted: it is not,
    BAD_USER_INPUT) are decided in the insert; a stale version answers CONFLICT first and nothing is saved."""
    meeting = await _started(session, access, meeting_id, shared=True)
    _require_draft(meeting)
    _require_version(meeting, expected_version)
    content = await _item_content(session, access, meeting, data, agency_checked_by_insert=True)
    values = {"status": MeetingStatus.held}
    update_versioned_later(session, meeting, expected_version, values, what="meeting")
    item_id = uuid.uuid4()
    row = {
        "id": item_id,
        "meeting_id": meeting.id,
        "family_id": meeting.family_id,
        "author_user_id": access.actor.user_id,
        "created_at": utcnow(),
        **content,
    }

    async def inserted(found: bool) -> None:
        if not found:
            raise BadUserInput(NOT_ON_TEAM, field="agencyId")

    writes.shaped_later(
        session,
        "minutes_item_add",
        _item_insert,
        row,
        matched=inserted,
        guarded=_item_insert,
        precondition=_item_agency_on_team,
    )
    writes.on_refusal(session, published_refusal)
    return meeting, item_id


def _item_insert(prefix: str, condition: sa.ColumnElement[bool] | None = None) -> sa.Insert:
    """A minutes item at the end of its meeting's, if its agency has someone on the family's team (and, given,
    where `condition` holds: an optimistic write's guard, server/writes.py)."""
    values = _item_values(prefix)
    last = sa.select(sa.func.coalesce(sa.func.max(_ITEMS.c.position), 0) + 1).where(
        _ITEMS.c.meeting_id == values["meeting_id"]
    )
    inserting = sa.select(*values.values(), last.scalar_subquery()).where(
        _item_agency_on_team(prefix), sa.true() if condition is None else condition
    )
    return sa.insert(_ITEMS).from_select([*values, "position"], inserting).returning(_ITEMS.c.id)


def _item_agency_on_team(prefix: str) -> sa.ColumnElement[bool]:
    """SQL: the item's agency has someone on the family's team (what `_item_insert` checks)."""
    values = _item_values(prefix)
    return _on_team(values["family_id"], values["owning_agency_id"])


def _item_values(prefix: str) -> dict[str, sa.BindParameter]:
    """A new item's columns (but its position) as bind parameters named `prefix + column`."""
    return {
        column.name: sa.bindparam(prefix + column.name, type_=column.type)
        for column in _ITEMS.columns
        if column.name != "position"
    }


_ITEMS = MinutesItem.__table__  # type: ignore[attr-defined]


async def edit_item(
    session: AsyncSession, access: AccessControl, *, item_id: uuid.UUID, expected_version: int, changes: dict
) -> tuple[Meeting, MinutesItem]:
    """`changes` holds only the fields the caller sent. An item the caller may not read is NOT_FOUND."""
    row = (await reads.get(session, access, MinutesItem, item_id)).row
    meeting = await _draft_changed(session, access, row.meeting_id, expected_version)
    merged = MinutesItemIn(**{**_item_of(row), **changes})
    for name, value in (await _item_content(session, access, meeting, merged, kept_heading=row.heading)).items():
        setattr(row, name, value)
    async with unless_published():
        await session.flush()
    return meeting, row


async def remove_item(
    session: AsyncSession, access: AccessControl, *, item_id: uuid.UUID, expected_version: int
) -> Meeting:
    row = (await reads.get(session, access, MinutesItem, item_id)).row
    meeting = await _draft_changed(session, access, row.meeting_id, expected_version)
    await session.delete(row)
    async with unless_published():
        await session.flush()
    return meeting


async def publish_minutes(
    session: AsyncSession, access: AccessControl, *, meeting_id: uuid.UUID, expected_version: int
) -> Meeting:
    meeting = await _started(session, access, meeting_id, shared=True)
    _require_draft(meeting)
    values = {"minutes_published_at": utcnow(), "status": MeetingStatus.held}

    async def stale() -> None:
        current = (await session.exec(select(Meeting.version).where(Meeting.id == meeting.id))).one()
        if current == expected_version:  # not stale: there was no item
            raise BadUserInput(NO_ITEMS, field="minutes")

    # Written with the audit event and the outbox's (server/writes.py): one round trip.
    row = update_versioned_later(
        session, meeting, expected_version, values, what="meeting", provided=_has_items, stale=stale
    )
    # The event names the meeting only: readers open the minutes and see the items they may read.
    await outbox.append(
        session,
        MinutesPublished(
            family_id=row.family_id, actor_user_id=access.actor.user_id, meeting_id=row.id, starts_at=row.scheduled_at
        ),
    )
    return row


async def add_decision(
    session: AsyncSession, access: AccessControl, *, meeting_id: uuid.UUID, data: DecisionIn
) -> tuple[Meeting, uuid.UUID]:
    """A decision (its id is returned), written with the audit event."""
    meeting = await _started(session, access, meeting_id, shared=True)
    _require_draft(meeting)
    row = {
        "id": uuid.uuid4(),
        "meeting_id": meeting.id,
        "text": required_text(data.text, "text", 2000),
        "recorded_by_user_id": access.actor.user_id,
        "owning_agency_id": access.actor.agency_id,
        "category": InformationCategory(data.category),
        "contains_third_party_identities": data.contains_third_party_identities,
        "agreed_with_family": data.agreed_with_family,
        "created_at": utcnow(),
    }
    writes.insert_later(session, _DECISIONS, row)  # with the audit event (server/writes.py), built once
    return meeting, row["id"]


_DECISIONS = MeetingDecision.__table__  # type: ignore[attr-defined]


async def add_addendum(
    session: AsyncSession, access: AccessControl, *, meeting_id: uuid.UUID, data: AddendumIn
) -> tuple[Meeting, MeetingAddendum]:
    meeting = await for_change(session, access, meeting_id)
    if meeting.minutes_published_at is None:
        raise Conflict("The minutes are still a draft: change them instead of adding an addendum.")
    row = MeetingAddendum(
        meeting_id=meeting.id,
        text=required_text(data.text, "text", 5000),
        author_user_id=access.actor.user_id,
        owning_agency_id=access.actor.agency_id,
        category=data.category,
        contains_third_party_identities=data.contains_third_party_identities,
    )
    session.add(row)
    await session.flush()
    return meeting, row


async def add_action(
    session: AsyncSession, access: AccessControl, *, meeting_id: uuid.UUID, data: plan_service.ActionIn
) -> PlanAction:
    """An action agreed at the meeting goes onto the family plan, assigned to its owner."""
    meeting = await _started(session, access, meeting_id)
    _require_draft(meeting)
    return await plan_service.add_action(session, access, family_id=meeting.family_id, data=data, meeting_id=meeting.id)


async def _started(
    session: AsyncSession, access: AccessControl, meeting_id: uuid.UUID, *, shared: bool = False
) -> Meeting:
    """The meeting, for a change once it has started. `shared` (adding items and decisions, publishing): the
    family locked FOR SHARE, the meeting FOR UPDATE (`for_change`). These change only the meeting's draft
    minutes, which no access rule reads; each reads the meeting (draft? which version?) as the change before it
    left it, the meeting's lock ordering them, and every other change of the meeting, the family or its team
    takes the family FOR UPDATE, so they still wait for each other."""
    meeting = await for_change(session, access, meeting_id, shared=shared)
    if meeting.status is MeetingStatus.cancelled:
        raise Conflict("This meeting was cancelled.")
    if meeting.scheduled_at > utcnow():
        raise Conflict("This meeting has not started yet: record what happened once it has.")
    return meeting


def _require_draft(meeting: Meeting) -> None:
    if meeting.minutes_published_at is not None:
        raise Conflict(PUBLISHED)


def _require_version(meeting: Meeting, expected_version: int) -> None:
    """CONFLICT before the request's content is checked, as a versioned update run first would answer, when the
    meeting read under the family's lock is at another version. Only a fast answer: the queued update's WHERE is
    what guards (this read's snapshot may predate a change committed while the lock was awaited)."""
    if meeting.version != expected_version:
        raise Conflict(STALE)


def _has_items(meetings: sa.Table) -> sa.ColumnElement[bool]:
    """SQL: the meeting being updated has minutes items (publishing's condition, in its UPDATE)."""
    items = MinutesItem.__table__  # type: ignore[attr-defined]
    return sa.select(items.c.id).where(items.c.meeting_id == meetings.c.id).correlate(meetings).exists()


async def _draft_changed(
    session: AsyncSession, access: AccessControl, meeting_id: uuid.UUID, expected_version: int
) -> Meeting:
    """The meeting, moved on a version for a change to its draft minutes, before anything is written: a
    stale version is a CONFLICT with nothing saved."""
    meeting = await _started(session, access, meeting_id)
    _require_draft(meeting)
    values = {"status": MeetingStatus.held.value}
    return await update_versioned(session, Meeting, meeting.id, expected_version, values, what="meeting")


async def _item_content(
    session: AsyncSession,
    access: AccessControl,
    meeting: Meeting,
    data: MinutesItemIn,
    *,
    kept_heading: str | None = None,
    agency_checked_by_insert: bool = False,
) -> dict:
    """An item's content checked; `kept_heading` is the heading an edit leaves as it was (perhaps empty, for
    minutes written as one text before they were items). With `agency_checked_by_insert`, the caller's insert
    checks that the item's agency is on the team (`_on_team`)."""
    unchanged = kept_heading is not None and data.heading == kept_heading
    await require_members_of(session, meeting.family_id, data.about_member_ids)
    return {
        "heading": kept_heading if unchanged else required_text(data.heading, "heading", 200),
        "text": required_text(data.text, "text", 20_000),
        "category": InformationCategory(data.category),
        "contains_third_party_identities": data.contains_third_party_identities,
        "about_member_ids": list(dict.fromkeys(data.about_member_ids)),
        "owning_agency_id": await _agency_on_team(
            session, meeting.family_id, data.agency_id or access.actor.agency_id, checked=not agency_checked_by_insert
        ),
    }


async def _agency_on_team(
    session: AsyncSession, family_id: uuid.UUID, agency_id: uuid.UUID | None, *, checked: bool = True
) -> uuid.UUID:
    """The chair may record an update on behalf of another agency on the family's team: it is then that
    agency's information. Unless `checked` is False (the caller's statement checks it)."""
    if agency_id is None:
        raise BadUserInput(NOT_ON_TEAM, field="agencyId")
    if checked and not (await session.exec(sa.select(_on_team(family_id, agency_id)))).one()[0]:
        raise BadUserInput(NOT_ON_TEAM, field="agencyId")
    return agency_id


def _on_team(family_id: uuid.UUID, agency_id: uuid.UUID | None) -> sa.ColumnElement[bool]:
    """SQL: the agency has someone on the family's team."""
    membership = TeamMembership.__table__.c  # type: ignore[attr-defined]
    return sa.exists().where(
        membership.family_id == family_id, membership.agency_id == agency_id, membership.valid_to.is_(None)
    )


NOT_ON_TEAM = "Choose an agency on the family's team."


def _item_of(row: MinutesItem) -> dict:
    return {
        "heading": row.heading,
        "text": row.text,
        "category": row.category,
        "contains_third_party_identities": row.contains_third_party_identities,
        "about_member_ids": row.about_member_ids,
        "agency_id": row.owning_agency_id,
    }


@asynccontextmanager
async def unless_published() -> AsyncIterator[None]:
    """The database refuses changes to the items of published minutes (a trigger): should a change race
    publication past the checks above, the caller gets CONFLICT, not an internal error."""
    try:
        yield
    except DBAPIError as error:
        published_refusal(error)
        raise


def published_refusal(error: DBAPIError) -> None:
    """CONFLICT for the trigger's refusal of a change to published minutes (`unless_published`, or a queued write's
    `writes.on_refusal`)."""
    cause = error.orig.__cause__ if error.orig is not None else None
    if getattr(cause, "sqlstate", None) == "42501" and "published minutes" in str(cause):
        raise Conflict(PUBLISHED) from None
