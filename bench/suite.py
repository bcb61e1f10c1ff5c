"""`make bench`: the service against its practical limit (issue 8).

1. A data set at a chosen scale (bench/suite_data.py, COPY) in its own database (`taf_suite`; growth:
   `taf_suite_small`), on DATABASE_URL's server or the embedded PostgreSQL in .data/bench-pg.
2. SQL statements per request, counted in-process on the app's engine, at 10 and 100 items.
3. The real app (bench/serve.py) and the baseline (bench/baseline.py: asyncpg + json, no GraphQL, no
   policy) each under `uvicorn --workers N` subprocesses, driven by bench/loadgen.py at several
   concurrencies, for 1 and 2 workers.
4. Growth: family page and caseload at 1/10 and 1x, with EXPLAIN of every SELECT.
5. bench/results/bench.{md,json} and bench/results/bench-latency.png.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from graphql import OperationDefinitionNode, parse
from sqlalchemy.engine import make_url

from bench.loadgen import Connection, run_load
from bench.sharing_scale import asyncpg_dsn, counting, explain_all, free_port, machine, mint_tokens, served_in_process
from bench.suite_data import SuiteGenerator, SuitePlan
from server.config import REPO_ROOT, database_url_from
from server.db.migrate import migrate

RESULTS = REPO_ROOT / "bench" / "results"
OPERATIONS = REPO_ROOT / "graphql" / "operations"
STARTED = time.perf_counter()
BIG_TABLES = (
    "contribution",
    "contribution_version",
    "consent",
    "team_membership",
    "family",
    "taf_meeting",
    "assessment",
)


def say(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:7.1f} s] {message}", flush=True)


def loadavg() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def documents() -> dict[str, str]:
    """Operation name -> the whole file it is in (the web front end sends a file whole, web/js/api.js)."""
    found = {}
    for path in sorted(OPERATIONS.glob("*.graphql")):
        text = path.read_text()
        for definition in parse(text).definitions:
            if isinstance(definition, OperationDefinitionNode) and definition.name:
                found[definition.name.value] = text
    return found


DOCUMENTS = documents()


def graphql_body(name: str, variables: dict[str, Any]) -> bytes:
    return json.dumps({"query": DOCUMENTS[name], "operationName": name, "variables": variables}).encode()


# ---------------------------------------------------------------------------------------------------------
# 1. Data


async def prepare(server: str, database: str, plan: SuitePlan, seed: int, reuse: bool) -> tuple[str, dict[str, Any]]:
    url = make_url(server).set(database=database).render_as_string(hide_password=False)
    admin = await asyncpg.connect(asyncpg_dsn(server))
    try:
        if reuse:
            found = await admin.fetchval(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1", database
            )
            meta = json.loads(found) if found else None
            if meta and meta.get("plan") == _plan_dict(plan) and meta.get("seed") == seed:
                say(f"--reuse: {database} already holds this plan (seed {seed}); migrating to head")
                await migrate(url)  # an index added since the data was generated
                return url, {**meta, "reused": True}
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{database}"')
    finally:
        await admin.close()
    started = time.perf_counter()
    await migrate(url)
    say(f"{database}: migrated in {time.perf_counter() - started:.1f} s; generating {plan.base.families} families")
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        generator = SuiteGenerator(connection, plan, seed)
        started = time.perf_counter()
        timings = await generator.generate(say)
        generated = time.perf_counter() - started
        started = time.perf_counter()
        await connection.execute("VACUUM (ANALYZE)")
        vacuumed = time.perf_counter() - started
        world = generator.world
        writer_family = 2
        meta = {
            "plan": _plan_dict(plan),
            "seed": seed,
            **world.summary(),
            "writer_family_id": str(world.family_ids[writer_family]),
            "writer_user_id": str(world.user_ids[world.teams[writer_family][0]]),
            "generate_seconds": round(generated, 1),
            "vacuum_seconds": round(vacuumed, 1),
            "database_size": await connection.fetchval("SELECT pg_size_pretty(pg_database_size(current_database()))"),
            "rows": {name: timing.rows for name, timing in timings.items()},
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        comment = json.dumps(meta).replace("'", "''")
        await connection.execute(f"COMMENT ON DATABASE \"{database}\" IS '{comment}'")
    finally:
        await connection.close()
    say(f"{database}: generated in {generated:.1f} s, VACUUM (ANALYZE) {vacuumed:.1f} s, {meta['database_size']}")
    return url, {**meta, "reused": False}


def _plan_dict(plan: SuitePlan) -> dict[str, Any]:
    return {**plan.base.__dict__, "meetings": plan.meetings}


async def add_meeting_pool(url: str, meta: dict[str, Any], count: int) -> None:
    """Meetings in the writer family that have started and have no minutes yet: the meeting scenario
    records minutes, a decision and publishes them (minutes need a meeting that has started)."""
    now = datetime.now(UTC)
    family, chair = uuid.UUID(meta["writer_family_id"]), uuid.UUID(meta["writer_user_id"])
    rows = [
        (
            uuid.uuid4(),
            family,
            "review",
            "scheduled",
            now - timedelta(minutes=5 + i),
            "Family hub",
            "",
            chair,
            "",
            None,
            None,
            1,
            now - timedelta(days=3),
            now - timedelta(days=3),
        )
        for i in range(count)
    ]
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        columns = [
            "id",
            "family_id",
            "kind",
            "status",
            "scheduled_at",
            "location",
            "call_link",
            "chair_user_id",
            "agenda",
            "minutes_published_at",
            "cancel_reason",
            "version",
            "created_at",
            "updated_at",
        ]
        await connection.copy_records_to_table("taf_meeting", records=rows, columns=columns)
    finally:
        await connection.close()
    meta["meeting_pool"] = [str(row[0]) for row in rows]


# ---------------------------------------------------------------------------------------------------------
# Scenarios: what one iteration sends, to the app (GraphQL) and to the baseline


class Scenarios:
    def __init__(self, meta: dict[str, Any], tokens: dict[str, str]) -> None:
        self.meta = meta
        self.actor = tokens["actor"]
        self.writer = tokens["writer"]
        self.family = meta["family_a_id"]
        self.pool = list(meta.get("meeting_pool", []))
        today = date.today()
        self.outcome_range = {"exitedFrom": (today - timedelta(days=730)).isoformat(), "exitedTo": today.isoformat()}

    def page(self, baseline: bool) -> list[tuple[str, dict[str, Any]]]:
        f = self.family
        return [
            ("Family", {"id": f}),
            ("FamilyContributions", {"familyId": f, "first": 100}),
            ("FamilyConsents", {"familyId": f}),
            ("FamilySafeguarding", {"familyId": f}),
            ("FamilyChronology", {"familyId": f, "first": 100}),
        ]

    def iteration(self, scenario: str, baseline: bool):
        async def send(connection: Connection, name: str, variables: dict[str, Any], token: str) -> bytes:
            if baseline:
                status, data = await connection.post(f"/b/{name}", json.dumps(variables).encode(), token)
            else:
                status, data = await connection.post("/graphql", graphql_body(name, variables), token)
            if status != 200 or data.startswith(b'{"errors"') or b'"errors":' in data[:200]:
                raise RuntimeError(f"{name}: {status} {data[:300]!r}")
            return data

        if scenario == "family_page":
            steps = self.page(baseline)

            async def run(connection: Connection, n: int) -> None:
                for name, variables in steps:
                    await send(connection, name, variables, self.actor)

        elif scenario == "caseload":

            async def run(connection: Connection, n: int) -> None:
                await send(connection, "Caseload", {"first": 20}, self.actor)

        elif scenario == "contribution_add":
            family = self.meta["writer_family_id"]

            async def run(connection: Connection, n: int) -> None:
                item = {
                    "familyId": family,
                    "kind": "update",
                    "category": "education",
                    "title": "Attendance checked",
                    "body": "Spoke to the school; attendance is up this half term.",
                    "idempotencyKey": f"bench-{uuid.uuid4()}",
                }
                if baseline:
                    item.pop("idempotencyKey")
                await send(connection, "ContributionAdd", {"input": item}, self.writer)

        elif scenario == "meeting":

            async def run(connection: Connection, n: int) -> None:
                meeting = self.pool.pop()
                v = 1
                item = {"meetingId": meeting, "expectedVersion": v, "heading": "Review of the plan"}
                await send(
                    connection,
                    "MinutesItemAdd",
                    {"input": {**item, "text": "All attended; plan reviewed."}},
                    self.writer,
                )
                await send(
                    connection,
                    "MeetingDecisionAdd",
                    {"input": {"meetingId": meeting, "text": "Keep the plan"}},
                    self.writer,
                )
                await send(
                    connection,
                    "MinutesPublish",
                    {"input": {"meetingId": meeting, "expectedVersion": v + 1}},
                    self.writer,
                )

        elif scenario == "outcomes":

            async def run(connection: Connection, n: int) -> None:
                await send(connection, "CaseloadOutcomes", self.outcome_range, self.actor)

        else:
            raise ValueError(scenario)
        return run


SCENARIOS = ["family_page", "caseload", "contribution_add", "meeting", "outcomes"]
REQUESTS_PER_ITERATION = {"family_page": 5, "caseload": 1, "contribution_add": 1, "meeting": 3, "outcomes": 1}


# ---------------------------------------------------------------------------------------------------------
# 2. Statements per request (in-process app, a listener on its engine)


async def statement_counts(
    url: str, meta: dict[str, Any], tokens: dict[str, str], *, writes: bool = True
) -> dict[str, Any]:
    """Statements per request of each read (at 10 and 100 items), and with `writes` of each writing
    scenario's requests (they need the meeting pool)."""
    cases = {
        "FamilyContributions first 10": ("FamilyContributions", {"familyId": meta["family_a_id"], "first": 10}),
        "FamilyContributions first 100": ("FamilyContributions", {"familyId": meta["family_a_id"], "first": 100}),
        "FamilyChronology first 10": ("FamilyChronology", {"familyId": meta["family_a_id"], "first": 10}),
        "FamilyChronology first 100": ("FamilyChronology", {"familyId": meta["family_a_id"], "first": 100}),
        "Caseload first 10": ("Caseload", {"first": 10}),
        "Caseload first 100": ("Caseload", {"first": 100}),
        "Family": ("Family", {"id": meta["family_a_id"]}),
        "FamilyConsents": ("FamilyConsents", {"familyId": meta["family_a_id"]}),
        "FamilySafeguarding": ("FamilySafeguarding", {"familyId": meta["family_a_id"]}),
        "CaseloadOutcomes": ("CaseloadOutcomes", Scenarios(meta, tokens).outcome_range),
    }
    counts: dict[str, Any] = {}
    captured: dict[str, list] = {}
    async with served_in_process(url) as (base, app):
        engine = app.state.taf.engine
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:

            async def count(label: str, name: str, variables: dict[str, Any], token: str) -> None:
                body = {"query": DOCUMENTS[name], "operationName": name, "variables": variables}
                with counting(engine) as statements:
                    response = await client.post("/graphql", json=body, headers={"Authorization": f"Bearer {token}"})
                payload = response.json()
                assert "errors" not in payload, (label, payload)
                counts[label] = {"statements": len(statements), "items": _items(payload)}
                captured[label] = list(statements)

            for label, (name, variables) in cases.items():
                await count(label, name, variables, tokens["actor"])  # warm (loaders, plans)
                await count(label, name, variables, tokens["actor"])
            # The writing scenarios, in order (a meeting's minutes, decision, publication): once to warm up,
            # then counted on fresh input.
            write_cases = await _write_cases(url, meta) if writes else []
            for _ in range(2):
                for label, name, make in write_cases:
                    await count(label, name, make(), tokens["writer"])
    return {"counts": counts, "statements": captured}


