"""Consent-based sharing at scale (issue 3, "Speed and scale"): `make bench-sharing`.

1. A fresh database `taf_bench` (on DATABASE_URL's server, else the embedded PostgreSQL in .data/bench-pg),
   migrated, filled with COPY at --scale (1.0 = 10,000 families, 2,000 staff, ~500,000 team memberships,
   500,000 contributions, 100,000 consent records): the data set of bench/data/.
2. Measurements through the app's public API, FamilyContributions over HTTP:
   a. SQL statements per request (first: 10 vs 100; a 20-item vs the 200-item family), counted on the wire
      between the app and PostgreSQL (bench/wire.py);
   b. latency (sequential) and throughput (concurrent clients) against the app in a process of its own;
   d. that process's RSS while it serves pages of many different families;
   e. EXPLAIN (ANALYZE, BUFFERS) of every SELECT the 200-item request sent (bench/explain.py).
   And c, inside the server, the cost of one policy decision: bench/internals/policy_decision.py.
3. bench/results/sharing.md and bench/results/sharing.json (bench/sharing_report.py).

It changes no server code: findings are reported for the lead to act on.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil

from bench.api import ask
from bench.data.generator import Generator
from bench.data.plan import Plan
from bench.data.sessions import mint_tokens
from bench.database import ROOT, dsn, migrate, on, postgres, recorded, recreate
from bench.database import record as record_plan
from bench.explain import arguments, explain_all, label, plan_time, wide_index_reads
from bench.internals import policy_decision
from bench.report import STARTED, load, machine, say, summary_ms
from bench.servers import APP, app_environment, uvicorn_server
from bench.sharing_report import DATABASE, notes, write_results
from bench.wire import Statement, app_behind_tap, fewest, of_request, settled

RESULTS = ROOT / "bench" / "results"
WATCHED_TABLES = ("contribution", "consent", "team_membership")


# ---------------------------------------------------------------------------------------------------------
# 1. The database


async def prepare_database(args: argparse.Namespace, server: str) -> tuple[str, dict[str, Any]]:
    """Return the bench database's URL and what was generated (or found, with --reuse)."""
    url = on(server, DATABASE)
    if args.reuse:
        meta = await recorded(server, DATABASE)
        if meta and meta.get("scale") == args.scale and meta.get("seed") == args.seed:
            say(f"--reuse: {DATABASE} already holds scale {args.scale} (seed {args.seed})")
            return url, {**meta, "reused": True}
        say("--reuse: no matching data set; generating")
    await recreate(server, DATABASE)
    migrated = await migrate(url)
    say(f"migrated {DATABASE} in {migrated:.1f} s; generating scale {args.scale}")
    plan = Plan.at(args.scale)
    connection = await asyncpg.connect(dsn(url))
    try:
        generator = Generator(connection, plan, args.seed)
        started = time.perf_counter()
        timings = await generator.generate(say)
        generated = time.perf_counter() - started
        say(f"generated in {generated:.1f} s; VACUUM (ANALYZE)")
        started = time.perf_counter()
        await connection.execute("VACUUM (ANALYZE)")
        vacuumed = time.perf_counter() - started
        size = await connection.fetchval("SELECT pg_size_pretty(pg_database_size(current_database()))")
        checks = await data_checks(connection, generator.world.summary())
        say(f"checks: {checks}")
        meta = {
            "scale": args.scale,
            "seed": args.seed,
            "plan": plan.__dict__,
            **generator.world.summary(),
            "migrate_seconds": round(migrated, 2),
            "generate_seconds": round(generated, 2),
            "vacuum_analyze_seconds": round(vacuumed, 2),
            "database_size": size,
            "checks": checks,
            "tables": {name: timing.as_dict() for name, timing in timings.items()},
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        await record_plan(connection, meta)
    finally:
        await connection.close()
    say(f"VACUUM (ANALYZE) {vacuumed:.1f} s; database {size}")
    return url, {**meta, "reused": False}


async def data_checks(connection: asyncpg.Connection, world: dict[str, str]) -> dict[str, Any]:
    """What the constraints alone do not promise: every family has exactly one active lead, A and B have
    200 and 20 items, every item has its version."""
    a, b = uuid.UUID(world["family_a_id"]), uuid.UUID(world["family_b_id"])
    checks = {
        "families_without_exactly_one_active_lead": await connection.fetchval(
            """SELECT count(*) FROM family f WHERE (SELECT count(*) FROM team_membership t WHERE t.family_id = f.id
               AND t.valid_to IS NULL AND t.role = 'lead_professional') <> 1"""
        ),
        "contributions_without_a_version": await connection.fetchval(
            """SELECT count(*) FROM contribution c
               WHERE NOT EXISTS (SELECT 1 FROM contribution_version v WHERE v.contribution_id = c.id)"""
        ),
        "family_a_items": await connection.fetchval("SELECT count(*) FROM contribution WHERE family_id = $1", a),
        "family_b_items": await connection.fetchval("SELECT count(*) FROM contribution WHERE family_id = $1", b),
        "active_memberships": await connection.fetchval("SELECT count(*) FROM team_membership WHERE valid_to IS NULL"),
        "ended_memberships": await connection.fetchval(
            "SELECT count(*) FROM team_membership WHERE valid_to IS NOT NULL"
        ),
        "consents_active_given": await connection.fetchval(
            """SELECT count(*) FROM consent WHERE decision = 'given' AND withdrawn_at IS NULL
               AND (valid_to IS NULL OR valid_to > now())"""
        ),
        "consents_refused": await connection.fetchval("SELECT count(*) FROM consent WHERE decision = 'refused'"),
        "consents_expired": await connection.fetchval("SELECT count(*) FROM consent WHERE valid_to <= now()"),
        "consents_withdrawn": await connection.fetchval("SELECT count(*) FROM consent WHERE withdrawn_at IS NOT NULL"),
        "overrides_active": await connection.fetchval(
            "SELECT count(*) FROM safeguarding_override WHERE revoked_at IS NULL AND expires_at > now()"
        ),
        "audit_events": await connection.fetchval("SELECT count(*) FROM audit_event"),
    }
    assert checks["families_without_exactly_one_active_lead"] == 0, checks
    assert checks["contributions_without_a_version"] == 0, checks
    assert (checks["family_a_items"], checks["family_b_items"]) == (200, 20), checks
    return checks


async def family_contributions(client: httpx.AsyncClient, token: str, family_id: str, first: int) -> dict[str, Any]:
    variables = {"familyId": family_id, "first": first}
    return (await ask(client, "FamilyContributions", variables, token))["family"]["contributions"]


def cases(meta: dict[str, Any]) -> list[tuple[str, str, int]]:
    a, b = meta["family_a_id"], meta["family_b_id"]
    return [
        ("200-item family, first: 10", a, 10),
        ("200-item family, first: 100", a, 100),
        ("20-item family, first: 10", b, 10),
        ("20-item family, first: 100", b, 100),
    ]


# ---------------------------------------------------------------------------------------------------------
# a + e: statements per request and their plans


async def measure_statements(url: str, meta: dict[str, Any], token: str) -> dict[str, Any]:
    family_a = meta["family_a_id"]
    result: dict[str, Any] = {"cases": []}
    captured: list[Statement] = []
    async with app_behind_tap(url) as (base, tap), httpx.AsyncClient(base_url=base, timeout=60) as client:
        for _ in range(5):  # every pooled connection meets every type it reads; the parser and caches warm
            for _case, family, first in cases(meta):
                await family_contributions(client, token, family, first)
        for case_label, family, first in cases(meta):
            runs: list[list[Statement]] = []
            while not settled(runs):
                with tap.recording() as statements:
                    page = await family_contributions(client, token, family, first)
                runs.append(of_request(statements))
            statements = fewest(runs)
            case = {
                "case": case_label,
                "first": first,
                "items_returned": len(page["nodes"]),
                "total_count": page["totalCount"],
                "statements": len(statements),
                "statement_kinds": [label(statement.sql) for statement in statements],
            }
            result["cases"].append(case)
            say(f"  {case_label}: {case['statements']} statements, {case['items_returned']} items")
            if family == family_a and first == 100:
                captured = statements
    counts = {case["case"]: case["statements"] for case in result["cases"]}
    result["constant"] = len(set(counts.values())) == 1
    result["explain"] = await explain_all(url, captured, WATCHED_TABLES)
    facts = next((plan for plan in result["explain"] if plan["label"].startswith("facts")), None)
    if facts and any(read["index"] == "ix_team_membership_agency_active" for read in facts["wide_index_reads"]):
        result["what_if_family_agency_index"] = await what_if_index(url, captured, facts)
    return result


WHAT_IF_INDEX = (
    "CREATE INDEX bench_what_if_family_agency ON team_membership (family_id, agency_id) WHERE valid_to IS NULL"
)


async def what_if_index(url: str, statements: list[Statement], before: dict[str, Any]) -> dict[str, Any]:
    """The facts statement again with the suggested index, built inside a transaction that is rolled back
    (the bench database only; no migration is touched)."""
    facts = next(statement for statement in statements if label(statement.sql).startswith("facts"))
    connection = await asyncpg.connect(dsn(url))
    try:
        values = await arguments(connection, facts)
        transaction = connection.transaction()
        await transaction.start()
        try:
            started = time.perf_counter()
            await connection.execute(WHAT_IF_INDEX)
            built = time.perf_counter() - started
            await connection.execute("ANALYZE team_membership")
            rows = await connection.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {facts.sql}", *values)
        finally:
            await transaction.rollback()
    finally:
        await connection.close()
    plan = [row[0] for row in rows]
    return {
        "index": WHAT_IF_INDEX,
        "build_seconds": round(built, 2),
        "execution_ms_before": before["execution_ms"],
        "execution_ms_after": plan_time(plan, "Execution Time"),
        "buffers_before": before["root_buffers"],
        "buffers_after": next((line.strip() for line in plan if "Buffers:" in line), ""),
        "wide_index_reads_after": wide_index_reads(plan),
        "key_lines_after": [line.rstrip() for line in plan if "team_membership" in line or "Time:" in line],
        "plan_after": plan,
    }


# ---------------------------------------------------------------------------------------------------------
# b + d: the app in a process of its own (its RSS is its own, and the load generator does not share its GIL)


def rss_mb(process: psutil.Process) -> float:
    return round(process.memory_info().rss / 2**20, 1)


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


async def measure_latency(
    base: str, process: psutil.Process, token: str, family_id: str, args: argparse.Namespace
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for _ in range(20):
            await family_contributions(client, token, family_id, 100)
        for first in (100, 10):
            samples = []
            cpu = cpu_seconds(process)
            for _ in range(args.requests):
                started = time.perf_counter()
                await family_contributions(client, token, family_id, first)
                samples.append(time.perf_counter() - started)
            server_cpu = cpu_seconds(process) - cpu
            result[f"sequential_first_{first}"] = {
                **summary_ms(samples),
                "server_cpu_ms_per_request": round(server_cpu / args.requests * 1000, 2),
                "load": load(),
            }
            say(f"  sequential, first: {first}: {result[f'sequential_first_{first}']}")
    result["concurrent_first_100"] = await _concurrent(base, process, token, family_id, args)
    say(f"  {args.clients} clients: {result['concurrent_first_100']}")
    return result


async def _concurrent(base: str, process: psutil.Process, token: str, family_id: str, args) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + args.duration
    cpu = cpu_seconds(process)
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)

    async def client_loop(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                await family_contributions(client, token, family_id, 100)
                latencies.append(time.perf_counter() - started)
            except (RuntimeError, httpx.HTTPError):
                errors += 1

    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        started = time.perf_counter()
        async with asyncio.TaskGroup() as group:
            for _ in range(args.clients):
                group.create_task(client_loop(client))
        elapsed = time.perf_counter() - started
    server_cpu = cpu_seconds(process) - cpu
    return {
        "clients": args.clients,
        "seconds": round(elapsed, 2),
        "requests": len(latencies),
        "errors": errors,
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "server_cpu_ms_per_request": round(server_cpu / max(1, len(latencies)) * 1000, 2),
        "server_cpu_share_of_one_core": round(server_cpu / elapsed, 2),
        **summary_ms(latencies),
        "load": load(),
    }


async def warm_families(url: str, meta: dict[str, Any], wanted: int) -> list[tuple[str, uuid.UUID]]:
    """(family id, user id) pairs for `wanted` distinct families other than A and B, each with a
    practitioner on its team; few users, so that few tokens are needed."""
    connection = await asyncpg.connect(dsn(url))
    try:
        rows = await connection.fetch(
            """
            SELECT t.user_id, array_agg(t.family_id ORDER BY t.family_id) AS families
            FROM team_membership t JOIN app_user u ON u.id = t.user_id
            WHERE t.valid_to IS NULL AND u.role = 'practitioner' AND t.family_id <> ALL($1::uuid[])
            GROUP BY t.user_id
            ORDER BY count(*) DESC, t.user_id
            """,
            [uuid.UUID(meta["family_a_id"]), uuid.UUID(meta["family_b_id"])],
        )
    finally:
        await connection.close()
    chosen: dict[uuid.UUID, uuid.UUID] = {}
    for row in rows:
        for family in row["families"]:
            chosen.setdefault(family, row["user_id"])
            if len(chosen) >= wanted:
                break
        if len(chosen) >= wanted:
            break
    return [(str(family), user) for family, user in chosen.items()]


async def measure_memory(
    url: str, meta: dict[str, Any], base: str, process: psutil.Process, token: str, args: argparse.Namespace
) -> dict[str, Any]:
    pairs = await warm_families(url, meta, min(args.warm_families, meta["plan"]["families"] - 2))
    users = sorted({user for _, user in pairs})
    tokens = await mint_tokens(dsn(url), users)
    before = rss_mb(process)
    checkpoints = [{"families": 0, "rss_mb": before}]
    marks = {len(pairs) * share // 8 for share in range(1, 9)}
    queue: asyncio.Queue[tuple[str, uuid.UUID]] = asyncio.Queue()
    for pair in pairs:
        queue.put_nowait(pair)
    done = 0
    items = 0
    started = time.perf_counter()

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal done, items
        while not queue.empty():
            family, user = queue.get_nowait()
            page = await family_contributions(client, tokens[user], family, 50)
            items += len(page["nodes"])
            done += 1
            if done in marks:
                checkpoints.append({"families": done, "rss_mb": rss_mb(process)})

    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        async with asyncio.TaskGroup() as group:
            for _ in range(args.warm_clients):
                group.create_task(worker(client))
        elapsed = time.perf_counter() - started
        for _ in range(20):  # and the 200-item family again, after all that
            await family_contributions(client, token, meta["family_a_id"], 100)
    after = rss_mb(process)
    connection = await asyncpg.connect(dsn(url))
    try:
        touched_consents = await connection.fetchval(
            "SELECT count(*) FROM consent WHERE family_id = ANY($1::uuid[])", [uuid.UUID(f) for f, _ in pairs]
        )
        all_consents = await connection.fetchval("SELECT count(*) FROM consent")
    finally:
        await connection.close()
    result = {
        "families_touched": len(pairs),
        "users": len(users),
        "items_returned": items,
        "consent_records_in_touched_families": touched_consents,
        "consent_records_in_database": all_consents,
        "seconds": round(elapsed, 1),
        "rss_before_mb": before,
        "rss_after_mb": after,
        "growth_mb": round(after - before, 1),
        "checkpoints": checkpoints,
        "load": load(),
    }
    say(f"  memory: {before} MB -> {after} MB after {len(pairs)} families ({elapsed:.0f} s)")
    return result


# ---------------------------------------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {
        "scale": args.scale,
        "seed": args.seed,
        "machine": machine(),
        "load": {"start": load(), "cpu_busy_at_start_percent": psutil.cpu_percent(interval=1.0)},
        "database_where": "DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded (.data/bench-pg)",
    }
    say(f"load average {results['load']['start']}")
    server, handle = postgres()
    url, meta = await prepare_database(args, server)
    results["data"] = meta
    connection = await asyncpg.connect(dsn(url))
    try:
        results["postgres"] = await connection.fetchval("SHOW server_version")
    finally:
        await connection.close()
    actor = uuid.UUID(meta["actor_user_id"])
    token = (await mint_tokens(dsn(url), [actor]))[actor]

    say("a + e. statements per request and their plans")
    results["statements"] = await measure_statements(url, meta, token)
    say("c. policy decision cost, inside the server (bench/internals/policy_decision.py)")
    results["decisions"] = await policy_decision.decisions(url, meta)
    per_request = await policy_decision.decisions_per_request(url, token, cases(meta))
    for case in results["statements"]["cases"]:
        case |= per_request[case["case"]]
    for key in ("decide_fresh_distinct", "decide_memoised", "enforce_ex_raw", "matcher_parse_only"):
        say(f"  {key}: {results['decisions']['costs'][key]}")
    say(f"  combinations: {results['decisions']['combinations']}")
    say("b + d. latency, throughput and memory (the app in a process of its own)")
    async with uvicorn_server(APP, 1, app_environment(url)) as (port, process):
        base = f"http://127.0.0.1:{port}"
        results["latency"] = await measure_latency(base, process, token, meta["family_a_id"], args)
        results["memory"] = await measure_memory(url, meta, base, process, token, args)
    results["load"]["end"] = load()
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["total_seconds"] = round(time.perf_counter() - STARTED, 1)
    results["notes"] = notes(results)
    del handle  # the embedded server stops when this process exits
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = the issue's numbers (default)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="keep taf_bench if it holds this scale and seed")
    parser.add_argument("--requests", type=int, default=200, help="sequential requests per latency run")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients for throughput")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of the throughput run")
    parser.add_argument("--warm-families", type=int, default=2000, help="families read for the memory check")
    parser.add_argument("--warm-clients", type=int, default=4)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--render", action="store_true", help="only rewrite sharing.md from sharing.json")
    args = parser.parse_args()
    if args.render:
        results = json.loads((args.out / "sharing.json").read_text())
        results["notes"] = notes(results)
        write_results(results, args.out)
        return 0
    results = asyncio.run(run(args))
    write_results(results, args.out)
    say(f"wrote {args.out / 'sharing.md'} and {args.out / 'sharing.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
