"""The write guard: every use case that changes a family's record (its team, plan, meetings, consent,
escalations, ...) starts here, so that it decides on the family as it is while the change is made."""

from __future__ import annotations

import uuid

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Act
from server.access.kinds import Kind
from server.access.pep import FAMILY_NOT_FOUND, AccessControl
from server.errors import Conflict, NotFound
from server.family.models import Family, FamilyStatus


async def lock_and_require(
    session: AsyncSession,
    access: AccessControl,
    act: Act,
    kind: Kind,
    family_id: uuid.UUID,
    *,
    open_only: bool = True,
    seen_as: Kind = Kind.family,
) -> Family:
    """Lock the family row, then decide: a decision taken before waiting for the lock could rest on a
    team that a concurrent change (a hand-over of the lead, say) has since altered. Then, unless
    `open_only` is False, CONFLICT if the family's record is closed (read-only until re-opened)."""
    await session.exec(select(Family.id).where(Family.id == family_id).with_for_update())
    await access.require(session, act, kind, family_id, seen_as=seen_as)
    family = await require_open(session, family_id) if open_only else await session.get(Family, family_id)
    assert family is not None  # visible families exist
    return family


async def require_open(session: AsyncSession, family_id: uuid.UUID) -> Family:
    family = await session.get(Family, family_id)
    if family is None:
        raise NotFound(FAMILY_NOT_FOUND)
    if family.status is FamilyStatus.closed:
        raise Conflict("This family's record is closed. Reopen it before changing it.")
    return family