async def _write_cases(url: str, meta: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """ContributionAdd and TeamMemberAdd (the notification burst's mutation) by the writer, the lead of
    their family, and the meeting's three mutations on meetings from the front of the pool (the meeting
    scenario takes them from the back)."""
    family = meta["writer_family_id"]
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        newcomers = iter(
            await connection.fetch(
                "SELECT id::text FROM app_user WHERE kind = 'staff' AND is_active AND id NOT IN"
                " (SELECT user_id FROM team_membership WHERE family_id = $1) ORDER BY id LIMIT 2",
                uuid.UUID(family),
            )
        )
    finally:
        await connection.close()
    meetings = iter(meta["meeting_pool"][:2])
    current: dict[str, str] = {}

    def contribution() -> dict[str, Any]:
        item = {"familyId": family, "kind": "update", "category": "education", "title": "Attendance checked"}
        return {"input": {**item, "body": "Up this half term.", "idempotencyKey": f"count-{uuid.uuid4()}"}}

    def member() -> dict[str, Any]:
        return {"input": {"familyId": family, "userId": next(newcomers)[0], "contact": {"agencyRole": "b"}}}

    def minutes() -> dict[str, Any]:
        current["meeting"] = next(meetings)
        item = {"meetingId": current["meeting"], "expectedVersion": 1, "heading": "Review", "text": "Plan reviewed."}
        return {"input": item}

    def decision() -> dict[str, Any]:
        return {"input": {"meetingId": current["meeting"], "text": "Keep the plan"}}

    def publish() -> dict[str, Any]:
        return {"input": {"meetingId": current["meeting"], "expectedVersion": 2}}

    return [
        ("ContributionAdd", "ContributionAdd", contribution),
        ("TeamMemberAdd (the notification burst's mutation)", "TeamMemberAdd", member),
        ("MinutesItemAdd", "MinutesItemAdd", minutes),
        ("MeetingDecisionAdd", "MeetingDecisionAdd", decision),
        ("MinutesPublish", "MinutesPublish", publish),
    ]


def _items(payload: dict[str, Any]) -> int | None:
    data = payload.get("data") or {}
    family = data.get("family") or {}
    if "contributions" in family:
        return len(family["contributions"]["nodes"])
    if "chronology" in family:
        return len(family["chronology"])
    if "families" in data:
        return len(data["families"]["nodes"])
    return None


# ---------------------------------------------------------------------------------------------------------
# 3. Servers under uvicorn, as in production


@asynccontextmanager
async def uvicorn_server(factory: str, workers: int, env: dict[str, str]) -> AsyncIterator[int]:
    port = free_port()
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--log-level", "warning", "--no-access-log",
        cwd=REPO_ROOT, env={**os.environ, **env},
    )  # fmt: skip
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            for _ in range(600):
                if child.returncode is not None:
                    raise RuntimeError(f"{factory} exited with {child.returncode}")
                try:
                    await client.post(f"http://127.0.0.1:{port}/", content=b"")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
        await asyncio.sleep(0.5 * workers)  # every worker up
        yield port
    finally:
        child.terminate()
        try:
            await asyncio.wait_for(child.wait(), timeout=20)
        except TimeoutError:
            child.kill()
            await child.wait()


