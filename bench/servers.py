"""Servers under test, each in a process of its own as in production: the app (bench/serve.py, configured
by its environment variables only) or a baseline, under `uvicorn --workers N`."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import psutil

from bench.database import ROOT

APP = "bench.serve:app"
BASELINE = "bench.baseline:app"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_environment(url: str) -> dict[str, str]:
    """The app as deployed (production: no GraphiQL, introspection or demo data) on the benchmark database.
    The per-user budgets stay switched on (their check is part of each request's cost) but high enough that
    one benchmark user's thousands of requests a minute are never refused."""
    budgets = ("REPORTS", "SEARCHES", "INVITES", "ANONYMOUS")
    return {
        "DATABASE_URL": url,
        "TAF_ENV": "production",
        **{f"TAF_RATE_{budget}_PER_WINDOW": "1000000" for budget in budgets},
    }


@asynccontextmanager
async def uvicorn_server(factory: str, workers: int, env: dict[str, str]) -> AsyncIterator[tuple[int, psutil.Process]]:
    """`python -m uvicorn --factory <factory>` on a free port: its port, and its process (with one worker,
    the process that serves)."""
    port = free_port()
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--log-level", "warning", "--no-access-log",
        cwd=ROOT, env={**os.environ, **env},
    )  # fmt: skip
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            for _ in range(600):
                if child.returncode is not None:
                    raise RuntimeError(f"{factory} exited with {child.returncode}")
                try:
                    await client.get(f"http://127.0.0.1:{port}/")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            else:
                raise RuntimeError(f"{factory} did not start within 60 s")
        await asyncio.sleep(0.5 * workers)  # every worker up
        yield port, psutil.Process(child.pid)
    finally:
        child.terminate()
        try:
            await asyncio.wait_for(child.wait(), timeout=20)
        except TimeoutError:
            child.kill()
            await child.wait()
