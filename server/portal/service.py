"""Portal invitations: the lead professional invites a named family member; the link sets a password once.

The link works like every one-time link (server/auth/links.py): only the token's hash is kept, and it works
once, until it expires (TAF_PORTAL_INVITATION_HOURS) or the lead professional revokes it; issuing a new one
for the same person revokes the old one.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Act
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.audit import service as audit
from server.auth import links
from server.auth import service as auth_service
from server.auth.links import Attempt, LinkState, Refusal
from server.auth.passwords import hash_password
from server.auth.service import LoginLimits, LoginSuccess
from server.clock import utcnow
from server.errors import Conflict, NotFound, TafError
from server.family.models import FamilyMember
from server.portal.models import PortalInvitation
from server.user.models import User, UserKind
from server.user.service import normalise_email
from server.writes import lock_and_require

KIND = Kind.portal_invitation
INVITATION_NOT_FOUND = "No such invitation, or you may not see it."
NOT_VALID = (
    "This invitation link is not valid. Check you copied all of it, or ask your lead professional for a new one."
)
USED = (
    "This invitation has already been used. Sign in with your email address and password, or ask your lead"
    " professional for a new invitation."
)
EXPIRED = "This invitation has expired. Ask your lead professional to send you a new one."
REVOKED = "This invitation has been cancelled. Ask your lead professional if you need a new one."


class InvitationStatus(StrEnum):
    pending = "pending"
    accepted = "accepted"
    expired = "expired"
    revoked = "revoked"


def status_of(row: PortalInvitation) -> InvitationStatus:
    state = links.state_of(used_at=row.accepted_at, revoked_at=row.revoked_at, expires_at=row.expires_at)
    return InvitationStatus.accepted if state is LinkState.used else InvitationStatus(state.value)


@dataclass(frozen=True)
class Issued:
    invitation: PortalInvitation
    member: FamilyMember
    token: str


async def issue(
    session: AsyncSession,
    access: AccessControl,
    *,
    family_id: uuid.UUID,
    family_member_id: uuid.UUID,
    email: str,
    ttl: timedelta,
) -> Issued:
    await lock_and_require(session, access, Act.create, KIND, family_id)
    member = await session.get(FamilyMember, family_member_id)
    if member is None or member.family_id != family_id:
        raise NotFound("No such person in this family.")
    address = normalise_email(email)
    existing = (await session.exec(select(User).where(User.family_member_id == member.id))).first()
    if existing is not None and existing.password_hash is not None:
        raise Conflict(f"{member.full_name} already has a portal account. They can sign in with {existing.email}.")
    holder = (await session.exec(select(User).where(User.email == address))).first()
    if holder is not None and holder.family_member_id != member.id:
        raise Conflict("Another account already uses that email address. Use a different one.")
    now = utcnow()
    await _revoke_pending(session, access, member.id, now)
    link = links.new_link()
    row = PortalInvitation(
        family_id=family_id,
        family_member_id=member.id,
        email=address,
        token_hash=link.digest,
        issued_by_user_id=access.actor.user_id,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(row)
    await session.flush()
    return Issued(row, member, link.token)


async def _revoke_pending(session: AsyncSession, access: AccessControl, member_id: uuid.UUID, now: datetime) -> None:
    statement = select(PortalInvitation).where(
        PortalInvitation.family_member_id == member_id,
        col(PortalInvitation.accepted_at).is_(None),
        col(PortalInvitation.revoked_at).is_(None),
    )
    for row in (await session.exec(statement)).all():
        row.revoked_at = now
        row.revoked_by_user_id = access.actor.user_id
        session.add(row)


async def list_for_family(
    session: AsyncSession, access: AccessControl, family_id: uuid.UUID
) -> list[tuple[PortalInvitation, FamilyMember]]:
    await access.require(session, Act.read, KIND, family_id)
    statement = (
        select(PortalInvitation, FamilyMember)
        .join(FamilyMember, col(FamilyMember.id) == PortalInvitation.family_member_id)
        .where(PortalInvitation.family_id == family_id)
        .order_by(col(PortalInvitation.created_at).desc())
        .limit(100)
    )
    return [(row, member) for row, member in (await session.exec(statement)).all()]


async def revoke(
    session: AsyncSession, access: AccessControl, invitation_id: uuid.UUID
) -> tuple[PortalInvitation, FamilyMember]:
    row = await session.get(PortalInvitation, invitation_id, with_for_update=True)
    readable = await access.can_read_found(session, KIND, row.family_id if row else None)
    if row is None or not readable:
        access.note_denial(f"{KIND}_read", row.family_id if row else None, {"invitationId": str(invitation_id)})
        raise NotFound(INVITATION_NOT_FOUND)
    await access.require(session, Act.update, KIND, row.family_id, seen_as=KIND)
    status = status_of(row)
    if status is not InvitationStatus.pending:
        raise Conflict(f"This invitation is {status.value} already, so it cannot be cancelled.")
    row.revoked_at = utcnow()
    row.revoked_by_user_id = access.actor.user_id
    session.add(row)
    member = await session.get(FamilyMember, row.family_member_id)
    assert member is not None
    return row, member


@dataclass(frozen=True)
class Accepted:
    login: LoginSuccess
    family_id: uuid.UUID


async def accept(
    session: AsyncSession,
    *,
    token: str,
    password: str,
    address: str,
    limits: LoginLimits,
    token_ttl: timedelta,
) -> Accepted | Refusal:
    """Set the family member's password from a valid invitation and sign them in. Failures count towards
    the sign-in limits for the address (and for this link), so links cannot be guessed at speed."""
    attempt = Attempt(session, kind="invitation", token=token, address=address, limits=limits)
    if refusal := await attempt.over_limit():
        return refusal
    statement = select(PortalInvitation).where(PortalInvitation.token_hash == attempt.digest).with_for_update()
    row = (await session.exec(statement)).first()
    problem = _problem(row)
    if problem is not None:
        await attempt.failed(problem[2])
        return Refusal(problem[0](problem[1]))
    assert row is not None
    password_hash = await asyncio.to_thread(hash_password, password)  # BAD_USER_INPUT if too short
    member = await session.get(FamilyMember, row.family_member_id)
    assert member is not None
    user = (await session.exec(select(User).where(User.family_member_id == member.id))).first()
    if user is None:
        if (await session.exec(select(User).where(User.email == row.email))).first() is not None:
            raise Conflict("Another account already uses this invitation's email address. Ask your lead professional.")
        user = User(
            email=row.email,
            display_name=member.full_name,
            kind=UserKind.family,
            family_member_id=member.id,
        )
    user.password_hash = password_hash
    user.is_active = True
    session.add(user)
    row.accepted_at = utcnow()
    session.add(row)
    await session.flush()
    await attempt.succeeded(user)
    await audit.record(
        session,
        None,
        "portalInvitationAccept",
        user_id=user.id,
        family_id=row.family_id,
        detail={"invitationId": str(row.id), "familyMemberId": str(member.id)},
        address=address,
    )
    return Accepted(auth_service.start_session(session, user, token_ttl), row.family_id)


def _problem(row: PortalInvitation | None) -> tuple[type[TafError], str, str] | None:
    if row is None:
        return NotFound, NOT_VALID, "invitation_unknown"
    status = status_of(row)
    if status is InvitationStatus.pending:
        return None
    message = {InvitationStatus.accepted: USED, InvitationStatus.revoked: REVOKED, InvitationStatus.expired: EXPIRED}
    return Conflict, message[status], f"invitation_{status.value}"
