"""Profile the contribution add scenario (ContributionAdd by the writer, on their family, a fresh idempotency key
each time) one request at a time: the real app in this process (ASGI, no network), with cProfile (own CPU by area
and the top functions) and one request's statements.

    .venv/bin/python -m bench.internals.profile_contribution_add --database taf_suite --rounds 200 \
        --out bench/results/profile-contribution-add.txt

The database is one `make bench` generated (bench/README.md, "Lean writes").
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

from bench.api import persisted_body
from bench.data.sessions import mint_tokens
from bench.database import dsn, on, postgres, recorded
from bench.internals.profile_family import _area
from bench.servers import app_environment
from server.app import create_app
from server.config import load_settings
from server.db import driver

NAME = "ContributionAdd"


def _variables(family: str) -> dict[str, Any]:
    """The scenario's request (bench/suite_scenarios.py)."""
    item = {"familyId": family, "kind": "update", "category": "education", "title": "Attendance checked"}
    body = "Spoke to the school; attendance is up this half term."
    return {"input": {**item, "body": body, "idempotencyKey": f"bench-{uuid.uuid4()}"}}


async def run(args: argparse.Namespace) -> str:
    server, handle = postgres()
    url = on(server, args.database)
    meta = await recorded(server, args.database)
    if meta is None:
        raise SystemExit(f"{args.database} holds no data set of make bench: run `make bench` first")
    family, writer = meta["writer_family_id"], uuid.UUID(meta["writer_user_id"])
    token = (await mint_tokens(dsn(url), [writer]))[writer]
    app = create_app(load_settings({**app_environment(url), **dict(pair.split("=", 1) for pair in args.env)}))
    statements: list[list] = []  # [text, length, ms] of each statement while logging
    async with app.router.lifespan_context(app):
        engine = app.state.taf.engine
        running: dict[int, list] = {}

        def seen(conn, cursor, statement, parameters, context, executemany):
            running[id(conn)] = entry = [statement, len(statement), time.perf_counter()]
            statements.append(entry)

        def done(conn, cursor, statement, parameters, context, executemany):
            if (started := running.pop(id(conn), None)) is not None:
                started[2] = (time.perf_counter() - started[2]) * 1000

        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def add() -> None:
                body = persisted_body(NAME, _variables(family))
                response = await client.post("/graphql", json=body, headers={"Authorization": f"Bearer {token}"})
                assert "errors" not in response.json(), response.text[:300]

            for _ in range(20):
                await add()
            started, used = time.perf_counter(), time.process_time()
            for _ in range(args.rounds):
                await add()
            wall, cpu = time.perf_counter() - started, time.process_time() - used
            event.listen(engine.sync_engine, "before_cursor_execute", seen)
            event.listen(engine.sync_engine, "after_cursor_execute", done)
            alone = driver.reads(engine)  # statements sent alone on the app's driver connections (not timed)

            def sent_alone(text: str) -> None:
                statements.append([text, len(text), 0.0])

            if alone is not None:
                alone.observers.append(sent_alone)
            await add()
            if alone is not None:
                alone.observers.remove(sent_alone)
            event.remove(engine.sync_engine, "before_cursor_execute", seen)
            event.remove(engine.sync_engine, "after_cursor_execute", done)
            profile = cProfile.Profile(time.process_time)  # CPU, not the waits for PostgreSQL
            profile.enable()
            for _ in range(args.rounds):
                await add()
            profile.disable()
    del handle
    if args.stats:
        profile.dump_stats(args.stats)
    return _report(args, wall, cpu, statements, profile)


def _report(
    args: argparse.Namespace, wall: float, cpu: float, statements: list[list], profile: cProfile.Profile
) -> str:
    modules: dict[str, float] = {}
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.items():
        modules[_area(filename)] = modules.get(_area(filename), 0.0) + tottime
    total = sum(modules.values())
    n = args.rounds
    size = sum(length for _, length, _ in statements)
    lines = [
        f"# {NAME} x {n} ({args.database}), in-process ASGI, one request at a time; load {os.getloadavg()[0]:.2f}",
        "",
        "| request | wall ms | CPU ms | statements (engine listener, driver connections) | bytes of SQL |",
        "|---|---:|---:|---:|---:|",
        f"| {NAME} | {wall / n * 1000:.2f} | {cpu / n * 1000:.2f} | {len(statements)} | {size:,} |",
        "",
        f"Own CPU time by area (cProfile on process time, {n} requests; profiler overhead included):",
    ]
    lines += [
        f"  {area:<28} {seconds / n * 1000:7.3f} ms/request  {100 * seconds / total:5.1f}%"
        for area, seconds in sorted(modules.items(), key=lambda pair: -pair[1])[:16]
    ]
    lines += ["", "Statements of one request (size, wall ms from sending to the result, text):"]
    lines += [f"  {length:6,} B {ms:6.2f} ms  {text[:110]!r}" for text, length, ms in statements]
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(args.top)
    text.write("\n")
    pstats.Stats(profile, stream=text).sort_stats("tottime").print_stats(args.top)
    return "\n".join(lines) + "\n\n" + text.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="taf_suite")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--top", type=int, default=50)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--stats", type=Path, help="also the raw profile, for pstats")
    parser.add_argument("--env", action="append", default=[], help="a setting for the app, e.g. TAF_COMPILED_WRITES=0")
    args = parser.parse_args()
    text = asyncio.run(run(args))
    if args.out:
        args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
