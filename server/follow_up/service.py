"""Use cases for follow-up checks after closure. Closing a case schedules its checks (`schedule_for`,
called by the closure in the same transaction) with a timer each; re-opening cancels those not yet
recorded. The lead professional records each check once. Services never commit."""

from __future__ import annotations

import calendar
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import timers
from notifications.events import FollowUpDue
from server import pagination
from server.access.actor import Act
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.clock import today, utcnow
from server.errors import BadUserInput, Conflict, NotFound
from server.follow_up.models import FOLLOW_UP_MONTHS, FollowUp
from server.transition.models import FamilyTransition
from server.validation import optional_text
from server.writes import lock_and_require

KIND = Kind.follow_up
NOT_FOUND = "No follow-up with that id, or you may not see it."
TIMER_KIND = "follow_up_due"
DUE_HOUR = time(8, 0, tzinfo=UTC)  # told at the start of the working day it falls due


@dataclass(frozen=True)
class CheckIn:
    checked_on: date
    still_at_home: bool
    re_referred: bool
    note: str


def months_after(start: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has fewer days."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


async def schedule_for(session: AsyncSession, closure: FamilyTransition) -> list[FollowUp]:
    rows = [
        FollowUp(
            family_id=closure.family_id,
            closure_id=closure.id,
            months=months,
            due_on=months_after(closure.effective_on, months),
        )
        for months in FOLLOW_UP_MONTHS
    ]
    session.add_all(rows)
    await session.flush()
    for row in rows:
        event = FollowUpDue(family_id=row.family_id, follow_up_id=row.id, months=row.months, due_on=row.due_on)
        await timers.schedule(session, due_at=datetime.combine(row.due_on, DUE_HOUR), subject_id=row.id, event=event)
    return rows


async def cancel_pending(session: AsyncSession, family_id: uuid.UUID) -> None:
    """A re-opened case: the checks not yet recorded no longer apply, and nobody is told of them."""
    pending = (
        await session.exec(
            select(FollowUp).where(
                FollowUp.family_id == family_id,
                col(FollowUp.recorded_at).is_(None),
                col(FollowUp.cancelled_at).is_(None),
            )
        )
    ).all()
    now = utcnow()
    for row in pending:
        row.cancelled_at = now
        await timers.cancel(session, kind=TIMER_KIND, subject_id=row.id)


async def record(
    session: AsyncSession, access: AccessControl, *, follow_up_id: uuid.UUID, expected_version: int, data: CheckIn
) -> FollowUp:
    row = await _for_update(session, access, follow_up_id)
    if row.cancelled_at is not None:
        raise Conflict("This follow-up was cancelled when the case was re-opened.")
    if row.recorded_at is not None:
        raise Conflict("This follow-up has already been recorded.")
    if row.version != expected_version:
        raise Conflict("Someone else changed this follow-up since you opened it. Reload and try again.")
    closure = await session.get(FamilyTransition, row.closure_id)
    assert closure is not None
    if data.checked_on <= closure.effective_on:
        raise BadUserInput("A follow-up check comes after the case was closed.", field="checkedOn")
    if data.checked_on > today():
        raise BadUserInput("The date of the check cannot be in the future.", field="checkedOn")
    row.checked_on, row.still_at_home, row.re_referred = data.checked_on, data.still_at_home, data.re_referred
    row.note = optional_text(data.note, "note", 2000)
    row.recorded_by_user_id, row.recorded_at = access.actor.user_id, utcnow()
    row.version += 1
    await session.flush()
    await timers.cancel(session, kind=TIMER_KIND, subject_id=row.id)  # recorded early: nobody need be told
    return row


async def list_for_family(session: AsyncSession, access: AccessControl, family_id: uuid.UUID) -> list[FollowUp]:
    await access.require(session, Act.read, KIND, family_id)
    statement = select(FollowUp).where(FollowUp.family_id == family_id)
    return list((await session.exec(statement.order_by(col(FollowUp.due_on), col(FollowUp.created_at)))).all())


async def due_for_lead(
    session: AsyncSession, access: AccessControl, *, first: int, after: str | None
) -> pagination.Page[FollowUp]:
    """The checks due (today or earlier) and not recorded, on the families the caller may record them for
    (as lead professional), oldest first; filtered in SQL by the same policy as a single record."""
    pagination.check_first(first)
    conditions = [
        access.family_filter(col(FollowUp.family_id), Act.update, KIND),
        col(FollowUp.due_on) <= today(),
        col(FollowUp.recorded_at).is_(None),
        col(FollowUp.cancelled_at).is_(None),
    ]
    total = (await session.exec(select(sa.func.count()).select_from(FollowUp).where(*conditions))).one()
    if after is not None:
        due_on, row_id = pagination.decode(after, date, uuid.UUID)
        conditions.append(sa.tuple_(col(FollowUp.due_on), col(FollowUp.id)) > sa.tuple_(due_on, row_id))
    statement = select(FollowUp).where(*conditions).order_by(col(FollowUp.due_on), col(FollowUp.id)).limit(first + 1)
    rows = list((await session.exec(statement)).all())
    return pagination.Page.of(rows, first, total=total)


def cursor(row: FollowUp) -> str:
    return pagination.encode(row.due_on, row.id)


async def get(session: AsyncSession, access: AccessControl, follow_up_id: uuid.UUID) -> FollowUp:
    row = await session.get(FollowUp, follow_up_id)
    readable = await access.can_read_found(session, KIND, row.family_id if row else None)
    if row is None or not readable:
        access.note_denial("follow_up_read", row.family_id if row else None, {"followUpId": str(follow_up_id)})
        raise NotFound(NOT_FOUND)
    return row


async def _for_update(session: AsyncSession, access: AccessControl, follow_up_id: uuid.UUID) -> FollowUp:
    """Checks come after closure: the family's record is closed, and that is when they are recorded."""
    row = await get(session, access, follow_up_id)
    await lock_and_require(session, access, Act.update, KIND, row.family_id, open_only=False, seen_as=KIND)
    fresh = await session.get(FollowUp, follow_up_id, with_for_update=True, populate_existing=True)
    assert fresh is not None
    return fresh