async def measure(
    url: str, meta: dict[str, Any], tokens: dict[str, str], args: argparse.Namespace, scenarios: list[str]
) -> list[dict[str, Any]]:
    points: list[dict[str, Any]] = []
    plan = Scenarios(meta, tokens)
    for workers in args.workers:
        app_env = {"BENCH_SERVE_URL": url}
        base_env = {"BENCH_BASELINE_DSN": asyncpg_dsn(url)}
        async with (
            uvicorn_server("bench.serve:app", workers, app_env) as app_port,
            uvicorn_server("bench.baseline:app", workers, base_env) as base_port,
        ):
            for scenario in scenarios:
                if workers != args.workers[0] and scenario not in ("family_page", "caseload"):
                    continue  # the worker comparison is on the read paths
                for concurrency in args.concurrency:
                    row: dict[str, Any] = {"scenario": scenario, "workers": workers, "concurrency": concurrency}
                    for side, port, baseline in (("app", app_port, False), ("baseline", base_port, True)):
                        iteration = plan.iteration(scenario, baseline)
                        if iteration is None:
                            row[side] = None
                            continue
                        result = await run_load(
                            "127.0.0.1", port, iteration, concurrency=concurrency, duration=args.duration
                        )
                        row[side] = result.summary()
                    if row["baseline"]:
                        row["throughput_ratio"] = round(
                            row["app"]["throughput_per_s"] / max(row["baseline"]["throughput_per_s"], 1e-9), 3
                        )
                    say(
                        f"{scenario} w={workers} c={concurrency}: app {row['app']['throughput_per_s']}/s "
                        f"p99 {row['app']['p99_ms']} ms (errors {row['app']['errors']})"
                        + (
                            f"; baseline {row['baseline']['throughput_per_s']}/s p99 {row['baseline']['p99_ms']} ms"
                            if row["baseline"]
                            else ""
                        )
                    )
                    points.append(row)
    return points


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
    async with uvicorn_server("bench.serve:app", args.workers[-1], {"BENCH_SERVE_URL": url}) as port:
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
# Output


