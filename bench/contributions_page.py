"""`make bench`'s contributions_page: one page served three ways in the same run, one worker each.

The page is a family's header and its latest 100 contributions with agency and author names (issue 15's
comparison), for the bench's actor and 200-item family:
- the app, consent enforced: FamilyContributionsPage (graphql/operations/family_contributions_page.graphql),
  sent by hash as the web front end sends its documents;
- the baseline (bench/baseline.py): the bearer token checked, then one SQL statement returning the JSON;
- PostGraphile 5 (bench/postgraphile/: package.json and package-lock.json pin it, with the Node 22 it needs
  from the npm `node` package), the GraphQL-over-PostgreSQL server a team might pick instead, with the
  amber preset over the public schema: **no policy and no sign-in**, it answers every row the database user
  may read, so it returns all 100 latest items where the app returns the latest 100 the actor may see.

Each point reports, per server, iterations a second, p50/p95/p99, the server process's CPU per request (its
user + system CPU time over the load, warm-up included, divided by the requests it answered) and PostgreSQL's
(the time on a core of the database's client backends over the same load, divided by the same requests: the
servers are loaded one after another, so the other servers' pooled backends are idle meanwhile).

`python -m bench.contributions_page excerpt` rewrites bench/postgraphile/schema-excerpt.graphql (the part of
PostGraphile's schema that the page's query reads) from the bench database, for
tests/bench/test_contributions_page.py, which checks the query without Node.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psutil
from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLScalarType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    build_schema,
    get_named_type,
    parse,
    print_type,
    visit,
)
from graphql.utilities.print_schema import print_args, print_description

from bench.api import graphql_body
from bench.area_report import backends, on_core
from bench.database import ROOT
from bench.loadgen import Connection, run_load
from bench.report import say
from bench.servers import free_port
from bench.suite_scenarios import Scenarios

SCENARIO = "contributions_page"
OPERATION = "FamilyContributionsPage"
FIRST = 100
POSTGRAPHILE = ROOT / "bench" / "postgraphile"
QUERY = (POSTGRAPHILE / "contributions_page.graphql").read_text()
EXCERPT = POSTGRAPHILE / "schema-excerpt.graphql"
READY_SECONDS = 180  # PostGraphile introspects the whole database before it listens
SIDES = ("app", "baseline", "postgraphile")


# ---------------------------------------------------------------------------------------------------------
# PostGraphile: installed on demand, run as a process of its own


def install() -> None:
    """`npm ci` in bench/postgraphile, once per change of its package-lock.json (as tests/oidc is)."""
    want = hashlib.sha256((POSTGRAPHILE / "package-lock.json").read_bytes()).hexdigest()
    stamp = POSTGRAPHILE / "node_modules" / ".taf-installed"
    if stamp.exists() and stamp.read_text() == want:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(f"The {SCENARIO} scenario needs npm, to install PostGraphile in bench/postgraphile.")
    say("npm ci in bench/postgraphile (PostGraphile and the Node it runs on)")
    command = [npm, "ci", "--no-audit", "--no-fund", "--prefer-offline"]
    done = subprocess.run(  # noqa: S603 (npm from PATH, fixed arguments)
        command, cwd=POSTGRAPHILE, capture_output=True, text=True, timeout=900, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"npm ci in bench/postgraphile failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    stamp.write_text(want)


def node_command(*arguments: str) -> list[str]:
    return [str(POSTGRAPHILE / "node_modules" / ".bin" / "node"), "server.mjs", *arguments]


def node_environment(dsn: str) -> dict[str, str]:
    return {**os.environ, "BENCH_POSTGRAPHILE_DSN": dsn, "GRAPHILE_ENV": "production"}


@asynccontextmanager
async def postgraphile_server(dsn: str) -> AsyncIterator[tuple[int, psutil.Process]]:
    """bench/postgraphile/server.mjs on a free port until the block ends: its port and its process."""
    install()
    port = free_port()
    child = await asyncio.create_subprocess_exec(
        *node_command("--port", str(port)),
        cwd=POSTGRAPHILE,
        env=node_environment(dsn),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert child.stdout is not None
    drain = None
    try:
        said: list[str] = []
        async with asyncio.timeout(READY_SECONDS):
            while not said or not said[-1].startswith("listening on"):
                line = await child.stdout.readline()
                if not line:
                    raise RuntimeError(f"PostGraphile exited with {await child.wait()}:\n{''.join(said)[-3000:]}")
                said.append(line.decode())
        drain = asyncio.create_task(_drain(child.stdout))  # its error log, never left to fill the pipe
        yield port, psutil.Process(child.pid)
    finally:
        if drain is not None:
            drain.cancel()
        if child.returncode is None:
            child.terminate()
            try:
                await asyncio.wait_for(child.wait(), timeout=20)
            except TimeoutError:
                child.kill()
                await child.wait()


@asynccontextmanager
async def contender(dsn: str, wanted: bool) -> AsyncIterator[dict[str, tuple[int, psutil.Process]]]:
    """PostGraphile's port and process as `{"postgraphile": ...}` while the block runs; nothing unless wanted."""
    if not wanted:
        yield {}
        return
    async with postgraphile_server(dsn) as served:
        yield {"postgraphile": served}


