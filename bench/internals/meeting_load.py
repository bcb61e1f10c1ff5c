"""The meeting scenario under uvicorn (one worker, production settings) as `make bench` runs it, with the app
process's CPU and PostgreSQL's CPU per meeting (3 writes) at each concurrency: what bounds the scenario when
throughput stops growing with clients.

    .venv/bin/python -m bench.internals.meeting_load --concurrency 1,8 --duration 8

The database is one `make bench` generated (bench/README.md, "Meeting writes"); fresh meetings are added to
the writer family's pool as the suite does.
"""

from __future__ import annotations

import argparse
import asyncio
import os

from bench.contributions_page import measured
from bench.database import on, postgres, recorded
from bench.servers import APP, app_environment, uvicorn_server
from bench.suite import tokens_for
from bench.suite_scenarios import Scenarios, add_meeting_pool


async def run(args: argparse.Namespace) -> list[str]:
    server, handle = postgres()
    url = on(server, args.database)
    meta = await recorded(server, args.database)
    if meta is None:
        raise SystemExit(f"{args.database} holds no data set of make bench: run `make bench` first")
    await add_meeting_pool(url, meta, 4_000)
    tokens = await tokens_for(url, meta)
    lines = []
    async with uvicorn_server(APP, 1, app_environment(url)) as (port, process):
        scenario = Scenarios(meta, tokens).iteration("meeting", False)
        await measured(url, port, process, scenario, 1, 1.0)  # warm-up: caches, prepared statements, pool
        for concurrency in args.concurrency:
            load = os.getloadavg()[0]
            got = await measured(url, port, process, scenario, concurrency, args.duration)
            lines.append(
                f"c={concurrency}: {got['throughput_per_s']:.1f} meetings/s, p50 {got['p50_ms']} ms,"
                f" errors {got['errors']};"
                f" app CPU {got['cpu_ms_per_request']} ms/meeting, PostgreSQL {got['postgres_cpu_ms_per_request']}"
                f" ms/meeting; load {load:.2f}-{os.getloadavg()[0]:.2f}"
            )
            print(lines[-1], flush=True)
    del handle
    return lines


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="taf_suite")
    parser.add_argument("--concurrency", type=lambda text: [int(c) for c in text.split(",")], default=[1, 8])
    parser.add_argument("--duration", type=float, default=8.0)
    asyncio.run(run(parser.parse_args()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
