"""The service in a process of its own (`python -m server`), for tests that kill it or run it as users do."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator

import httpx

from server.config import REPO_ROOT
from tests.conftest import free_port


async def wait_until_ready(base_url: str, process: subprocess.Popen, seconds: float = 90) -> None:
    async with httpx.AsyncClient(base_url=base_url) as client:
        for _ in range(int(seconds * 5)):
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError("the server did not become ready")


@contextlib.asynccontextmanager
async def serve_process(database_url: str) -> AsyncIterator[tuple[str, subprocess.Popen]]:
    """`python -m server serve` on the test database, a free port and no demo data: its URL and process,
    which the test may kill; whatever is left of it is killed on the way out."""
    port = free_port()
    environ = os.environ | {
        "DATABASE_URL": database_url,
        "TAF_PORT": str(port),
        "TAF_DEMO_DATA": "0",
        "TAF_ENV": "test",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "server", "serve"],
        cwd=REPO_ROOT,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        await wait_until_ready(url, process, seconds=60)
        yield url, process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        process.stderr.close()
