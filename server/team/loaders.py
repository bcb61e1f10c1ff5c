from __future__ import annotations

import uuid
from collections import defaultdict

from sqlmodel import col, select

from server.access.rules import active_membership
from server.db.engine import SessionFactory
from server.team.models import TeamMembership, TeamRole


async def active_team_by_family_id(sessions: SessionFactory, family_ids: list[uuid.UUID]) -> list[list[TeamMembership]]:
    """The current team of each family (already visible to the caller), lead professional first."""
    lead_first = col(TeamMembership.role) != TeamRole.lead_professional.value
    async with sessions() as session:
        statement = (
            select(TeamMembership)
            .where(col(TeamMembership.family_id).in_(family_ids), active_membership())
            .order_by(lead_first, TeamMembership.valid_from)
        )
        rows = (await session.exec(statement)).all()
    grouped: dict[uuid.UUID, list[TeamMembership]] = defaultdict(list)
    for row in rows:
        grouped[row.family_id].append(row)
    return [grouped[family_id] for family_id in family_ids]


async def lead_by_family_id(sessions: SessionFactory, family_ids: list[uuid.UUID]) -> list[TeamMembership | None]:
    """The active lead professional of each family (already visible to the caller), or None: one row per
    family through the one-lead index, not every family's whole team (a caseload page names only leads)."""
    async with sessions() as session:
        statement = select(TeamMembership).where(
            col(TeamMembership.family_id).in_(family_ids),
            active_membership(),
            col(TeamMembership.role) == TeamRole.lead_professional.value,
        )
        rows = (await session.exec(statement)).all()
    by_family = {row.family_id: row for row in rows}
    return [by_family.get(family_id) for family_id in family_ids]