async def _drain(stream: asyncio.StreamReader) -> None:
    while await stream.readline():
        pass


# ---------------------------------------------------------------------------------------------------------
# The load


def requests(family_id: str, token: str) -> dict[str, tuple[str, bytes, str | None]]:
    """What each server is sent for the page: path, body, bearer token (PostGraphile takes none)."""
    variables = {"familyId": family_id, "first": FIRST}
    return {
        "app": ("/graphql", graphql_body(OPERATION, variables), token),
        "baseline": (f"/b/{OPERATION}", json.dumps(variables).encode(), token),
        "postgraphile": ("/graphql", json.dumps({"query": QUERY, "variables": variables}).encode(), None),
    }


def iteration(side: str, path: str, body: bytes, token: str | None):
    async def run(connection: Connection, n: int) -> None:
        status, data = await connection.post(path, body, token)
        if status != 200 or b'"errors":' in data:
            raise RuntimeError(f"{side}: {status} {data[:300]!r}")

    return run


def cpu_seconds(process: psutil.Process) -> float:
    """User + system CPU time of a server: the process and its worker processes, if any."""
    total = 0.0
    for each in [process, *process.children(recursive=True)]:
        times = each.cpu_times()
        total += times.user + times.system
    return total


async def postgres_on_core(url: str) -> dict[int, float]:
    """Milliseconds on a core so far of each client backend of the bench database."""
    return {pid: times[0] for pid, times in on_core(await backends(url)).items()}


def postgres_used(before: dict[int, float], after: dict[int, float]) -> float:
    """What the backends spent between the two readings; one that connected meanwhile counts from zero (its
    start-up is the load's), one that ended meanwhile is lost (pools keep theirs over a run)."""
    return sum(ms - before.get(pid, 0.0) for pid, ms in after.items())


async def measured(
    url: str, port: int, process: psutil.Process, run, concurrency: int, duration: float
) -> dict[str, Any]:
    """run_load, with the server's and PostgreSQL's CPU time per request over all it answered (the warm-up
    included)."""
    answered = 0

    async def counted(connection: Connection, n: int) -> None:
        nonlocal answered
        await run(connection, n)
        answered += 1

    database_before = await postgres_on_core(url)
    before = cpu_seconds(process)
    result = await run_load("127.0.0.1", port, counted, concurrency=concurrency, duration=duration)
    used = cpu_seconds(process) - before
    database_used = postgres_used(database_before, await postgres_on_core(url))
    return {
        **result.summary(),
        "cpu_ms_per_request": round(used * 1000 / max(answered, 1), 2),
        "postgres_cpu_ms_per_request": round(database_used / max(answered, 1), 2),
    }


async def items_listed(sent: dict[str, tuple[str, bytes, str | None]], ports: dict[str, int]) -> dict[str, int]:
    """Each server's page once: they must answer the same family; how many items each lists."""
    items, families = {}, {}
    for side, (path, body, token) in sent.items():
        connection = Connection("127.0.0.1", ports[side])
        try:
            status, data = await connection.post(path, body, token)
        finally:
            await connection.close()
        answer = json.loads(data)
        family = (answer.get("data") or {}).get("family")
        if status != 200 or answer.get("errors") or not family:
            raise RuntimeError(f"{SCENARIO}: {side} answered {status} {data[:300]!r}")
        families[side] = (family["id"], family["reference"])
        items[side] = len(family["contributions"]["nodes"])
    if len(set(families.values())) != 1:
        raise RuntimeError(f"{SCENARIO}: the servers answered different families: {families}")
    return items


