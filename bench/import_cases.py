"""Issue 20's speed goal: importing historic cases (docs/IMPORT.md) at 500 families a second or more, with
the server's memory flat. Through the public API: an administrator sends `caseImport` files of
--per-file families (each its own transaction) to the app in its own process (bench/servers.py); the
families have members, a two-person team, an entry and an exit assessment with five ratings each, two
services received (intensive family support for weeks, and a family group conference), and for one in
three a step down, half of them closed.

    .venv/bin/python -m bench.import_cases                       # 10,000 families in ten files of 1,000
    .venv/bin/python -m bench.import_cases --families 2000 --per-file 500

The figures: families written per second of the real runs (the dry runs are timed apart), the server's
resident memory after each file, and the load average (the machine is shared). Memory counts as flat when
no file of the second half takes the server's memory more than `FLAT_MARGIN` above the highest it reached
over the first half (the first files grow the process to its working size: caches, the allocator's pools).
The exit status is 0 only when both goals are met. Results are printed and written to
bench/results/import.md."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from bench.api import graphql_body
from bench.data.sessions import mint_tokens
from bench.database import ROOT, dsn, migrate, postgres, recreate
from bench.servers import app_environment, uvicorn_server

RESULTS = ROOT / "bench" / "results" / "import.md"
GOAL_PER_SECOND = 500
FLAT_MARGIN = 0.10
FAMILY_FACTORS = ("family_debt", "family_violence", "housing_tenure", "family_relationships")


async def staff(url: str, leads: int) -> tuple[str, list[str], str]:
    """An agency, its lead practitioners, a school worker and an administrator, written as data; the
    administrator's bearer token."""
    connection = await asyncpg.connect(dsn(url))
    now = datetime.now(UTC)
    try:
        agencies = [
            (uuid.uuid4(), f"Bench {kind} {uuid.uuid4().hex[:6]}", kind, False, now)
            for kind in ("early_help", "education")
        ]
        await connection.copy_records_to_table(
            "agency", records=agencies, columns=["id", "name", "kind", "sso_only", "created_at"]
        )
        users = []
        for n in range(leads):
            users.append(
                (
                    uuid.uuid4(),
                    f"lead{n}@bench.example",
                    f"Lead {n}",
                    "staff",
                    "practitioner",
                    agencies[0][0],
                    True,
                    now,
                )
            )
        users.append(
            (uuid.uuid4(), "school@bench.example", "School worker", "staff", "practitioner", agencies[1][0], True, now)
        )
        users.append(
            (uuid.uuid4(), "admin@bench.example", "Administrator", "staff", "admin", agencies[0][0], True, now)
        )
        columns = ["id", "email", "display_name", "kind", "role", "agency_id", "is_active", "created_at"]
        await connection.copy_records_to_table("app_user", records=users, columns=columns)
    finally:
        await connection.close()
    tokens = await mint_tokens(dsn(url), [users[-1][0]])
    return tokens[users[-1][0]], [user[1] for user in users[:leads]], "school@bench.example"


