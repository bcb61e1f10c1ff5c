"""Time the outcomes reports in this process (ASGI, no network) and explain their statements: the manager's
OutcomesReport over the area report's 10,000 families (`taf_area_report`, bench/area_report.py) and a
practitioner's CaseloadOutcomes (the suite's actor in `taf_suite`, or the area's first lead).

    .venv/bin/python -m bench.internals.time_outcomes --database taf_area_report --requests 30 \
        [--caseload] [--answer out.json] [--explain]

It prints the median and the fastest request with the load average, writes the whole answer to `--answer` (to
compare two versions of the server byte for byte), and with `--explain` runs EXPLAIN (ANALYZE, BUFFERS) of each
statement of one more request, in its order (without timing each node, which costs more than most nodes do,
unless EXPLAIN_FULL=1 prints the whole plan; EXPLAIN_SET="enable_nestloop=off;..." sets settings first),
printing each statement's planning and execution time and the backend's CPU time for it (the server's side,
judged apart from the machine's load). It imports the app (bench/internals/__init__.py says why).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import event

from bench.api import persisted_body
from bench.data.sessions import mint_tokens
from bench.database import dsn, on, postgres, recorded
from bench.servers import app_environment
from server.app import create_app
from server.config import load_settings
from server.outcomes_report.figures import WORK_MEM


def _request(args: argparse.Namespace, meta: dict[str, Any]) -> tuple[uuid.UUID, str, dict[str, Any]]:
    today = date.today()
    period = {"exitedFrom": (today - timedelta(days=730)).isoformat(), "exitedTo": today.isoformat()}
    if args.database == "taf_area_report":
        if args.caseload:
            return uuid.UUID(meta["lead"]), "CaseloadOutcomes", period
        return uuid.UUID(meta["manager"]), "OutcomesReport", {"filter": period}
    return uuid.UUID(meta["actor_user_id"]), "CaseloadOutcomes", period


async def run(args: argparse.Namespace) -> None:
    server, handle = postgres()
    url = on(server, args.database)
    meta = await recorded(server, args.database)
    if meta is None:
        raise SystemExit(f"{args.database} holds no generated data set")
    user, operation, variables = _request(args, meta)
    token = (await mint_tokens(dsn(url), [user]))[user]
    app = create_app(load_settings(app_environment(url)))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=120) as client:

            async def ask() -> dict[str, Any]:
                response = await client.post(
                    "/graphql",
                    json=persisted_body(operation, variables),
                    headers={"Authorization": f"Bearer {token}"},
                )
                body = response.json()
                assert "errors" not in body, response.text[:500]
                return body["data"]

            for _ in range(3):
                answer = await ask()
            load = os.getloadavg()[0]
            timings, cpu = [], time.process_time()
            for _ in range(args.requests):
                started = time.perf_counter()
                await ask()
                timings.append((time.perf_counter() - started) * 1000)
            cpu = (time.process_time() - cpu) * 1000 / args.requests
            print(
                f"{operation} ({args.database}, {args.requests} requests in process):"
                f" p50 {statistics.median(timings):.1f} ms, min {min(timings):.1f} ms, app CPU {cpu:.1f} ms a request;"
                f" load {load:.2f} -> {os.getloadavg()[0]:.2f}"
            )
            if args.answer:
                args.answer.write_text(json.dumps(answer, indent=1, sort_keys=True) + "\n")
            if args.explain:
                await _explain(app, url, ask)
    del handle


async def _explain(app: Any, url: str, ask: Any) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of each statement one request sends (after it ran, with the same values)."""
    sent: list[tuple[str, tuple]] = []
    engine = app.state.taf.engine.sync_engine

    def keep(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        text = statement.upper()
        writes = any(word in text for word in ("DELETE ", "INSERT ", "UPDATE "))
        if text.lstrip().startswith(("SELECT", "WITH")) and not writes:
            sent.append((statement, tuple(parameters or ())))

    event.listen(engine, "before_cursor_execute", keep)
    await ask()
    event.remove(engine, "before_cursor_execute", keep)
    connection = await asyncpg.connect(dsn(url))
    try:
        for statement, parameters in sent:
            async with connection.transaction():
                await connection.execute("SET LOCAL plan_cache_mode = force_custom_plan")
                await connection.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
                for setting in filter(None, os.environ.get("EXPLAIN_SET", "").split(";")):  # e.g. enable_nestloop=off
                    await connection.execute(f"SET LOCAL {setting}")
                timing = "ON" if os.environ.get("EXPLAIN_FULL") else "OFF"  # timing each node costs more than most
                plan = await connection.fetch(f"EXPLAIN (ANALYZE, BUFFERS, TIMING {timing}) {statement}", *parameters)
            cpu = await _backend_cpu_ms(connection, statement, parameters, 10)
            lines = [row[0] for row in plan] + [f"Backend CPU: {cpu:.1f} ms a run"]
            times = [line for line in lines if line.startswith(("Planning Time", "Execution Time", "Backend CPU"))]
            print(f"-- {len(statement):,} chars, {len(parameters)} parameters: {'; '.join(times)}")
            print(f"   {statement[:160]!r}")
            if os.environ.get("EXPLAIN_FULL"):
                print("\n".join(lines))
    finally:
        await connection.close()


async def _backend_cpu_ms(connection: asyncpg.Connection, statement: str, parameters: tuple, runs: int) -> float:
    """The CPU time PostgreSQL's backend spends on a statement (planning and running it, as the app sends it),
    from /proc (the server is on this machine): unlike the time it takes, it hardly moves with the load."""
    pid = await connection.fetchval("SELECT pg_backend_pid()")

    def ticks() -> int:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime

    async with connection.transaction():
        await connection.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        await connection.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")  # as the report sets it
        await connection.fetch(statement, *parameters)
        before = ticks()
        for _ in range(runs):
            await connection.fetch(statement, *parameters)
        return (ticks() - before) * 1000 / os.sysconf("SC_CLK_TCK") / runs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="taf_area_report", choices=["taf_area_report", "taf_suite"])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--caseload", action="store_true", help="the area's first lead's CaseloadOutcomes")
    parser.add_argument("--answer", type=Path, help="write the whole answer here")
    parser.add_argument("--explain", action="store_true")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
