"""Run Alembic migrations from code, safely when several instances start at once."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from server.config import REPO_ROOT

MIGRATION_LOCK = 727_002


def alembic_config(url: str) -> Config:
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "server" / "db" / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


async def run_alembic(url: str, *commands: tuple[str, ...]) -> None:
    """Run alembic commands such as ("upgrade", "head") or ("check",) on one connection under an
    advisory lock."""
    engine = create_async_engine(url)
    config = alembic_config(url)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            try:
                await connection.run_sync(_run_commands, config, commands)
                await connection.commit()
            finally:
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
    finally:
        await engine.dispose()


def _run_commands(sync_connection, config: Config, commands: tuple[tuple[str, ...], ...]) -> None:
    config.attributes["connection"] = sync_connection
    for name, *arguments in commands:
        getattr(command, name)(config, *arguments)


async def migrate(url: str) -> None:
    await run_alembic(url, ("upgrade", "head"))
