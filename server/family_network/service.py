"""Use cases for the family network. Any worker on the team records a person the family names (who they are,
how they are related, who in the family named them, how to reach them); the lead professional keeps the list
(edits it, with CONFLICT on a stale version). The team and the managers of its agencies see who is in the
network; the contact details are read only where the policy allows (kind family_network_contact): the lead
professional, who arranges the family group conference, and the deputy lead while covering."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Act
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.db.versioning import update_versioned
from server.errors import BadUserInput, NotFound
from server.family.models import FamilyMember
from server.family_network.models import NetworkMember
from server.validation import optional_text, required_text
from server.writes import lock_and_require

NOT_FOUND = "No member of a family network with that id, or you may not see it."
MOST_MEMBERS = 60  # a wide network, and still one conference


@dataclass(frozen=True)
class NetworkMemberIn:
    full_name: str
    relationship: str
    named_by_member_id: uuid.UUID
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass(frozen=True)
class SeenNetworkMember:
    row: NetworkMember
    contact_visible: bool


async def add(
    session: AsyncSession, access: AccessControl, *, family_id: uuid.UUID, data: NetworkMemberIn
) -> NetworkMember:
    await lock_and_require(session, access, Act.create, Kind.family_network, family_id)
    values = await _values(session, family_id, data)
    count = len((await session.exec(select(NetworkMember.id).where(NetworkMember.family_id == family_id))).all())
    if count >= MOST_MEMBERS:
        raise BadUserInput(f"A family network can have at most {MOST_MEMBERS} people.", field="fullName")
    row = NetworkMember(family_id=family_id, recorded_by_user_id=access.actor.user_id, **values)
    session.add(row)
    await session.flush()
    return row


async def edit(
    session: AsyncSession,
    access: AccessControl,
    *,
    network_member_id: uuid.UUID,
    expected_version: int,
    data: NetworkMemberIn,
) -> NetworkMember:
    """The lead professional changes the whole entry; a stale expected_version is a CONFLICT."""
    current = await get(session, access, network_member_id)
    await lock_and_require(
        session, access, Act.update, Kind.family_network, current.family_id, seen_as=Kind.family_network
    )
    values = await _values(session, current.family_id, data)
    return await update_versioned(
        session, NetworkMember, current.id, expected_version, values, what="member of the family network"
    )


async def get(session: AsyncSession, access: AccessControl, network_member_id: uuid.UUID) -> NetworkMember:
    row = await session.get(NetworkMember, network_member_id)
    if row is None or not await access.can(session, Act.read, Kind.family_network, row.family_id):
        raise NotFound(NOT_FOUND)
    return row


async def seen(session: AsyncSession, access: AccessControl, row: NetworkMember) -> SeenNetworkMember:
    return SeenNetworkMember(row, await access.can(session, Act.read, Kind.family_network_contact, row.family_id))


async def list_for_family(
    session: AsyncSession, access: AccessControl, *, family_id: uuid.UUID
) -> list[SeenNetworkMember]:
    """The family's network in the order it was recorded; contact details only where the policy allows."""
    await access.require(session, Act.read, Kind.family_network, family_id)
    contact = await access.can(session, Act.read, Kind.family_network_contact, family_id)
    statement = (
        select(NetworkMember)
        .where(NetworkMember.family_id == family_id)
        .order_by(col(NetworkMember.created_at), col(NetworkMember.id))
    )
    return [SeenNetworkMember(row, contact) for row in (await session.exec(statement)).all()]


async def _values(session: AsyncSession, family_id: uuid.UUID, data: NetworkMemberIn) -> dict:
    named_by = await session.get(FamilyMember, data.named_by_member_id)
    if named_by is None or named_by.family_id != family_id:
        raise BadUserInput("Choose the member of this family who named them.", field="namedByMemberId")
    phone = optional_text(data.phone, "phone", 40)
    email = optional_text(data.email, "email", 254)
    if email and ("@" not in email or " " in email):
        raise BadUserInput("Enter an email address in the correct format, like name@example.com.", field="email")
    return {
        "full_name": required_text(data.full_name, "fullName", 200),
        "relationship": required_text(data.relationship, "relationship", 60),
        "named_by_member_id": named_by.id,
        "phone": phone,
        "email": email,
        "address": optional_text(data.address, "address", 300),
    }
