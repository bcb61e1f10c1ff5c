"""The benchmarks' PostgreSQL: DATABASE_URL's server, else an embedded one in .data/bench-pg, started the way
`make run` starts its own (setting up, not measuring). Databases are made here, migrated with the public
command line (`python -m server migrate`), and keep what was generated in their comment, for --reuse."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]


def postgres() -> tuple[str, Any]:
    """A server URL, and the embedded server's handle (None on DATABASE_URL): it stops when the process exits."""
    configured = os.environ.get("DATABASE_URL", "").strip()
    if configured:
        return make_url(configured).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False), None
    from server.db.embedded import start_embedded

    return start_embedded(ROOT / ".data", name="bench-pg")


def dsn(url: str) -> str:
    """The URL as asyncpg takes it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def on(server: str, database: str) -> str:
    return make_url(server).set(database=database).render_as_string(hide_password=False)


async def recreate(server: str, database: str) -> str:
    """Drop and create `database` on the server; return its URL."""
    admin = await asyncpg.connect(dsn(server))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{database}"')
    finally:
        await admin.close()
    return on(server, database)


async def recorded(server: str, database: str) -> dict[str, Any] | None:
    """What `record` kept of the data set in `database`, if it exists."""
    admin = await asyncpg.connect(dsn(server))
    try:
        found = await admin.fetchval(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1", database
        )
    finally:
        await admin.close()
    return json.loads(found) if found else None


async def record(connection: asyncpg.Connection, meta: dict[str, Any]) -> None:
    database = await connection.fetchval("SELECT current_database()")
    comment = json.dumps(meta).replace("'", "''")
    await connection.execute(f"COMMENT ON DATABASE \"{database}\" IS '{comment}'")


async def migrate(url: str) -> float:
    """`python -m server migrate` on the database; returns the seconds it took."""
    started = time.perf_counter()
    child = await asyncio.create_subprocess_exec(  # our own interpreter and command line
        sys.executable,
        "-m",
        "server",
        "migrate",
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"python -m server migrate failed ({child.returncode}):\n{output.decode()[-3000:]}")
    return time.perf_counter() - started
