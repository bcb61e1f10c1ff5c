"""The cost of being signed in (issue 15: an authenticated trivial query costs at most 1 ms of app CPU).

`{ __typename }` sent with a bearer token, over HTTP POST on one keep-alive connection, to the app under
uvicorn (one worker: the process that serves is the one started): the serving process's CPU time (user +
system, from /proc through psutil) over N requests, divided by N. The app's timers and dispatcher run
meanwhile, so the process's CPU over as long a quiet spell is measured first and taken off ("net"); both
figures are kept. The same without a token shows what the request costs apart from authenticating. SQL
statements per request are counted on the wire (bench/wire.py).

    .venv/bin/python -m bench.signed_in --database taf_suite --requests 2000

Also part of `make bench` (bench/suite.py), whose results it joins.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
import uuid
from typing import Any

import psutil

from bench.data.sessions import mint_tokens
from bench.database import dsn, on, postgres, recorded
from bench.loadgen import Connection
from bench.report import say
from bench.servers import APP, app_environment, uvicorn_server
from bench.wire import app_behind_tap, fewest, of_request, settled

BODY = json.dumps({"query": "{ __typename }"}).encode()
ANSWER = {"data": {"__typename": "Query"}}
GOAL_MS = 1.0
WARM_UP = 300


async def _send(connection: Connection, token: str | None) -> None:
    status, body = await connection.post("/graphql", BODY, token)
    if status != 200 or json.loads(body) != ANSWER:
        raise RuntimeError(f"{{ __typename }} answered {status}: {body[:300]!r}")


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


async def cpu_per_request(port: int, process: psutil.Process, token: str | None, requests: int) -> dict[str, Any]:
    """The serving process's CPU per request over `requests` sequential requests, raw and net of its idle
    rate (measured over a quiet spell as long as the run, right before it)."""
    connection = Connection("127.0.0.1", port)
    try:
        for _ in range(WARM_UP):
            await _send(connection, token)
        load_before = os.getloadavg()[0]
        started, cpu = time.perf_counter(), _cpu(process)
        for _ in range(requests):
            await _send(connection, token)
        wall, used = time.perf_counter() - started, _cpu(process) - cpu
        quiet_started, quiet_cpu = time.perf_counter(), _cpu(process)
        await asyncio.sleep(max(wall, 1.0))
        idle_rate = (_cpu(process) - quiet_cpu) / (time.perf_counter() - quiet_started)
    finally:
        await connection.close()
    return {
        "requests": requests,
        "cpu_ms_per_request": round(used / requests * 1000, 3),
        "net_cpu_ms_per_request": round(max(used - idle_rate * wall, 0.0) / requests * 1000, 3),
        "idle_cpu_ms_per_s": round(idle_rate * 1000, 2),
        "wall_ms_per_request": round(wall / requests * 1000, 3),
        "loadavg_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


async def statements_per_request(url: str, token: str) -> int:
    """The fewest statements one authenticated `{ __typename }` sent to PostgreSQL (bench/wire.py)."""
    runs: list[list[Any]] = []
    async with app_behind_tap(url) as (base, tap):
        port = int(base.rsplit(":", 1)[1])
        connection = Connection("127.0.0.1", port)
        try:
            for _ in range(20):  # every pooled connection meets the statement
                await _send(connection, token)
            while not settled(runs):
                with tap.recording() as statements:
                    await _send(connection, token)
                runs.append(of_request(statements))
        finally:
            await connection.close()
    return len(fewest(runs))


async def measure(url: str, token: str, requests: int) -> dict[str, Any]:
    """Signed in and anonymous, interleaved twice on one server, and the statements per request."""
    rounds: dict[str, list[dict[str, Any]]] = {"signed_in": [], "anonymous": []}
    async with uvicorn_server(APP, 1, app_environment(url)) as (port, process):
        for _ in range(2):
            for side, sent in (("signed_in", token), ("anonymous", None)):
                rounds[side].append(await cpu_per_request(port, process, sent, requests))
    best = {side: min(runs, key=lambda run: run["net_cpu_ms_per_request"]) for side, runs in rounds.items()}
    result = {
        "query": "{ __typename }",
        "rounds": rounds,
        "signed_in": best["signed_in"],
        "anonymous": best["anonymous"],
        "statements": await statements_per_request(url, token),
        "goal_ms": GOAL_MS,
        "met": best["signed_in"]["net_cpu_ms_per_request"] <= GOAL_MS,
    }
    say(summary(result))
    return result


def summary(result: dict[str, Any]) -> str:
    signed, anonymous = result["signed_in"], result["anonymous"]
    return (
        f"authenticated {{ __typename }}: {signed['net_cpu_ms_per_request']} ms app CPU per request net of idle"
        f" ({signed['cpu_ms_per_request']} raw, {signed['wall_ms_per_request']} ms wall),"
        f" {result['statements']} statement(s); without a token {anonymous['net_cpu_ms_per_request']} ms;"
        f" load {signed['loadavg_1min'][0]}; goal <= {GOAL_MS} ms: {'met' if result['met'] else 'not met'}"
    )


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "## An authenticated trivial query (bench/signed_in.py)",
        "",
        "`{ __typename }` over HTTP POST on one keep-alive connection, one uvicorn worker: the serving"
        " process's CPU per request (psutil, user + system) over the run, and net of the process's idle rate"
        " (its timers) measured right after; the better of two interleaved rounds.",
        "",
        "| request | app CPU ms/request (net) | raw | wall ms | statements | load 1m |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for label, key, statements in (
        ("signed in", "signed_in", result["statements"]),
        ("no token", "anonymous", ""),
    ):
        run = result[key]
        lines.append(
            f"| {label} | {run['net_cpu_ms_per_request']} | {run['cpu_ms_per_request']}"
            f" | {run['wall_ms_per_request']} | {statements} | {run['loadavg_1min'][0]}-{run['loadavg_1min'][1]} |"
        )
    verdict = "met" if result["met"] else "not met"
    lines += ["", f"Goal: at most {result['goal_ms']} ms of app CPU signed in: **{verdict}**."]
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    server, handle = postgres()
    try:
        url = on(server, args.database)
        meta = await recorded(server, args.database)
        if meta is None:
            raise SystemExit(f"{args.database} holds no data set of make bench: run `make bench` first")
        actor = uuid.UUID(meta["actor_user_id"])
        token = (await mint_tokens(dsn(url), [actor]))[actor]
        return await measure(url, token, args.requests)
    finally:
        del handle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.signed_in", description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="taf_suite")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--json", action="store_true", help="print the result as JSON too")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args))
    print(markdown(result))
    if args.json:
        print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
