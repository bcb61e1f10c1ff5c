from __future__ import annotations

import sqlalchemy as sa

from server.db.engine import SessionFactory

COUNTED_TABLES = ("family", "family_member", "team_membership", "agency", "app_user")


async def row_counts(sessions: SessionFactory) -> dict[str, int]:
    """Row counts of the case tables, to show that a refused request changed nothing."""
    async with sessions() as session:
        counts = {}
        for table in COUNTED_TABLES:
            counts[table] = (await session.exec(sa.text(f"SELECT count(*) FROM {table}"))).one()[0]
        return counts
