"""Use cases for the team around a family: who is on it, in what role, and who leads."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import outbox
from notifications.events import LeadProfessionalChanged, TeamMemberAdded, TeamMemberRemoved
from server import writes
from server.access.actor import Act
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.access.rules import active_membership
from server.agency.models import Agency
from server.clock import utcnow
from server.errors import BadUserInput, Conflict, NotFound
from server.family.models import Family
from server.team.models import TeamMembership, TeamRole
from server.user.models import SystemRole, User, UserKind
from server.validation import optional_text, plain_line, required_text
from server.writes import lock_and_require

TEAM_ROLES = (SystemRole.practitioner, SystemRole.manager)


@dataclass(frozen=True)
class Contact:
    agency_role: str
    in_hours: str = ""
    out_of_hours: str = ""
    family_description: str = ""  # their part in words for the family (the portal); empty: the role's own


def contact_of(membership: TeamMembership) -> Contact:
    return Contact(
        membership.agency_role,
        membership.contact_in_hours,
        membership.contact_out_of_hours,
        membership.family_description,
    )


async def appoint_lead(
    session: AsyncSession, *, family_id: uuid.UUID, user_id: uuid.UUID, contact: Contact
) -> TeamMembership:
    """Make user_id the lead professional of a family that has none (a new referral)."""
    return await _join(session, family_id, await _team_worker(session, user_id), TeamRole.lead_professional, contact)


async def add_member(
    session: AsyncSession,
    access: AccessControl,
    *,
    family_id: uuid.UUID,
    user_id: uuid.UUID,
    contact: Contact,
    valid_from: datetime | None = None,
) -> tuple[TeamMembership, User, Agency | None]:
    """The membership is written with the mutation's audit event (server/writes.py). Returned with the worker
    and their agency as read here, for the answer (they are not read again)."""
    # The worker and their agency are read with the family's lock, and whether they are on the team already with
    # the membership's insert (which refuses them: no row): after the lock, in the change's batched write.
    reading = (
        select(Family, User, Agency)
        .select_from(Family)
        .outerjoin(User, col(User.id) == user_id)
        .outerjoin(Agency, col(Agency.id) == User.agency_id)
    )
    found = await writes.lock_and_require_reading(session, access, Act.manage, Kind.team, family_id, reading)
    worker = check_team_worker(found[1])
    if valid_from is not None and valid_from > utcnow():
        raise BadUserInput("A team membership cannot start in the future.", field="validFrom")
    membership = membership_row(family_id, worker, TeamRole.contributor, contact, valid_from)
    table = TeamMembership.__table__  # type: ignore[attr-defined]
    on_team = sa.exists().where(table.c.family_id == family_id, table.c.user_id == user_id, active_membership())
    row = sa.select(*(sa.literal(getattr(membership, c.name), c.type).label(c.name) for c in table.columns))

    async def joined(inserted: bool) -> None:
        if not inserted:
            raise Conflict(f"{worker.display_name} is already on this family's team.")

    writes.later(
        session,
        sa.insert(table).from_select([c.name for c in table.columns], row.where(~on_team)).returning(table.c.id),
        matched=joined,
    )
    await outbox.append(
        session,
        TeamMemberAdded(
            family_id=family_id,
            actor_user_id=access.actor.user_id,
            membership_id=membership.id,
            user_id=worker.id,
            agency_id=membership.agency_id,
        ),
    )
    return membership, worker, found[2]


async def end_membership(
    session: AsyncSession, access: AccessControl, *, membership_id: uuid.UUID, reason: str
) -> TeamMembership:
    membership = await session.get(TeamMembership, membership_id)
    # A membership of a family the caller cannot see answers exactly like one that does not exist.
    if membership is None or not await access.can(session, Act.read, Kind.family, membership.family_id):
        raise NotFound("No team membership with that id.")
    await lock_and_require(session, access, Act.manage, Kind.team, membership.family_id)
    if membership.valid_to is not None:
        raise Conflict("That membership has already ended.")
    if membership.role is TeamRole.lead_professional:
        raise Conflict("Appoint another lead professional before the current one leaves the team.")
    _end(membership, required_text(reason, "reason", 500))
    await outbox.append(
        session,
        TeamMemberRemoved(
            family_id=membership.family_id,
            actor_user_id=access.actor.user_id,
            membership_id=membership.id,
            user_id=membership.user_id,
            agency_id=membership.agency_id,
        ),
    )
    return membership


async def describe_for_family(
    session: AsyncSession, access: AccessControl, *, membership_id: uuid.UUID, family_description: str
) -> TeamMembership:
    """Say in plain words for the family what a team member does (the portal shows it); empty: the portal
    explains their role on the plan instead."""
    membership = await session.get(TeamMembership, membership_id)
    if membership is None or not await access.can(session, Act.read, Kind.family, membership.family_id):
        raise NotFound("No team membership with that id.")
    await lock_and_require(session, access, Act.manage, Kind.team, membership.family_id)
    if membership.valid_to is not None:
        raise Conflict("That membership has ended.")
    membership.family_description = plain_line(family_description, "familyDescription", 300)
    await session.flush()
    return membership


async def set_lead(
    session: AsyncSession,
    access: AccessControl,
    *,
    family_id: uuid.UUID,
    user_id: uuid.UUID,
    contact: Contact | None,
) -> TeamMembership:
    """Hand the lead to user_id; the previous lead stays on the team as a contributor."""
    await lock_and_require(session, access, Act.manage, Kind.team, family_id)
    worker = await _team_worker(session, user_id)
    current = await _current_lead(session, family_id)
    if current is not None and current.user_id == user_id:
        raise BadUserInput(f"{worker.display_name} is already the lead professional.", field="userId")
    existing = await _active_membership(session, family_id, user_id)
    if existing is not None:
        _end(existing, "became lead professional")
        contact = contact or contact_of(existing)
    if current is not None:
        _end(current, "lead professional changed")
    await session.flush()
    lead = await _join(session, family_id, worker, TeamRole.lead_professional, contact or Contact("Lead professional"))
    if current is not None:
        previous = await session.get(User, current.user_id)
        assert previous is not None
        carried = contact_of(current)
        await _join(session, family_id, previous, TeamRole.contributor, carried)
    await outbox.append(
        session,
        LeadProfessionalChanged(
            family_id=family_id,
            actor_user_id=access.actor.user_id,
            user_id=worker.id,
            previous_user_id=current.user_id if current else None,
        ),
    )
    return lead


async def _join(
    session: AsyncSession,
    family_id: uuid.UUID,
    worker: User,
    role: TeamRole,
    contact: Contact,
    valid_from: datetime | None = None,
) -> TeamMembership:
    membership = membership_row(family_id, worker, role, contact, valid_from)
    session.add(membership)
    await session.flush()
    return membership


def membership_row(
    family_id: uuid.UUID, worker: User, role: TeamRole, contact: Contact, valid_from: datetime | None = None
) -> TeamMembership:
    return TeamMembership(**membership_values(family_id, worker, role, contact, valid_from))


def membership_values(
    family_id: uuid.UUID, worker: User, role: TeamRole, contact: Contact, valid_from: datetime | None = None
) -> dict[str, Any]:
    """A worker's place on a family's team, the contact's words checked, as plain column values."""
    return {
        "family_id": family_id,
        "agency_id": worker.agency_id,
        "user_id": worker.id,
        "role": role,
        "agency_role": required_text(contact.agency_role, "agencyRole", 300),
        "contact_in_hours": optional_text(contact.in_hours, "contactInHours", 300),
        "contact_out_of_hours": optional_text(contact.out_of_hours, "contactOutOfHours", 300),
        "family_description": plain_line(contact.family_description, "familyDescription", 300),
        "valid_from": valid_from or utcnow(),
    }


def _end(membership: TeamMembership, reason: str) -> None:
    membership.valid_to = utcnow()
    membership.ended_reason = reason


async def _team_worker(session: AsyncSession, user_id: uuid.UUID) -> User:
    return check_team_worker(await session.get(User, user_id))


def check_team_worker(user: User | None, field: str = "userId") -> User:
    if user is None or user.kind is not UserKind.staff or not user.is_active or user.role not in TEAM_ROLES:
        raise BadUserInput("Only an active practitioner or manager can join a family's team.", field=field)
    return user


async def _active_membership(session: AsyncSession, family_id: uuid.UUID, user_id: uuid.UUID) -> TeamMembership | None:
    statement = select(TeamMembership).where(
        TeamMembership.family_id == family_id, TeamMembership.user_id == user_id, active_membership()
    )
    return (await session.exec(statement)).first()


async def _current_lead(session: AsyncSession, family_id: uuid.UUID) -> TeamMembership | None:
    statement = select(TeamMembership).where(
        TeamMembership.family_id == family_id,
        col(TeamMembership.role) == TeamRole.lead_professional.value,
        col(TeamMembership.valid_to).is_(None),
    )
    return (await session.exec(statement)).first()