async def point(
    url: str,
    plan: Scenarios,
    servers: dict[str, tuple[int, psutil.Process]],
    workers: int,
    concurrency: int,
    duration: float,
) -> dict[str, Any]:
    """One concurrency: the app, the baseline and PostGraphile one after another, on the same page."""
    sent = requests(plan.family, plan.actor)
    row: dict[str, Any] = {"scenario": SCENARIO, "workers": workers, "concurrency": concurrency}
    row["items"] = await items_listed(sent, {side: port for side, (port, _) in servers.items()})
    for side in SIDES:
        port, process = servers[side]
        row[side] = await measured(url, port, process, iteration(side, *sent[side]), concurrency, duration)
    base = max(row["baseline"]["throughput_per_s"], 1e-9)
    row["throughput_ratio"] = round(row["app"]["throughput_per_s"] / base, 3)
    row["postgraphile_ratio"] = round(row["postgraphile"]["throughput_per_s"] / base, 3)
    say(
        f"{SCENARIO} w={workers} c={concurrency}: "
        + "; ".join(
            f"{side} {row[side]['throughput_per_s']}/s p99 {row[side]['p99_ms']} ms"
            f" CPU {row[side]['cpu_ms_per_request']} + PostgreSQL {row[side]['postgres_cpu_ms_per_request']} ms/req"
            f" (errors {row[side]['errors']})"
            for side in SIDES
        )
    )
    return row


# ---------------------------------------------------------------------------------------------------------
# The part of PostGraphile's schema the query reads (for the test, which runs no Node)


def schema_excerpt(sdl: str, query: str) -> str:
    """The object types the query selects from, with the fields it selects (arguments whole), and every input,
    enum and scalar type those fields need, in name order: enough to validate the query."""
    schema = build_schema(sdl)
    info = TypeInfo(schema)
    selected: dict[str, dict[str, Any]] = {}

    class Fields(Visitor):
        def enter_field(self, node: FieldNode, *_args) -> None:
            parent, field = info.get_parent_type(), info.get_field_def()
            if parent is not None and field is not None:
                selected.setdefault(parent.name, {})[node.name.value] = field

    visit(parse(query), TypeInfoVisitor(info, Fields()))
    needed: dict[str, Any] = {}

    def need(graphql_type: Any) -> None:
        named = get_named_type(graphql_type)
        if named.name in needed or named.name in selected:
            return
        needed[named.name] = named
        if isinstance(named, GraphQLInputObjectType):
            for field in named.fields.values():
                need(field.type)

    blocks = {}
    for type_name, fields in selected.items():
        lines = []
        for field_name in sorted(fields):
            field = fields[field_name]
            for argument in field.args.values():
                need(argument.type)
            if not isinstance(get_named_type(field.type), GraphQLObjectType):
                need(field.type)
            description = print_description(field, "  ", not lines)
            lines.append(f"{description}  {field_name}{print_args(field.args, '  ')}: {field.type}")
        blocks[type_name] = f"type {type_name} {{\n" + "\n".join(lines) + "\n}"
    builtin = {"String", "Int", "Float", "Boolean", "ID"}
    printed = GraphQLInputObjectType | GraphQLEnumType | GraphQLScalarType
    for name, graphql_type in needed.items():
        if name not in builtin and isinstance(graphql_type, printed):
            blocks[name] = print_type(graphql_type)
    return "\n\n".join(blocks[name] for name in sorted(blocks)) + "\n"


def excerpt(database: str) -> None:
    from bench.database import dsn, on, postgres

    install()
    server, handle = postgres()
    try:
        done = subprocess.run(  # noqa: S603 (the Node npm installed, our own script)
            node_command("--print-schema"),
            cwd=POSTGRAPHILE,
            env=node_environment(dsn(on(server, database))),
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
    finally:
        del handle
    header = (
        "# Generated by `python -m bench.contributions_page excerpt` from PostGraphile's schema of the bench\n"
        "# database: the types and fields that bench/postgraphile/contributions_page.graphql reads.\n\n"
    )
    EXCERPT.write_text(header + schema_excerpt(done.stdout, QUERY))
    say(f"wrote {EXCERPT.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.contributions_page", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["excerpt"])
    parser.add_argument("--database", default="taf_suite", help="a bench database (python -m bench.suite made it)")
    args = parser.parse_args(argv)
    excerpt(args.database)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