def family(rng: random.Random, n: int, leads: list[str], school: str) -> dict[str, Any]:
    opened = date(2021, 1, 4) + timedelta(days=rng.randrange(900))
    entry_on, exit_on = opened + timedelta(days=14), opened + timedelta(days=200)
    entry = [{"factor": factor, "rating": rng.choice(["low", "medium", "high"])} for factor in FAMILY_FACTORS]
    exit_ = [{"factor": r["factor"], "rating": rng.choice(["no_longer_a_risk", "low"])} for r in entry]
    entry.append({"factor": "school_attendance", "rating": "medium", "member": "child"})
    exit_.append({"factor": "school_attendance", "rating": "low", "member": "child"})
    value: dict[str, Any] = {
        "sourceReference": f"OLD-{n:06d}",
        "displayName": f"Family {n}",
        "levelOfNeed": "specialist",
        "openedOn": opened.isoformat(),
        "members": [
            {"key": "parent", "fullName": f"Parent {n}", "relationship": "mother", "dateOfBirth": "1988-05-01"},
            {
                "key": "child",
                "fullName": f"Child {n}",
                "relationship": "son",
                "dateOfBirth": "2014-09-09",
                "isSubjectChild": True,
            },
        ],
        "team": [
            {"email": leads[n % len(leads)], "role": "lead_professional", "agencyRole": "Family support worker"},
            {"email": school, "role": "contributor", "agencyRole": "Attendance mentor"},
        ],
        "assessments": [
            {
                "stage": "entry",
                "assessedOn": entry_on.isoformat(),
                "levelOfNeed": "specialist",
                "ratings": entry,
                "strengths": "Warm relationships",
            },
            {"stage": "exit", "assessedOn": exit_on.isoformat(), "levelOfNeed": "targeted", "ratings": exit_},
        ],
    }
    weeks = 4 + rng.randrange(20)
    value["services"] = [
        {"service": "intensive_family_support", "startedOn": entry_on.isoformat(),
         "endedOn": (entry_on + timedelta(weeks=weeks)).isoformat(), "quantity": weeks},
        {"service": "family_group_conference", "startedOn": (entry_on + timedelta(days=20)).isoformat(), "quantity": 1},
    ]  # fmt: skip
    if n % 3 == 0:
        step = {"kind": "step_down", "effectiveOn": (opened + timedelta(days=150)).isoformat(), "reason": "Progress"}
        value["transitions"] = [step | {"receivingTeam": "School pastoral team", "levelOfNeed": "targeted"}]
    if n % 2 == 0:
        value["closedOn"] = (opened + timedelta(days=210)).isoformat()
        value["closure"] = {"outcome": "goals_achieved", "careOutcome": "remained_at_home", "reason": "Goals met",
                            "supportContinuing": "School", "contactIfDifficulties": "Early Help Hub"}  # fmt: skip
    return value


def files(total: int, per_file: int, leads: list[str], school: str, seed: int) -> list[str]:
    rng = random.Random(seed)
    made = []
    for start in range(0, total, per_file):
        families = [family(rng, n, leads, school) for n in range(start, min(total, start + per_file))]
        made.append(json.dumps({"format": "taf-import/1", "families": families}))
    return made


async def send(client: httpx.AsyncClient, token: str, content: str, dry_run: bool) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    response = await client.post(
        "/graphql",
        content=graphql_body("CaseImport", {"input": {"content": content, "dryRun": dry_run}}),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    took = time.perf_counter() - started
    body = response.json()
    if response.status_code != 200 or "errors" in body:
        raise RuntimeError(f"caseImport failed: {response.status_code} {str(body)[:800]}")
    return body["data"]["caseImport"], took


def loadavg() -> str:
    with open("/proc/loadavg") as handle:
        return " ".join(handle.read().split()[:3])


async def run(args: argparse.Namespace) -> dict[str, Any]:
    server, _embedded = postgres()
    url = await recreate(server, args.database)
    await migrate(url)
    token, leads, school = await staff(url, args.leads)
    contents = files(args.families, args.per_file, leads, school, args.seed)
    largest = max(len(content.encode()) for content in contents)
    # The body carries the file as a JSON string (quotes escaped): room for twice its size.
    env = app_environment(url) | {"TAF_IMPORT_MAX_BYTES": str(largest), "TAF_MAX_BODY_BYTES": str(2 * largest + 10**5)}
    rows: list[dict[str, Any]] = []
    async with (
        uvicorn_server("bench.serve:app", 1, env) as (port, process),
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=600) as client,
    ):
        await asyncio.sleep(1)
        baseline_rss = process.memory_info().rss
        for number, content in enumerate(contents, 1):
            checked, dry_seconds = await send(client, token, content, dry_run=True)
            assert checked["problemCount"] == 0, checked["problems"][:5]
            written, seconds = await send(client, token, content, dry_run=False)
            rows.append(
                {
                    "file": number,
                    "bytes": len(content.encode()),
                    "families": written["families"],
                    "assessments": written["assessments"],
                    "ratings": written["ratings"],
                    "transitions": written["transitions"],
                    "services": written["servicesReceived"],
                    "dry_run_s": round(dry_seconds, 3),
                    "import_s": round(seconds, 3),
                    "rss_mb": round(process.memory_info().rss / 2**20, 1),
                    "loadavg": loadavg(),
                }
            )
            print(
                f"file {number}: {written['families']} families, dry run {dry_seconds:.2f} s, import {seconds:.2f}"
                f" s ({written['families'] / seconds:.0f}/s), server RSS {rows[-1]['rss_mb']} MB, load {loadavg()}",
                flush=True,
            )
    families = sum(row["families"] for row in rows)
    seconds = sum(row["import_s"] for row in rows)
    rss = [row["rss_mb"] for row in rows]
    return {
        "families": families,
        "per_file": args.per_file,
        "import_seconds": round(seconds, 2),
        "families_per_second": round(families / seconds),
        "with_dry_runs_per_second": round(families / (seconds + sum(row["dry_run_s"] for row in rows))),
        "baseline_rss_mb": round(baseline_rss / 2**20, 1),
        "rss_mb": rss,
        "memory_flat": memory_flat(rss),
        "rows": rows,
        "loadavg_end": loadavg(),
        "cpus": os.cpu_count(),
    }


