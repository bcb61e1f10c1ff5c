"""Profile the meeting scenario (MinutesItemAdd, MeetingDecisionAdd, MinutesPublish on a meeting that has
started) one request at a time: the real app in this process (ASGI, no network), on fresh meetings of the
writer's family, with cProfile (own CPU by area and the top functions) and each request's statements, and
PostgreSQL's CPU per request: the bench database's backends' time on a core (schedstat) around each request,
counted once the request's work has settled (a read audit's group commit), so requests do not overlap.

    .venv/bin/python -m bench.internals.profile_meeting --database taf_suite --rounds 20 \
        --out bench/results/profile-meeting.txt

The database is one `make bench` generated (bench/README.md, "Meeting writes").
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

import httpx
from sqlalchemy import event

from bench.api import persisted_body
from bench.area_report import backends, on_core
from bench.data.sessions import mint_tokens
from bench.database import dsn, on, postgres, recorded
from bench.internals.profile_family import _area
from bench.servers import app_environment
from bench.suite_scenarios import add_meeting_pool
from server.app import create_app
from server.config import load_settings

STEPS = ("MinutesItemAdd", "MeetingDecisionAdd", "MinutesPublish")


def _variables(name: str, meeting: str) -> dict:
    if name == "MinutesItemAdd":
        return {"input": {"meetingId": meeting, "expectedVersion": 1, "heading": "Review", "text": "Plan reviewed."}}
    if name == "MeetingDecisionAdd":
        return {"input": {"meetingId": meeting, "text": "Keep the plan"}}
    return {"input": {"meetingId": meeting, "expectedVersion": 2}}


async def run(args: argparse.Namespace) -> str:
    server, handle = postgres()
    url = on(server, args.database)
    meta = await recorded(server, args.database)
    if meta is None:
        raise SystemExit(f"{args.database} holds no data set of make bench: run `make bench` first")
    await add_meeting_pool(url, meta, 3 * args.rounds + 5)
    pool = list(meta["meeting_pool"])
    writer = uuid.UUID(meta["writer_user_id"])
    token = (await mint_tokens(dsn(url), [writer]))[writer]
    app = create_app(load_settings(app_environment(url)))
    statements: list[list] = []  # [text, length, ms] of each statement while logging
    wall: dict[str, float] = dict.fromkeys(STEPS, 0.0)
    cpu: dict[str, float] = dict.fromkeys(STEPS, 0.0)
    database: dict[str, float] = dict.fromkeys(STEPS, 0.0)  # PostgreSQL's ms on a core
    pids: list[int] = []  # the bench database's backends, once the warm-up opened the app's connections
    async with app.router.lifespan_context(app):
        engine = app.state.taf.engine

        running: dict[int, list] = {}  # by connection: a request's loaders run statements side by side

        def seen(conn, cursor, statement, parameters, context, executemany):
            running[id(conn)] = entry = [statement, len(statement), time.perf_counter()]
            statements.append(entry)

        def done(conn, cursor, statement, parameters, context, executemany):
            if (started := running.pop(id(conn), None)) is not None:
                started[2] = (time.perf_counter() - started[2]) * 1000

        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def meeting(timed: bool, profiles: dict[str, cProfile.Profile] | None = None) -> None:
                chosen = pool.pop()
                for name in STEPS:
                    on_db = _on_core(pids) if timed else 0.0
                    started, used = time.perf_counter(), time.process_time()
                    if profiles:
                        profiles[name].enable()
                    response = await client.post(
                        "/graphql",
                        json=persisted_body(name, _variables(name, chosen)),
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    if profiles:
                        profiles[name].disable()
                    if timed:
                        wall[name] += time.perf_counter() - started
                        cpu[name] += time.process_time() - used
                        await asyncio.sleep(SETTLE)
                        database[name] += _on_core(pids) - on_db
                    assert "errors" not in response.json(), response.text[:300]

            for _ in range(3):
                await meeting(False)
            pids += await backends(url)
            for _ in range(args.rounds):
                await meeting(True)
            event.listen(engine.sync_engine, "before_cursor_execute", seen)
            event.listen(engine.sync_engine, "after_cursor_execute", done)
            logged = []
            for name in STEPS:
                chosen = pool[-1]
                statements.clear()
                await client.post(
                    "/graphql",
                    json=persisted_body(name, _variables(name, chosen)),
                    headers={"Authorization": f"Bearer {token}"},
                )
                logged.append((name, list(statements)))
            pool.pop()
            event.remove(engine.sync_engine, "before_cursor_execute", seen)
            event.remove(engine.sync_engine, "after_cursor_execute", done)
            profiles = {name: cProfile.Profile(time.process_time) if args.cpu else cProfile.Profile() for name in STEPS}
            for _ in range(args.rounds):
                await meeting(False, profiles)
    profile = pstats.Stats(*profiles.values())
    if args.stats:
        profile.dump_stats(args.stats)
        for name in STEPS:
            profiles[name].dump_stats(f"{args.stats}.{name}")
    del handle
    by_step = {name: _areas(pstats.Stats(profiles[name])) for name in STEPS}
    modules = {area: sum(step.get(area, 0.0) for step in by_step.values()) for area in _areas(profile)}
    total = sum(modules.values())
    n = args.rounds
    lines = [
        f"# meeting scenario x {n} ({args.database}), in-process ASGI, one request at a time;"
        f" load {os.getloadavg()[0]:.2f}",
        "",
        "| request | wall ms | CPU ms | PostgreSQL CPU ms | statements (engine listener) | bytes of SQL |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, logged_statements in logged:
        size = sum(length for _, length, _ in logged_statements)
        timed = f"{wall[name] / n * 1000:.1f} | {cpu[name] / n * 1000:.1f} | {database[name] / n:.2f}"
        lines.append(f"| {name} | {timed} | {len(logged_statements)} | {size:,} |")
    lines += ["", f"Own CPU time by area (cProfile, {n} meetings; profiler overhead included):"]
    lines += [
        f"  {area:<28} {seconds / n * 1000:7.2f} ms/meeting  {100 * seconds / total:5.1f}%"
        for area, seconds in sorted(modules.items(), key=lambda pair: -pair[1])[:16]
    ]
    lines += ["", "By request, ms of own CPU per request (cProfile; the 8 largest areas):"]
    lines += ["", "| area | " + " | ".join(STEPS) + " |", "|---|" + "---:|" * len(STEPS)]
    for area, _seconds in sorted(modules.items(), key=lambda pair: -pair[1])[:8]:
        lines.append(f"| {area} | " + " | ".join(f"{by_step[s].get(area, 0.0) / n * 1000:.2f}" for s in STEPS) + " |")
    totals = " | ".join(f"{sum(by_step[s].values()) / n * 1000:.2f}" for s in STEPS)
    lines.append(f"| all | {totals} |")
    text = io.StringIO()
    profile.stream = text  # type: ignore[attr-defined]
    profile.sort_stats("cumulative").print_stats(40)
    lines += ["", "Statements of one meeting (size, wall ms from sending to the result, text):"]
    for name, logged_statements in logged:
        lines.append(f"  {name}:")
        lines += [f"    {length:6,} B {ms:6.2f} ms  {text[:100]!r}" for text, length, ms in logged_statements]
    return "\n".join(lines) + "\n\n" + text.getvalue()


SETTLE = 0.005  # seconds after a request before PostgreSQL's CPU is read: its backends finish what it started


def _on_core(pids: list[int]) -> float:
    """Milliseconds on a core so far of the backends `pids` (none on a remote server)."""
    return sum(ms for ms, _waiting in on_core(pids).values())


def _areas(stats: pstats.Stats) -> dict[str, float]:
    """Own time by area of the code (`profile_family._area`)."""
    areas: dict[str, float] = {}
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        areas[_area(filename)] = areas.get(_area(filename), 0.0) + tottime
    return areas


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="taf_suite")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--stats",
        type=Path,
        help="also keep the cProfile statistics (pstats) in this file, and each request's in FILE.<request>",
    )
    parser.add_argument("--cpu", action="store_true", help="profile on the process's CPU time, not wall time")
    args = parser.parse_args()
    text = asyncio.run(run(args))
    if args.out:
        args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
