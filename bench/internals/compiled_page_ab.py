"""Time the compiled FamilyContributionsPage statement (server/contribution/compiled_api.py `statement`) on the
bench's actor and 200-item family of a `make bench` database: PostgreSQL's time on a core per run (the
backend's user + system CPU, /proc) and EXPLAIN ANALYZE's execution time, alternating with another version's
text (--other FILE, as `--dump` writes it) so that both see the same load, and checking that both answer alike.

    .venv/bin/python -m bench.internals.compiled_page_ab --rounds 6 --runs 150 [--other /tmp/old.json] [--dump F]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.dialects import postgresql

from bench.database import ROOT, dsn, on, postgres, recorded
from server.access.actor import Actor
from server.access.enforcer import build_enforcer
from server.access.pep import StatementPolicy
from server.contribution.compiled_api import PAGE, statement
from server.db.prepared import Prepared

_TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def _dump(role: str) -> dict[str, Any]:
    """This tree's statement for a staff actor of `role`, as sent: its text, parameter names and constants."""
    actor = Actor(uuid.uuid4(), "", "staff", role, uuid.uuid4(), None)
    policy = StatementPolicy(build_enforcer(ROOT / "policies"), actor)
    ready = Prepared(statement(policy, PAGE), postgresql.asyncpg.dialect())
    return {"sql": ready.sql, "names": list(ready.names), "constants": ready.constants}


def _on_core(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * _TICK_MS


async def _time(connection: asyncpg.Connection, version: dict[str, Any], values: tuple, runs: int) -> float:
    pid = connection.get_server_pid()
    started = _on_core(pid)
    for _ in range(runs):
        await connection.fetchrow(version["sql"], *values)
    return (_on_core(pid) - started) / runs


async def run(args: argparse.Namespace, versions: dict[str, dict[str, Any]]) -> None:
    server, _ = postgres()
    url = on(server, args.database)
    meta = await recorded(server, args.database)
    connection = await asyncpg.connect(dsn(url))
    try:
        user = uuid.UUID(meta["actor_user_id"])
        member = await connection.fetchval("SELECT family_member_id FROM app_user WHERE id = $1", user)
        given = {
            "family_id": uuid.UUID(meta["family_a_id"]),
            "user_id": user,
            "agency_id": uuid.UUID(meta["actor_agency_id"]),
            "member_id": member,
            "closed_read_period": timedelta(days=90),
            "first": 100,
        }
        sent = {name: tuple({**v["constants"], **given}[n] for n in v["names"]) for name, v in versions.items()}
        answers = {name: await connection.fetchrow(v["sql"], *sent[name]) for name, v in versions.items()}
        print("same answer:", len({json.dumps(list(a), default=str) for a in answers.values()}) == 1)
        cpu: dict[str, list[float]] = {name: [] for name in versions}
        executed: dict[str, list[float]] = {name: [] for name in versions}
        for _ in range(args.rounds):
            for name, version in versions.items():
                cpu[name].append(await _time(connection, version, sent[name], args.runs))
                plan = await connection.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {version['sql']}", *sent[name])
                executed[name].append(float(json.loads(plan)[0]["Execution Time"]))
        for name in versions:
            print(
                f"{name}: on a core {statistics.median(cpu[name]):.3f} ms/run median"
                f" (min {min(cpu[name]):.3f}), executed {statistics.median(executed[name]):.3f} ms median"
                f" (min {min(executed[name]):.3f}), {time.strftime('%H:%M:%S')}, load {os.getloadavg()[0]:.2f}"
            )
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="taf_suite")
    parser.add_argument("--role", default="practitioner")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--runs", type=int, default=150)
    parser.add_argument("--other", help="another version's statement, as --dump wrote it")
    parser.add_argument("--dump", help="write this version's statement to this file, and stop")
    args = parser.parse_args()
    ours = _dump(args.role)
    if args.dump:
        Path(args.dump).write_text(json.dumps(ours, default=str))
        return
    versions = {"this": ours}
    if args.other:
        versions["other"] = json.loads(Path(args.other).read_text())
    asyncio.run(run(args, versions))


if __name__ == "__main__":
    main()
