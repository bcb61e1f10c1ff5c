"""The retention review: closed families whose retention date has passed, for information-governance
officers to extend (a new date, with a reason), place under a legal hold (with a reason; removable),
or erase (erasure.py). The team sees its family's date once the record is closed."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from server import pagination
from server.access.actor import Act
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.clock import today
from server.errors import BadUserInput, Conflict, NotFound
from server.family.models import Family, FamilyStatus
from server.retention.dates import Retention, closed_families, from_row
from server.retention.models import RetentionDecision, RetentionDecisionKind
from server.retention.schedule import Schedule
from server.validation import required_text

MIN_REASON = 10
MAX_REASON = 2000
MAX_EXTENSION = timedelta(days=25 * 366)  # an extension sets when to review again, not "for ever"
NOT_FOUND = "No closed family with that id."


async def queue(
    session: AsyncSession,
    access: AccessControl,
    schedule: Schedule,
    *,
    on_hold: bool,
    first: int,
    after: str | None = None,
) -> pagination.Page[Retention]:
    """Closed families whose date has passed and that no legal hold keeps, the longest overdue first; or
    (`on_hold`) those a legal hold keeps, whatever their date."""
    pagination.check_first(first)
    access.require_outside_family(Act.read, Kind.retention_review)
    retention = closed_families(schedule)
    waiting = retention.c.on_hold if on_hold else sa.and_(retention.c.due_on <= today(), sa.not_(retention.c.on_hold))
    total = (await session.exec(sa.select(sa.func.count()).select_from(retention).where(waiting))).one()[0]
    if after is not None:
        waiting = sa.and_(
            waiting,
            sa.tuple_(retention.c.due_on, retention.c.reference) > sa.tuple_(*pagination.decode(after, date, str)),
        )
    statement = sa.select(retention).where(waiting).order_by(retention.c.due_on, retention.c.reference)
    rows = (await session.exec(statement.limit(first + 1))).all()
    return pagination.Page.of([from_row(schedule, row) for row in rows], first, total=total)


def cursor(found: Retention) -> str:
    return pagination.encode(found.due_on, found.reference)


async def of_family(session: AsyncSession, schedule: Schedule, family_id: uuid.UUID) -> Retention | None:
    """The family's retention, or None while its record is open (or if it does not exist). No check:
    callers decide who may see it."""
    retention = closed_families(schedule)
    row = (await session.exec(sa.select(retention).where(retention.c.family_id == family_id))).first()
    return from_row(schedule, row) if row is not None else None


async def review_of(
    session: AsyncSession, access: AccessControl, schedule: Schedule, family_id: uuid.UUID
) -> Retention:
    """One closed family's retention, for an IG officer deciding about it."""
    await access.require(session, Act.read, Kind.retention_review, family_id, seen_as=Kind.retention_review)
    found = await of_family(session, schedule, family_id)
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


async def for_team(
    session: AsyncSession, access: AccessControl, schedule: Schedule, family_id: uuid.UUID
) -> Retention | None:
    await access.require(session, Act.read, Kind.retention_date, family_id)
    return await of_family(session, schedule, family_id)


async def extend(
    session: AsyncSession,
    access: AccessControl,
    schedule: Schedule,
    *,
    family_id: uuid.UUID,
    retain_until: date,
    reason: str,
) -> Retention:
    current = await _for_decision(session, access, schedule, family_id)
    if retain_until <= max(current.due_on, today()):
        raise BadUserInput(
            "The new date must be later than the current retention date and in the future.", field="retainUntil"
        )
    if retain_until > today() + MAX_EXTENSION:
        raise BadUserInput("The new date can be at most 25 years from today.", field="retainUntil")
    _decide(session, access, family_id, RetentionDecisionKind.extended, reason, retain_until)
    return await _after(session, schedule, family_id)


async def place_hold(
    session: AsyncSession, access: AccessControl, schedule: Schedule, *, family_id: uuid.UUID, reason: str
) -> Retention:
    current = await _for_decision(session, access, schedule, family_id)
    if current.on_hold:
        raise Conflict("This family's records are already under a legal hold.")
    _decide(session, access, family_id, RetentionDecisionKind.legal_hold, reason)
    return await _after(session, schedule, family_id)


async def remove_hold(
    session: AsyncSession, access: AccessControl, schedule: Schedule, *, family_id: uuid.UUID, reason: str
) -> Retention:
    current = await _for_decision(session, access, schedule, family_id)
    if not current.on_hold:
        raise Conflict("This family's records are not under a legal hold.")
    _decide(session, access, family_id, RetentionDecisionKind.hold_removed, reason)
    return await _after(session, schedule, family_id)


async def lock_closed(
    session: AsyncSession, access: AccessControl, schedule: Schedule, family_id: uuid.UUID, *, kind: Kind, act: Act
) -> Retention:
    """For an IG officer's decision: NOT_FOUND unless they may see the review (and the family exists),
    FORBIDDEN unless they may act; the family row locked, so two decisions about one family queue up;
    CONFLICT while the record is open (retention starts at closure)."""
    await access.require(session, act, kind, family_id, seen_as=Kind.retention_review)
    family = await session.get(Family, family_id, with_for_update=True)
    if family is None:
        raise NotFound(NOT_FOUND)
    if family.status is not FamilyStatus.closed:
        raise Conflict("This family's record is open: its retention is reviewed only once it is closed.")
    retention = await of_family(session, schedule, family_id)
    assert retention is not None  # closed, so it has a date
    return retention


def checked_reason(reason: str, field: str = "reason") -> str:
    text = required_text(reason, field, MAX_REASON)
    if len(text) < MIN_REASON:
        raise BadUserInput(f"Write the reason in full ({MIN_REASON} characters or more).", field=field)
    return text


async def _for_decision(
    session: AsyncSession, access: AccessControl, schedule: Schedule, family_id: uuid.UUID
) -> Retention:
    return await lock_closed(session, access, schedule, family_id, kind=Kind.retention_review, act=Act.update)


def _decide(
    session: AsyncSession,
    access: AccessControl,
    family_id: uuid.UUID,
    kind: RetentionDecisionKind,
    reason: str,
    retain_until: date | None = None,
) -> None:
    session.add(
        RetentionDecision(
            family_id=family_id,
            kind=kind,
            retain_until=retain_until,
            reason=checked_reason(reason),
            decided_by_user_id=access.actor.user_id,
        )
    )


async def _after(session: AsyncSession, schedule: Schedule, family_id: uuid.UUID) -> Retention:
    await session.flush()
    retention = await of_family(session, schedule, family_id)
    assert retention is not None
    return retention
