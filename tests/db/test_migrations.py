from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from server.db.migrate import run_alembic


async def table_names(url: str) -> set[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
            return {row[0] for row in rows}
    finally:
        await engine.dispose()


async def test_upgrade_downgrade_upgrade_on_an_empty_database(scratch_database):
    # given an empty database
    url = await scratch_database("taf_migrations_test")
    # when migrated up, all the way down, and up again
    await run_alembic(url, ("upgrade", "head"))
    after_first = await table_names(url)
    await run_alembic(url, ("downgrade", "base"))
    after_downgrade = await table_names(url)
    await run_alembic(url, ("upgrade", "head"), ("check",))  # check: the models match the migrations
    # then
    assert {"family", "team_membership", "audit_event", "app_user"} <= after_first
    assert after_downgrade == {"alembic_version"}
    assert await table_names(url) == after_first


async def test_two_instances_migrating_at_once_both_succeed(scratch_database):
    import asyncio

    url = await scratch_database("taf_migrations_race")
    await asyncio.gather(run_alembic(url, ("upgrade", "head")), run_alembic(url, ("upgrade", "head")))
    assert "family" in await table_names(url)
