"""`make bench`: the service against its practical limit (issue 8).

1. The data set at a chosen scale (bench/data/, COPY) in its own database (`taf_suite`; growth:
   `taf_suite_small`), on DATABASE_URL's server or the embedded PostgreSQL in .data/bench-pg.
2. SQL statements per request, counted on the wire between the app and PostgreSQL (bench/wire.py), at 10
   and 100 items.
3. The real app (bench/serve.py) and the baseline (bench/baseline.py: asyncpg + json, no GraphQL, no
   policy) each under `uvicorn --workers N` subprocesses, driven by bench/loadgen.py at several
   concurrencies, for 1 and 2 workers.
4. Growth: family page and caseload at 1/10 and 1x, with EXPLAIN of every SELECT.
5. bench/results/bench.{md,json} and bench/results/bench-latency.png (bench/suite_report.py).

Every measurement goes through the app's public API: GraphQL over HTTP with the operation documents.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench import contributions_page
from bench.api import ask
from bench.data.generator import Generator
from bench.data.plan import Plan
from bench.data.sessions import mint_tokens
from bench.database import ROOT, dsn, migrate, on, postgres, recorded, recreate
from bench.database import record as record_plan
from bench.explain import explain_all
from bench.loadgen import run_load
from bench.report import STARTED, machine, say
from bench.servers import APP, BASELINE, app_environment, uvicorn_server
from bench.signed_in import measure as measure_signed_in
from bench.suite_report import write
from bench.suite_scenarios import (
    SCENARIOS,
    Scenarios,
    add_meeting_pool,
    tidy_writer_family,
    write_cases,
    writer_team,
)
from bench.wire import MOST_RUNS, Statement, app_behind_tap, besides, fewest, of_request, settled

RESULTS = ROOT / "bench" / "results"
WARM_PASSES, WRITE_WARM_ROUNDS = 3, 2
SIGNED_IN_REQUESTS = 2000
BIG_TABLES = (
    "contribution",
    "contribution_version",
    "consent",
    "team_membership",
    "family",
    "taf_meeting",
    "assessment",
)


def loadavg() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


# ---------------------------------------------------------------------------------------------------------
# 1. Data


async def prepare(server: str, database: str, plan: Plan, seed: int, reuse: bool) -> tuple[str, dict[str, Any]]:
    url = on(server, database)
    if reuse:
        meta = await recorded(server, database)
        if meta and meta.get("plan") == plan.__dict__ and meta.get("seed") == seed:
            say(f"--reuse: {database} already holds this plan (seed {seed}); migrating to head")
            await migrate(url)  # an index added since the data was generated
            return url, {**meta, "reused": True}
    await recreate(server, database)
    migrated = await migrate(url)
    say(f"{database}: migrated in {migrated:.1f} s; generating {plan.families} families")
    connection = await asyncpg.connect(dsn(url))
    try:
        generator = Generator(connection, plan, seed)
        started = time.perf_counter()
        timings = await generator.generate(say)
        generated = time.perf_counter() - started
        started = time.perf_counter()
        await connection.execute("VACUUM (ANALYZE)")
        vacuumed = time.perf_counter() - started
        meta = {
            "plan": plan.__dict__,
            "seed": seed,
            **generator.world.summary(),
            "generate_seconds": round(generated, 1),
            "vacuum_seconds": round(vacuumed, 1),
            "database_size": await connection.fetchval("SELECT pg_size_pretty(pg_database_size(current_database()))"),
            "rows": {name: timing.rows for name, timing in timings.items()},
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        await record_plan(connection, meta)
    finally:
        await connection.close()
    say(f"{database}: generated in {generated:.1f} s, VACUUM (ANALYZE) {vacuumed:.1f} s, {meta['database_size']}")
    return url, {**meta, "reused": False}


async def tokens_for(url: str, meta: dict[str, Any]) -> dict[str, str]:
    actor, writer = uuid.UUID(meta["actor_user_id"]), uuid.UUID(meta["writer_user_id"])
    minted = await mint_tokens(dsn(url), [actor, writer])
    return {"actor": minted[actor], "writer": minted[writer]}


# ---------------------------------------------------------------------------------------------------------
# 2. Statements per request (the app behind a tap on its connection to PostgreSQL)


async def statement_counts(
    url: str, meta: dict[str, Any], tokens: dict[str, str], *, writes: bool = True
) -> dict[str, Any]:
    """Statements per request of each read (at 10 and 100 items), and with `writes` of each writing
    scenario's requests (they need the meeting pool)."""
    family = meta["family_a_id"]
    cases = {
        "FamilyContributions first 10": ("FamilyContributions", {"familyId": family, "first": 10}),
        "FamilyContributions first 100": ("FamilyContributions", {"familyId": family, "first": 100}),
        "FamilyChronology first 10": ("FamilyChronology", {"familyId": family, "first": 10}),
        "FamilyChronology first 100": ("FamilyChronology", {"familyId": family, "first": 100}),
        "Caseload first 10": ("Caseload", {"first": 10}),
        "Caseload first 100": ("Caseload", {"first": 100}),
        "Family": ("Family", {"id": family}),
        "FamilyConsents": ("FamilyConsents", {"familyId": family}),
        "FamilySafeguarding": ("FamilySafeguarding", {"familyId": family}),
        "FamilyContributionsPage": ("FamilyContributionsPage", {"familyId": family, "first": 100}),
        "CaseloadOutcomes": ("CaseloadOutcomes", Scenarios(meta, tokens).outcome_range),
    }
    counts: dict[str, Any] = {}
    captured: dict[str, list[Statement]] = {}
    runs: dict[str, list[list[Statement]]] = {}
    aside: dict[str, list[dict[str, int]]] = {}
    async with app_behind_tap(url) as (base, tap), httpx.AsyncClient(base_url=base, timeout=60) as client:

        async def count(label: str, name: str, variables: dict[str, Any], token: str) -> None:
            with tap.recording() as statements:
                data = await ask(client, name, variables, token)
            runs.setdefault(label, []).append(of_request(statements))
            aside.setdefault(label, []).append(besides(statements))
            least = fewest(runs[label])
            counts[label] = {
                "statements": len(least),
                "items": _items(data),
                "besides": aside[label][runs[label].index(least)],
            }
            captured[label] = least

        # Warm up as a server in service has long since: every pooled connection has met every type it reads
        # (asyncpg asks PostgreSQL about each once per connection) and prepared its statements.
        for _ in range(WARM_PASSES):
            for name, variables in cases.values():
                await ask(client, name, variables, tokens["actor"])
        for label, (name, variables) in cases.items():
            while not settled(runs.get(label, [])):
                await count(label, name, variables, tokens["actor"])
        # The writing scenarios, in order (a meeting's minutes, decision, publication), each round on fresh
        # input: twice to warm up, then until every request's count has settled.
        write_rounds = await write_cases(url, meta, WRITE_WARM_ROUNDS + MOST_RUNS) if writes else []
        for round_ in range(WRITE_WARM_ROUNDS + MOST_RUNS):
            if round_ >= WRITE_WARM_ROUNDS and all(settled(runs.get(label, [])) for label, _, _ in write_rounds):
                break
            for label, name, make in write_rounds:
                if round_ < WRITE_WARM_ROUNDS:
                    await ask(client, name, make(), tokens["writer"])
                else:
                    await count(label, name, make(), tokens["writer"])
    return {"counts": counts, "statements": captured}


