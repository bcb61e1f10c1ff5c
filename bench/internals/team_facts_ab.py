"""Time the team facts statement (server/access/facts.py `_TEAM_FACTS_SQL`) on the writer family of a `make
bench` database: the statement as sent, fetched and decoded by asyncpg, and EXPLAIN ANALYZE's execution time,
alternating with another version's text (--other FILE, the statement text as `--dump` writes it) so that
both see the same load.

    .venv/bin/python -m bench.internals.team_facts_ab --rounds 30 [--other /tmp/old.sql] [--dump FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import time
import uuid
from datetime import timedelta
from pathlib import Path

import asyncpg

from bench.database import dsn, on, postgres, recorded
from server.access.facts import _TEAM_FACTS_SQL

_PARAMETER = re.compile(r"(?<![:\w]):(family_ids|closed_read_period)\b")
_CASTS = {"family_ids": "$1::uuid[]", "closed_read_period": "$2::interval"}


def as_sent(text: str) -> str:
    return _PARAMETER.sub(lambda match: _CASTS[match.group(1)], text)


async def _time(connection: asyncpg.Connection, sql: str, family: uuid.UUID) -> tuple[float, float, int]:
    started = time.perf_counter()
    rows = await connection.fetch(sql, [family], timedelta(days=90))
    wall = (time.perf_counter() - started) * 1000
    plan = await connection.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", [family], timedelta(days=90))
    size = sum(len(str(value)) for row in rows for value in row)
    return wall, float(json.loads(plan)[0]["Execution Time"]), size


async def run(args: argparse.Namespace, versions: dict[str, str]) -> None:
    server, _ = postgres()
    url = on(server, args.database)
    meta = await recorded(server, args.database)
    family = uuid.UUID(meta["writer_family_id"])
    connection = await asyncpg.connect(dsn(url))
    try:
        found = {name: await connection.fetch(sql, [family], timedelta(days=90)) for name, sql in versions.items()}
        print({name: len(rows) for name, rows in found.items()})
        timings: dict[str, list] = {name: [] for name in versions}
        for _ in range(args.rounds):
            for name, sql in versions.items():
                timings[name].append(await _time(connection, sql, family))
        for name, seen in timings.items():
            walls, executions = [w for w, _, _ in seen], [e for _, e, _ in seen]
            print(
                f"{name}: fetched {statistics.median(walls):.1f} ms median (min {min(walls):.1f}),"
                f" executed {statistics.median(executions):.1f} ms median (min {min(executions):.1f}),"
                f" ~{seen[0][2] / 1000:.0f} kB as text"
            )
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="taf_suite")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--other", help="another version's statement, as --dump wrote it")
    parser.add_argument("--dump", help="write this version's statement as sent to this file, and stop")
    args = parser.parse_args()
    ours = as_sent(_TEAM_FACTS_SQL.text)
    if args.dump:
        Path(args.dump).write_text(ours)
        return
    versions = {"this": ours}
    if args.other:
        versions["other"] = Path(args.other).read_text()
    asyncio.run(run(args, versions))


if __name__ == "__main__":
    main()