def memory_flat(rss: list[float]) -> bool:
    """No file of the second half raises the server's memory more than FLAT_MARGIN above the first half's peak."""
    half = len(rss) // 2
    if half == 0:
        return True
    return max(rss[half:]) <= max(rss[:half]) * (1 + FLAT_MARGIN)


def goals_met(result: dict[str, Any]) -> bool:
    return result["families_per_second"] >= GOAL_PER_SECOND and result["memory_flat"]


def report(result: dict[str, Any]) -> str:
    goal = "met" if result["families_per_second"] >= GOAL_PER_SECOND else "NOT met"
    lines = [
        "# Importing historic cases (issue 20)",
        "",
        f"{result['families']:,} families in files of {result['per_file']:,} through `caseImport` (each file"
        " checked by a dry run first, then imported in one transaction), the app in one uvicorn worker on"
        f" {result['cpus']} shared cores.",
        "",
        f"- **{result['families_per_second']:,} families a second** imported (goal {GOAL_PER_SECOND}: {goal});"
        f" {result['with_dry_runs_per_second']:,} a second counting each file's dry run too.",
        f"- Server memory (RSS) {result['baseline_rss_mb']} MB before, then after each file: {result['rss_mb']} MB:"
        f" {'flat' if result['memory_flat'] else 'NOT flat'} (no file of the second half more than"
        f" {FLAT_MARGIN:.0%} above the first half's peak).",
        f"- Load average at the end: {result['loadavg_end']}.",
        "",
        "| file | families | assessments | ratings | transitions | services | dry run s | import s | RSS MB | load |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in result["rows"]:
        lines.append(
            f"| {row['file']} | {row['families']} | {row['assessments']} | {row['ratings']} | {row['transitions']} |"
            f" {row['services']} |"
            f" {row['dry_run_s']} | {row['import_s']} | {row['rss_mb']} | {row['loadavg']} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=10_000)
    parser.add_argument("--per-file", type=int, default=1_000)
    parser.add_argument("--leads", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--database", default="taf_import_bench")
    parser.add_argument("--no-write", action="store_true", help="print only; keep bench/results/import.md")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args))
    text = report(result)
    print(text)
    if not args.no_write:
        RESULTS.write_text(text)
    return 0 if goals_met(result) else 1


if __name__ == "__main__":
    raise SystemExit(main())