def _items(data: dict[str, Any]) -> int | None:
    family = data.get("family") or {}
    if "contributions" in family:
        return len(family["contributions"]["nodes"])
    if "chronology" in family:
        return len(family["chronology"]["nodes"])
    if "families" in data:
        return len(data["families"]["nodes"])
    return None


# ---------------------------------------------------------------------------------------------------------
# 3. Servers under uvicorn, as in production


async def measure(
    url: str, meta: dict[str, Any], tokens: dict[str, str], args: argparse.Namespace, scenarios: list[str]
) -> list[dict[str, Any]]:
    points: list[dict[str, Any]] = []
    plan = Scenarios(meta, tokens)
    for workers in args.workers:
        contended = workers == args.workers[0] and contributions_page.SCENARIO in scenarios
        async with (
            uvicorn_server(APP, workers, app_environment(url)) as (app_port, app_process),
            uvicorn_server(BASELINE, workers, {"BENCH_BASELINE_DSN": dsn(url)}) as (base_port, base_process),
            contributions_page.contender(dsn(url), contended) as contender,
        ):
            for scenario in scenarios:
                if workers != args.workers[0] and scenario not in ("family_page", "caseload"):
                    continue  # the worker comparison is on the read paths
                for concurrency in args.concurrency:
                    if scenario == contributions_page.SCENARIO:  # the app, the baseline and PostGraphile
                        servers = {"app": (app_port, app_process), "baseline": (base_port, base_process), **contender}
                        run = contributions_page.point(url, plan, servers, workers, concurrency, args.duration)
                    else:
                        run = _point(plan, scenario, workers, concurrency, app_port, base_port, args)
                    points.append(await run)
    return points


async def _point(plan: Scenarios, scenario, workers, concurrency, app_port, base_port, args) -> dict[str, Any]:
    row: dict[str, Any] = {"scenario": scenario, "workers": workers, "concurrency": concurrency}
    for side, port, baseline in (("app", app_port, False), ("baseline", base_port, True)):
        iteration = plan.iteration(scenario, baseline)
        result = await run_load("127.0.0.1", port, iteration, concurrency=concurrency, duration=args.duration)
        row[side] = result.summary()
    row["throughput_ratio"] = round(row["app"]["throughput_per_s"] / max(row["baseline"]["throughput_per_s"], 1e-9), 3)
    say(
        f"{scenario} w={workers} c={concurrency}: app {row['app']['throughput_per_s']}/s "
        f"p99 {row['app']['p99_ms']} ms (errors {row['app']['errors']})"
        f"; baseline {row['baseline']['throughput_per_s']}/s p99 {row['baseline']['p99_ms']} ms"
    )
    return row


