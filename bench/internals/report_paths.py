"""The manager's OutcomesReport through uvicorn (HTTP, as `make bench-report` sends it) and to the app in this
process (ASGI, as time_outcomes.py sends it), alternately, request by request, so that both paths see the same
load at every moment; for each path: the client's time, PostgreSQL's own duration of the report statement, and
how long the backend running it was on a core and how long it waited for one.

    .venv/bin/python -m bench.internals.report_paths [--requests 15]

PostgreSQL's durations come from its log (`log_min_duration_statement`, set on `taf_area_report` for the run
and reset after): so the embedded bench server only (its log is `.data/bench-pg/log`). Each logged line names
its backend, whose /proc/<pid>/schedstat gives the time on a core and the time runnable but waiting for one
(everything else a request waits for is neither). Written to find why the report took twice as long over HTTP
as in process at a load of 3 (bench/README.md, "The area outcomes report"). It imports the app
(bench/internals/__init__.py says why).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import time
import uuid
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from bench.api import ask
from bench.area_report import DATABASE
from bench.data.sessions import mint_tokens
from bench.database import dsn, on, postgres, recorded
from bench.servers import APP, app_environment, uvicorn_server
from server.app import create_app
from server.config import load_settings

LOGGED = re.compile(r"\[(\d+)\] LOG:  duration: ([\d.]+) ms  execute [^\n]*WITH exited")
PATHS = ("http", "inproc")


def schedstat(pid: int) -> tuple[float, float] | None:
    """Milliseconds a process has spent on a core, and runnable but waiting for one (None: it has ended)."""
    try:
        on_core, waiting, _ = Path(f"/proc/{pid}/schedstat").read_text().split()
    except FileNotFoundError:
        return None
    return int(on_core) / 1e6, int(waiting) / 1e6


async def log_durations(url: str, milliseconds: int | None) -> None:
    """Log every statement of the database taking `milliseconds` or more (None: as configured)."""
    connection = await asyncpg.connect(dsn(url))
    try:
        if milliseconds is None:
            await connection.execute(f'ALTER DATABASE "{DATABASE}" RESET log_min_duration_statement')
            await connection.execute(f'ALTER DATABASE "{DATABASE}" RESET log_parameter_max_length')
        else:
            await connection.execute(f'ALTER DATABASE "{DATABASE}" SET log_min_duration_statement = {milliseconds}')
            await connection.execute(f'ALTER DATABASE "{DATABASE}" SET log_parameter_max_length = 0')  # no values
    finally:
        await connection.close()


async def backends(url: str) -> dict[int, tuple[float, float]]:
    """Each backend connected to the database now (the app's pools, both paths): its schedstat."""
    connection = await asyncpg.connect(dsn(url))
    try:
        pids = await connection.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", DATABASE
        )
    finally:
        await connection.close()
    found = {row["pid"]: schedstat(row["pid"]) for row in pids}
    return {pid: stat for pid, stat in found.items() if stat is not None}


async def alternate(url: str, token: str, requests: int) -> tuple[dict[str, list[float]], list[str], dict, dict]:
    """Each path's client times, the path of each request in the order sent, and the backends' schedstat
    before and after the timed requests."""
    today = date.today()
    period = {"filter": {"exitedFrom": (today - timedelta(days=730)).isoformat(), "exitedTo": today.isoformat()}}
    app = create_app(load_settings(app_environment(url)))
    async with (
        uvicorn_server(APP, 1, app_environment(url)) as (port, _),
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http,
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=60) as inproc,
    ):
        clients = {"http": http, "inproc": inproc}
        for _ in range(3):  # warm-up: connections, prepared statements, the policy
            for client in clients.values():
                await ask(client, "OutcomesReport", period, token)
        await asyncio.sleep(0.5)
        before = await backends(url)
        times: dict[str, list[float]] = defaultdict(list)
        order = []
        for i in range(requests):
            for path in PATHS if i % 2 == 0 else PATHS[::-1]:
                started = time.perf_counter()
                await ask(clients[path], "OutcomesReport", period, token)
                times[path].append((time.perf_counter() - started) * 1000)
                order.append(path)
        after = await backends(url)
        await asyncio.sleep(0.5)  # the log's last lines
    return times, order, before, after


async def run(requests: int) -> None:
    server, handle = postgres()
    socket_dir = make_url(server).query.get("host")
    if handle is None or not socket_dir:
        raise SystemExit("needs the embedded bench server (its log): unset DATABASE_URL")
    log = Path(socket_dir) / "log"
    url = on(server, DATABASE)
    meta = await recorded(server, DATABASE)
    if meta is None:
        raise SystemExit(f"{DATABASE} holds no data set: make bench-report first")
    manager = uuid.UUID(meta["manager"])
    token = (await mint_tokens(dsn(url), [manager]))[manager]
    await log_durations(url, 50)  # the report's statement only; the connections opened after this log it
    try:
        offset, load = log.stat().st_size, os.getloadavg()[0]
        times, order, before, after = await alternate(url, token, requests)
    finally:
        await log_durations(url, None)
    logged = LOGGED.findall(log.read_bytes()[offset:].decode(errors="replace"))[-len(order) :]
    durations: dict[str, list[float]] = defaultdict(list)
    pids: dict[str, set[int]] = defaultdict(set)
    for path, (pid, ms) in zip(order, logged, strict=True):
        durations[path].append(float(ms))
        pids[path].add(int(pid))
    for path in PATHS:
        kept = [pid for pid in pids[path] if pid in before and pid in after]
        on_core = sum(after[pid][0] - before[pid][0] for pid in kept) / requests
        waiting = sum(after[pid][1] - before[pid][1] for pid in kept) / requests
        print(
            f"{path:6}: client p50 {statistics.median(times[path]):.0f} ms, min {min(times[path]):.0f};"
            f" PostgreSQL's duration of the report p50 {statistics.median(durations[path]):.0f} ms,"
            f" min {min(durations[path]):.0f}; client minus PostgreSQL p50"
            f" {statistics.median([a - b for a, b in zip(times[path], durations[path], strict=True)]):.0f} ms;"
            f" its backend a request: on a core {on_core:.0f} ms, waiting for one {waiting:.0f} ms"
            f" ({requests} requests, load {load:.2f} -> {os.getloadavg()[0]:.2f})"
        )
    del handle


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=15)
    asyncio.run(run(parser.parse_args().requests))


if __name__ == "__main__":
    main()
