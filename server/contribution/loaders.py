from __future__ import annotations

import uuid
from collections import defaultdict

from sqlmodel import col, select

from server.contribution.models import ContributionVersion
from server.db.engine import SessionFactory


async def versions_by_contribution_id(
    sessions: SessionFactory, ids: list[uuid.UUID]
) -> list[list[ContributionVersion]]:
    """Raw history; the service filters each version through the policy before anyone sees it."""
    async with sessions() as session:
        statement = (
            select(ContributionVersion)
            .where(col(ContributionVersion.contribution_id).in_(ids))
            .order_by(ContributionVersion.version)
        )
        rows = (await session.exec(statement)).all()
    grouped: dict[uuid.UUID, list[ContributionVersion]] = defaultdict(list)
    for row in rows:
        grouped[row.contribution_id].append(row)
    return [grouped[contribution_id] for contribution_id in ids]
