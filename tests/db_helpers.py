from __future__ import annotations

import asyncio

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


async def end_connections(sessions: SessionFactory, last_statement_like: str) -> int:
    """Have PostgreSQL end every other connection whose last statement is LIKE the pattern (as a restart or an
    administrator would); wait until the drivers have read the end of each stream. How many were ended."""
    async with sessions() as session:
        connection = await session.connection()
        ended = await connection.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE query LIKE :pattern AND pid <> pg_backend_pid()"
            ),
            {"pattern": last_statement_like},
        )
        count = len(ended.all())
    await asyncio.sleep(0.3)
    return count
