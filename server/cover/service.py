"""Use cases for cover while the lead professional is away.

The lead professional (or their manager: whoever may change the team) names a deputy lead from the
team's other workers. Any worker marks their own time away, from one day to another (UTC days, both
included); a manager marks, or cancels, the time away of their own agency's practitioners (a lead off sick
cannot do it themselves): the policy's rule own_agency_practitioner decides it, and any other worker's time
away answers as a missing one. While a family's lead is away, its deputy is told what the lead is told of
escalations and actions (server/inbox/audience.py) and may act on urgent matters: the policy's rule
deputy_covering (server/access/rules.py) grants it, as it grants everything else."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Act
from server.access.facts import account_facts
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.access.rules import active_membership
from server.clock import today, utcnow
from server.cover.models import DeputyLead, LeadAbsence
from server.db.versioning import update_versioned
from server.errors import BadUserInput, Conflict, NotFound
from server.team.models import TeamMembership, TeamRole
from server.user.models import User
from server.writes import lock_and_require

LONGEST_ABSENCE = timedelta(days=366)
FURTHEST_START = timedelta(days=366)
ABSENCE_NOT_FOUND = "No time away with that id on your account."
WORKER_NOT_FOUND = "No worker with that id, or you may not mark their time away."


@dataclass(frozen=True)
class Cover:
    """Who covers a family's lead professional: the deputy (if named), the lead's current or next time
    away (if any), whether the deputy covers today, and whether the caller may act on escalations."""

    deputy: TeamMembership | None
    lead_away: LeadAbsence | None
    covering_now: bool
    viewer_may_act_on_escalations: bool


async def name_deputy(
    session: AsyncSession,
    access: AccessControl,
    *,
    family_id: uuid.UUID,
    user_id: uuid.UUID | None,
    expected_deputy_user_id: uuid.UUID | None,
) -> DeputyLead | None:
    """Name `user_id` deputy lead (None: no deputy). `expected_deputy_user_id` is the deputy the caller
    saw: if someone changed it since, CONFLICT rather than overwrite their choice."""
    await lock_and_require(session, access, Act.manage, Kind.team, family_id)
    current = await _current_deputy(session, family_id)
    if (current.user_id if current else None) != expected_deputy_user_id:
        raise Conflict("Someone else changed the deputy lead since you opened the page. Reload to see who it is now.")
    if user_id is not None and current is not None and current.user_id == user_id:
        raise BadUserInput("They are already the deputy lead.", field="userId")
    if user_id is not None:
        await _deputy_candidate(session, family_id, user_id)
    if current is not None:
        current.valid_to, current.ended_by_user_id = utcnow(), access.actor.user_id
        session.add(current)
        await session.flush()
    if user_id is None:
        return None
    deputy = DeputyLead(family_id=family_id, user_id=user_id, appointed_by_user_id=access.actor.user_id)
    session.add(deputy)
    await session.flush()
    return deputy


async def record_absence(
    session: AsyncSession, access: AccessControl, *, starts_on: date, ends_on: date, user_id: uuid.UUID | None = None
) -> LeadAbsence:
    """Mark the caller (or, for a manager, `user_id`, one of their agency's practitioners) away."""
    worker = await _worker(session, access, user_id)
    _check_dates(starts_on, ends_on)
    # One writer at a time per worker, so two overlapping periods recorded at once cannot both pass the check.
    await session.exec(select(User.id).where(User.id == worker).with_for_update())
    overlapping = (
        await session.exec(
            select(LeadAbsence).where(
                LeadAbsence.user_id == worker,
                col(LeadAbsence.cancelled_at).is_(None),
                LeadAbsence.starts_on <= ends_on,
                LeadAbsence.ends_on >= starts_on,
            )
        )
    ).first()
    if overlapping is not None:
        first, last = overlapping.starts_on.isoformat(), overlapping.ends_on.isoformat()
        who = "You are" if worker == access.actor.user_id else "They are"
        raise BadUserInput(
            f"{who} already marked away from {first} to {last}. Cancel that first, or choose other dates.",
            field="startsOn",
        )
    row = LeadAbsence(user_id=worker, starts_on=starts_on, ends_on=ends_on)
    session.add(row)
    await session.flush()
    return row


async def cancel_absence(
    session: AsyncSession, access: AccessControl, *, absence_id: uuid.UUID, expected_version: int
) -> LeadAbsence:
    access.require_outside_family(Act.create, Kind.staff_absence)
    row = await session.get(LeadAbsence, absence_id)
    if row is None or not await _may_mark(session, access, row.user_id):  # another's is not found
        raise NotFound(ABSENCE_NOT_FOUND)
    if row.cancelled_at is not None:
        raise Conflict("That time away was already cancelled.")
    values = {"cancelled_at": utcnow()}
    return await update_versioned(session, LeadAbsence, absence_id, expected_version, values, what="time away")


async def my_absences(session: AsyncSession, access: AccessControl) -> list[LeadAbsence]:
    """The caller's own time away that has not ended or been cancelled, soonest first."""
    return await absences_of(session, access, None)


async def absences_of(session: AsyncSession, access: AccessControl, user_id: uuid.UUID | None) -> list[LeadAbsence]:
    """A worker's time away that has not ended or been cancelled, soonest first: the caller's own, or (for a
    manager) one of their agency's practitioners'."""
    worker = await _worker(session, access, user_id)
    statement = (
        select(LeadAbsence)
        .where(LeadAbsence.user_id == worker, col(LeadAbsence.cancelled_at).is_(None), LeadAbsence.ends_on >= today())
        .order_by(col(LeadAbsence.starts_on))
    )
    return list((await session.exec(statement)).all())


async def _worker(session: AsyncSession, access: AccessControl, user_id: uuid.UUID | None) -> uuid.UUID:
    """Whose time away the caller acts on: their own, or one they may mark (NOT_FOUND otherwise)."""
    access.require_outside_family(Act.create, Kind.staff_absence)
    if user_id is None or user_id == access.actor.user_id:
        return access.actor.user_id
    if not await _may_mark(session, access, user_id):
        raise NotFound(WORKER_NOT_FOUND)
    return user_id


async def _may_mark(session: AsyncSession, access: AccessControl, user_id: uuid.UUID) -> bool:
    if user_id == access.actor.user_id:
        return True
    user = await session.get(User, user_id)
    if user is None or user.agency_id is None or user.role is None or not user.is_active:
        return False
    return access.can_account(Act.update, Kind.staff_absence, account_facts(user.agency_id, user.role.value))


async def cover_of_family(session: AsyncSession, access: AccessControl, family_id: uuid.UUID) -> Cover:
    """For whoever may read the family's record (its team is part of it)."""
    await access.require_visible_family(session, family_id)
    deputy = await _current_deputy(session, family_id)
    membership = await _membership(session, family_id, deputy.user_id) if deputy else None
    lead = await _lead(session, family_id)
    away = await _next_absence(session, lead.user_id) if lead else None
    covering = membership is not None and away is not None and away.starts_on <= today()
    may_act = await access.can(session, Act.update, Kind.escalation, family_id)
    return Cover(membership, away, covering, may_act)


async def covering_deputies(session: AsyncSession, family_id: uuid.UUID) -> list[uuid.UUID]:
    """The deputy lead of the family while its lead professional is away today: who must also be told what the
    lead is told. (Whether they may be told is the policy's decision, made for each recipient.)"""
    deputy, lead = DeputyLead.__table__.c, TeamMembership.__table__.c
    member = TeamMembership.__table__.alias("deputy_membership")
    absence = LeadAbsence.__table__.c
    on_today = sa.and_(absence.starts_on <= today(), absence.ends_on >= today(), absence.cancelled_at.is_(None))
    statement = (
        sa.select(deputy.user_id)
        .join(member, sa.and_(member.c.family_id == deputy.family_id, member.c.user_id == deputy.user_id))
        .join(TeamMembership.__table__, lead.family_id == deputy.family_id)
        .join(LeadAbsence.__table__, absence.user_id == lead.user_id)
        .where(
            deputy.family_id == family_id,
            deputy.valid_to.is_(None),
            member.c.valid_to.is_(None),
            lead.valid_to.is_(None),
            lead.role == TeamRole.lead_professional.value,
            lead.user_id != deputy.user_id,
            on_today,
        )
        .distinct()
    )
    return list((await session.exec(statement)).scalars().all())


def _check_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise BadUserInput("The last day away must be the same as or after the first.", field="endsOn")
    if ends_on < today():
        raise BadUserInput("The last day away cannot be in the past.", field="endsOn")
    if starts_on > today() + FURTHEST_START:
        raise BadUserInput("The first day away must be within a year from today.", field="startsOn")
    if ends_on - starts_on >= LONGEST_ABSENCE:
        raise BadUserInput(
            "Time away can be a year at most; for longer, hand the family to a new lead.", field="endsOn"
        )


async def _current_deputy(session: AsyncSession, family_id: uuid.UUID) -> DeputyLead | None:
    statement = select(DeputyLead).where(DeputyLead.family_id == family_id, col(DeputyLead.valid_to).is_(None))
    return (await session.exec(statement)).first()


async def _deputy_candidate(session: AsyncSession, family_id: uuid.UUID, user_id: uuid.UUID) -> TeamMembership:
    membership = await _membership(session, family_id, user_id)
    if membership is None:
        raise BadUserInput("The deputy lead must be a worker on the family's team.", field="userId")
    if membership.role is TeamRole.lead_professional:
        raise BadUserInput("The lead professional cannot be their own deputy.", field="userId")
    return membership


async def _membership(session: AsyncSession, family_id: uuid.UUID, user_id: uuid.UUID) -> TeamMembership | None:
    statement = select(TeamMembership).where(
        TeamMembership.family_id == family_id, TeamMembership.user_id == user_id, active_membership()
    )
    return (await session.exec(statement)).first()


async def _lead(session: AsyncSession, family_id: uuid.UUID) -> TeamMembership | None:
    statement = select(TeamMembership).where(
        TeamMembership.family_id == family_id,
        TeamMembership.role == TeamRole.lead_professional,
        active_membership(),
    )
    return (await session.exec(statement)).first()


async def _next_absence(session: AsyncSession, user_id: uuid.UUID) -> LeadAbsence | None:
    statement = (
        select(LeadAbsence)
        .where(LeadAbsence.user_id == user_id, col(LeadAbsence.cancelled_at).is_(None), LeadAbsence.ends_on >= today())
        .order_by(col(LeadAbsence.starts_on))
        .limit(1)
    )
    return (await session.exec(statement)).first()