def write(results: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    (out / "bench.md").write_text(markdown(results))
    chart(results, out / "bench-latency.png")


def chart(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    workers = results["args"]["workers"][0]  # every scenario runs with the first worker count
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for scenario in SCENARIOS:
        rows = [r for r in results["points"] if r["scenario"] == scenario and r["workers"] == workers]
        if not rows:
            continue
        xs = [r["concurrency"] for r in rows]
        (line,) = axes[0].plot(xs, [r["app"]["p99_ms"] for r in rows], marker="o", label=f"{scenario}")
        axes[1].plot(xs, [r["app"]["p50_ms"] for r in rows], marker="o", color=line.get_color(), label=f"{scenario}")
        if rows[0]["baseline"]:
            axes[0].plot(
                xs,
                [r["baseline"]["p99_ms"] for r in rows],
                marker="x",
                ls="--",
                color=line.get_color(),
                label=f"{scenario} baseline",
            )
            axes[1].plot(xs, [r["baseline"]["p50_ms"] for r in rows], marker="x", ls="--", color=line.get_color())
    for ax, name in zip(axes, ("p99", "p50"), strict=True):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("concurrent clients")
        ax.set_ylabel(f"{name} latency per iteration (ms)")
        ax.set_xticks(results["args"]["concurrency"], [str(c) for c in results["args"]["concurrency"]])
        ax.grid(True, which="both", alpha=0.3)
    axes[0].axhline(50, color="grey", lw=0.8)
    axes[0].legend(fontsize=7)
    fig.suptitle(f"TAF latency vs concurrency ({workers} uvicorn workers; dashed: asyncpg+json baseline)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def markdown(r: dict[str, Any]) -> str:
    m = r["meta"]
    lines = [
        "# TAF benchmark suite (`make bench`)",
        "",
        f"Generated by bench/suite.py on {r['finished_at']}; {r['machine']['cpus']} CPUs"
        f" ({r['machine'].get('cpu_model', '')}), Python {r['machine']['python']}. Total {r['total_seconds']} s.",
        "",
        f"**Load average** (1/5/15 min; the 2-core machine is shared with other engineers' test suites): start"
        f" {r['load']['start']}, end {r['load']['end']}; each point below also records the 1-min load before/after.",
        "",
        f"Data set `{r['database']}`: {m['plan']['families']:,} families, {m['plan']['users']:,} users,"
        f" {m['plan']['contributions']:,} contributions, {m['plan']['consents']:,} consents,"
        f" {m['plan']['meetings']:,} meetings, plan goals/actions, assessments, reviews with outcome scores;"
        f" {m.get('database_size')}; generated with COPY in {m.get('generate_seconds')} s"
        f"{' (reused)' if m.get('reused') else ''}. Rows: "
        + ", ".join(f"{k} {v:,}" for k, v in m.get("rows", {}).items())
        + ".",
        "",
        "An *iteration* is what one user action sends: family page = the 5 queries the web front end sends"
        " for a team member (Family, FamilyContributions first: 100, FamilyConsents, FamilySafeguarding,"
        " FamilyChronology first: 100) one after another on one keep-alive connection, on the 200-item family;"
        " caseload = Caseload first: 20; contribution_add = ContributionAdd; meeting = MinutesItemAdd,"
        " MeetingDecisionAdd, MinutesPublish on a meeting that has started; outcomes = CaseloadOutcomes over two"
        " years. Baseline: the same data with hand-written asyncpg queries + json (bench/baseline.py),"
        " served by uvicorn the same way.",
        "",
        "## Goal: family page >= 50% of baseline throughput, p99 < 50 ms at 32 clients",
        "",
    ]
    goal = [p for p in r["points"] if p["scenario"] == "family_page" and p["concurrency"] == 32]
    for p in goal:
        met = p["throughput_ratio"] >= 0.5 and p["app"]["p99_ms"] < 50
        lines.append(
            f"- {p['workers']} worker(s): {p['throughput_ratio'] * 100:.0f}% of baseline throughput"
            f" ({p['app']['throughput_per_s']} vs {p['baseline']['throughput_per_s']} pages/s),"
            f" p99 {p['app']['p99_ms']} ms"
            f" per page ({p['app']['p99_ms'] / 5:.1f} ms per request on average): **{'met' if met else 'not met'}**"
        )
    lines += [
        "",
        "## Throughput and latency per scenario",
        "",
        "| scenario | workers | clients | app it/s | app p50 | p95 | p99 ms"
        " | baseline it/s | p50 | p95 | p99 ms | ratio | errors | load 1m |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for p in r["points"]:
        a, b = p["app"], p["baseline"]
        base = f"{b['throughput_per_s']} | {b['p50_ms']} | {b['p95_ms']} | {b['p99_ms']}" if b else "n/a | | |"
        ratio = f"{p['throughput_ratio']:.2f}" if b else "n/a"
        lines.append(
            f"| {p['scenario']} | {p['workers']} | {p['concurrency']} | {a['throughput_per_s']} | {a['p50_ms']}"
            f" | {a['p95_ms']}"
            f" | {a['p99_ms']} | {base} | {ratio} | {a['errors']} | {a['loadavg_1min'][0]}-{a['loadavg_1min'][1]} |"
        )
    lines += [
        "",
        "![latency vs concurrency](bench-latency.png)",
        "",
        "## SQL statements per request (counted on the app's engine, after warm-up)",
        "",
        "| request | items returned | statements |",
        "|---|---:|---:|",
    ]
    for label, c in r["statements"].items():
        lines.append(f"| {label} | {c['items'] if c['items'] is not None else ''} | {c['statements']} |")
    if r.get("growth"):
        lines += [
            "",
            "## Growth: the same scenarios on a database 10 times smaller",
            "",
            "Same seed, the same actor and 200-item family, the same caseload size (users scale with families);"
            " only the rest of the database differs in size. Measured with the last --workers value.",
            "",
        ]
        g = r["growth"]
        lines += [
            "| database | families | contributions | size | family page c=1 p50 | c=8 p50 | caseload c=1 p50"
            " | c=8 p50 | statements (contributions 100 / caseload 100) |",
            "|---|---:|---:|---|---:|---:|---:|---:|---|",
        ]
        for name, point in g.items():
            lat = {(x["scenario"], x["concurrency"]): x["app"]["p50_ms"] for x in point["latency"]}
            lines.append(
                f"| {name} | {point['families']:,} | {point['contributions']:,} | {point['database_size']}"
                f" | {lat.get(('family_page', 1))} | {lat.get(('family_page', 8))} | {lat.get(('caseload', 1))}"
                f" | {lat.get(('caseload', 8))} | {point['counts']['FamilyContributions first 100']['statements']}"
                f" / {point['counts']['Caseload first 100']['statements']} |"
            )
        lines += ["", "EXPLAIN (ANALYZE) of every SELECT the app sent (execution ms; seq scans on big tables):", ""]
        for name, point in g.items():
            for label, plans in point["plans"].items():
                summary = "; ".join(
                    f"{p['label']} {p['execution_ms']} ms"
                    + (f" SEQ {','.join(p['seq_scans_on_big_tables'])}" if p["seq_scans_on_big_tables"] else "")
                    for p in plans
                )
                lines.append(f"- {name}, {label}: {summary}")
    for section in r.get("notes", []):
        lines += ["", section]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> dict[str, Any]:
    load_start = loadavg()
    handle = None
    server = database_url_from(os.environ)
    if server is None:
        from server.db.embedded import start_embedded

        say("DATABASE_URL is unset: the embedded PostgreSQL in .data/bench-pg")
        server, handle = start_embedded(REPO_ROOT / ".data", name="bench-pg")
    try:
        url, meta = await prepare(server, args.database, SuitePlan.at(args.scale), args.seed, args.reuse)
        small_name, small_plan = f"{args.database}_small", SuitePlan.at(args.scale / max(args.growth, 1))
        if args.prepare_only:
            if args.growth:
                await prepare(server, small_name, small_plan, args.seed, args.reuse)
            raise SystemExit(0)
        tokens = await tokens_for(url, meta)
        await add_meeting_pool(url, meta, 20_000 if args.duration >= 1 else 2_000)
        say("statements per request")
        counted = await statement_counts(url, meta, tokens)
        say("load: app and baseline under uvicorn")
        points = await measure(url, meta, tokens, args, args.scenarios)
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
        "points": points,
        "growth": growth,
        "notes": [],
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "total_seconds": round(time.perf_counter() - STARTED, 1),
    }


async def tokens_for(url: str, meta: dict[str, Any]) -> dict[str, str]:
    actor, writer = uuid.UUID(meta["actor_user_id"]), uuid.UUID(meta["writer_user_id"])
    minted = await mint_tokens(url, [actor, writer])
    return {"actor": minted[actor], "writer": minted[writer]}


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