# ---------------------------------------------------------------------------------------------------------
# 4. Growth


async def growth_point(
    url: str, meta: dict[str, Any], tokens: dict[str, str], args: argparse.Namespace
) -> dict[str, Any]:
    counted = await statement_counts(url, meta, tokens, writes=False)  # growth is about the reads
    plans = {}
    for label in ("FamilyContributions first 100", "Caseload first 100", "Family", "FamilyChronology first 100"):
        explained = await explain_all(url, counted["statements"][label])
        plans[label] = [
            {
                "label": p["label"],
                "execution_ms": p["execution_ms"],
                "seq_scans": p["seq_scans"],
                "seq_scans_on_big_tables": [t for t in p["seq_scans"] if t in BIG_TABLES],
                "indexes_used": p["indexes_used"],
                "key_lines": p["key_lines"][:12],
            }
            for p in explained
        ]
    rows = []
    scenarios = Scenarios(meta, tokens)
    async with uvicorn_server(APP, args.workers[-1], app_environment(url)) as (port, _):
        for scenario in ("family_page", "caseload"):
            for concurrency in (1, 8):
                result = await run_load(
                    "127.0.0.1",
                    port,
                    scenarios.iteration(scenario, False),
                    concurrency=concurrency,
                    duration=args.duration,
                )
                rows.append({"scenario": scenario, "concurrency": concurrency, "app": result.summary()})
                p50 = result.summary()["p50_ms"]
                say(f"growth {meta['plan']['families']} families: {scenario} c={concurrency} {p50} ms p50")
    return {
        "families": meta["plan"]["families"],
        "contributions": meta["plan"]["contributions"],
        "database_size": meta.get("database_size"),
        "counts": counted["counts"],
        "plans": plans,
        "latency": rows,
    }


# ---------------------------------------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> dict[str, Any]:
    load_start = loadavg()
    server, handle = postgres()
    if handle is not None:
        say("DATABASE_URL is unset: the embedded PostgreSQL in .data/bench-pg")
    try:
        url, meta = await prepare(server, args.database, Plan.at(args.scale), args.seed, args.reuse)
        small_name, small_plan = f"{args.database}_small", Plan.at(args.scale / max(args.growth, 1))
        if args.prepare_only:
            if args.growth:
                await prepare(server, small_name, small_plan, args.seed, args.reuse)
            raise SystemExit(0)
        tokens = await tokens_for(url, meta)
        team = await writer_team(url, meta)
        await add_meeting_pool(url, meta, 20_000 if args.duration >= 1 else 2_000)
        try:
            say("statements per request")
            counted = await statement_counts(url, meta, tokens)
            say("an authenticated trivial query: app CPU per request")
            signed_in = await measure_signed_in(url, tokens["actor"], SIGNED_IN_REQUESTS)
            say("load: app and baseline under uvicorn")
            points = await measure(url, meta, tokens, args, args.scenarios)
        finally:
            say(f"the writer family tidied: {await tidy_writer_family(url, meta, team)}")
        growth = None
        if args.growth:
            # The smaller database is the one generated (10x of everything takes most of an hour on this
            # machine): same seed, actor and 200-item family, same caseload size (users scale too).
            small_url, small_meta = await prepare(server, small_name, small_plan, args.seed, args.reuse)
            small_tokens = await tokens_for(small_url, small_meta)
            growth = {
                f"1/{args.growth} ({small_name})": await growth_point(small_url, small_meta, small_tokens, args),
                f"1x ({args.database})": await growth_point(url, meta, tokens, args),
            }
    finally:
        del handle  # the embedded server stops when this process exits
    return {
        "args": {k: v for k, v in vars(args).items() if k != "func"},
        "database": args.database,
        "machine": machine(),
        "meta": {k: v for k, v in meta.items() if k != "meeting_pool"},
        "load": {"start": load_start, "end": loadavg()},
        "statements": counted["counts"],
        "signed_in": signed_in,
        "points": points,
        "growth": growth,
        "notes": [],
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "total_seconds": round(time.perf_counter() - STARTED, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.suite", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 10,000 families (the issue's numbers)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database", default="taf_suite")
    parser.add_argument("--reuse", action="store_true", help="keep a database that already holds this plan")
    parser.add_argument("--duration", type=float, default=3.0, help="seconds measured per point")
    parser.add_argument("--concurrency", type=lambda s: [int(x) for x in s.split(",")], default=[1, 8, 32])
    parser.add_argument("--workers", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2])
    parser.add_argument("--scenarios", type=lambda s: s.split(","), default=SCENARIOS)
    parser.add_argument(
        "--growth", type=int, default=10, help="also a database this many times smaller, for growth (0: skip)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--prepare-only", action="store_true", help="generate the database(s) and stop")
    parser.add_argument("--render", action="store_true", help="rewrite bench.md and the chart from bench.json")
    args = parser.parse_args(argv)
    if args.render:
        results = json.loads((args.out / "bench.json").read_text())
        write(results, args.out)
        return 0
    results = asyncio.run(run(args))
    write(results, args.out)
    say(f"wrote {args.out / 'bench.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
