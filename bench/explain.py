"""EXPLAIN (ANALYZE, BUFFERS) of the statements the app sent (bench/wire.py), each with its text and the
values it was sent with, in a transaction that is rolled back; and a short name for each by what it reads."""

from __future__ import annotations

import itertools
import re
import struct
from collections.abc import AsyncIterator
from typing import Any

import asyncpg

from bench.database import dsn
from bench.wire import Statement

_tables = itertools.count()
COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
INDEX_NODE = re.compile(
    r"(?P<node>Bitmap Index Scan on|Index Scan(?: Backward)? using|Index Only Scan(?: Backward)? using)"
    r" (?P<index>\w+)(?: on (?P<table>\w+))?.*actual time=[\d.]+\.\.(?P<ms>[\d.]+) rows=(?P<rows>[\d.]+)"
    r" loops=(?P<loops>\d+)"
)


def label(sql: str) -> str:
    text = " ".join(sql.split())
    if text.startswith("INSERT INTO audit_event"):
        return "audit_event insert (reads of other agencies' items)"
    if "FROM session_token" in text:
        return "authenticate (session_token + app_user)"
    if text.startswith("WITH") and "json_build_object" in text and "FROM contribution" in text:
        return "contributions: compiled (page, count and JSON in one statement)"
    if "FROM family f" in text and "team_membership" in text:
        return "facts (the family's team, consents and overrides)"
    if "FROM contribution" in text and "count(" in text:
        return "contributions: totalCount"
    if "FROM contribution" in text:
        return "contributions: page"
    if "FROM agency" in text:
        return "loader: agency_by_id"
    if "FROM app_user" in text:
        return "loader: user_by_id"
    if "FROM family_member" in text:
        return "loader: members_by_family_id"
    if "FROM family" in text:
        return "family row"
    return text[:60]


async def arguments(connection: asyncpg.Connection, statement: Statement) -> list[Any]:
    """The statement's parameter values as Python values. PostgreSQL decodes them itself: binary ones
    through a one-row binary COPY into a temporary table of the parameters' types (COPY's binary format is
    Bind's), text ones by a cast."""
    types = statement.parameter_types
    names = dict(await connection.fetch("SELECT oid, format_type(oid, NULL) FROM pg_type WHERE oid = ANY($1)", types))
    binary = [i for i, value in enumerate(statement.values) if value is not None and statement.formats[i] == 1]
    decoded: dict[int, Any] = {}
    if binary:
        columns = ", ".join(f"p{i} {names[types[i]]}" for i in binary)
        table = f"bench_arguments_{next(_tables)}"  # a new name each time: asyncpg caches statements by their text
        async with connection.transaction():
            await connection.execute(f"CREATE TEMPORARY TABLE {table} ({columns}) ON COMMIT DROP")
            await connection.copy_to_table(table, source=_row(statement, binary), format="binary")
            row = await connection.fetchrow(f"SELECT * FROM {table}")
        decoded = {i: row[f"p{i}"] for i in binary}
    values = []
    for i, value in enumerate(statement.values):
        if value is None or i in decoded:
            values.append(decoded.get(i))
        else:
            values.append(await connection.fetchval(f"SELECT $1::text::{names[types[i]]}", value.decode()))
    return values


async def _row(statement: Statement, binary: list[int]) -> AsyncIterator[bytes]:
    fields = b"".join(struct.pack("!i", len(statement.values[i])) + statement.values[i] for i in binary)  # type: ignore[arg-type]
    yield COPY_HEADER + struct.pack("!h", len(binary)) + fields + struct.pack("!h", -1)


def is_read(sql: str) -> bool:
    """A SELECT, or a WITH that writes nothing (a compiled read): EXPLAIN ANALYZE runs what it explains."""
    text = sql.lstrip().upper()
    return text.startswith("SELECT") or (text.startswith("WITH") and not _WRITES.search(text))


_WRITES = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b")


async def explain_all(url: str, statements: list[Statement], watched: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Each SELECT's plan (a read that starts with a WITH too: a compiled read), with the scans it made;
    sequential scans on `watched` tables are listed apart."""
    plans = []
    connection = await asyncpg.connect(dsn(url))
    try:
        for statement in statements:
            if not is_read(statement.sql):
                continue
            values = await arguments(connection, statement)
            transaction = connection.transaction()
            await transaction.start()
            try:
                rows = await connection.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {statement.sql}", *values)
            finally:
                await transaction.rollback()
            plan = [row[0] for row in rows]
            seq_scans = sorted(set(re.findall(r"Seq Scan on (\w+)", "\n".join(plan))))
            scans = r"(?:Index|Index Only|Bitmap Index) Scan (?:Backward )?(?:using|on) (\w+)"
            sizes = await connection.fetch(
                "SELECT relname, reltuples::bigint AS rows FROM pg_class WHERE relname = ANY($1::text[])", seq_scans
            )
            plans.append(
                {
                    "label": label(statement.sql),
                    "sql": " ".join(statement.sql.split())[:4000],
                    "plan": plan,
                    "key_lines": [line.rstrip() for line in plan if any(word in line for word in KEY_WORDS)],
                    "root_buffers": next((line.strip() for line in plan if "Buffers:" in line), ""),
                    "seq_scans": seq_scans,
                    "seq_scans_on_watched_tables": [table for table in seq_scans if table in watched],
                    "seq_scan_table_rows": {row["relname"]: row["rows"] for row in sizes},
                    "indexes_used": sorted(set(re.findall(scans, "\n".join(plan)))),
                    "wide_index_reads": wide_index_reads(plan),
                    "execution_ms": plan_time(plan, "Execution Time"),
                    "planning_ms": plan_time(plan, "Planning Time"),
                }
            )
    finally:
        await connection.close()
    return plans


KEY_WORDS = ("Scan", "Sort", "Execution Time", "Planning Time", "SubPlan")


def wide_index_reads(plan: list[str], threshold: int = 1000) -> list[dict[str, Any]]:
    """Index scans that read `threshold` entries or more to answer a question about one family."""
    found = []
    for line in plan:
        match = INDEX_NODE.search(line)
        if match and float(match["rows"]) * int(match["loops"]) >= threshold:
            found.append(
                {
                    "index": match["index"],
                    "entries_read": round(float(match["rows"]) * int(match["loops"])),
                    "ms": float(match["ms"]),
                    "line": line.strip(),
                }
            )
    return found


def plan_time(plan: list[str], name: str) -> float | None:
    for line in plan:
        if name in line:
            return float(re.findall(r"([\d.]+) ms", line)[0])
    return None
