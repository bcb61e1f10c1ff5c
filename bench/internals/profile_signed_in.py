"""Profile an authenticated `{ __typename }` (bench/signed_in.py measures it through uvicorn) with pyinstrument
and cProfile: the real app in this process (ASGI, no network), as bench/internals/profile_family.py does.
With --page, the contributions_page scenario's request instead (FamilyContributionsPage by hash, a compiled
read: bench/contributions_page.py), to see what a compiled read costs besides its statement.

    .venv/bin/python -m bench.internals.profile_signed_in --database taf_suite --requests 2000 \
        --out bench/results/profile-signed-in.txt
    .venv/bin/python -m bench.internals.profile_signed_in --page --requests 500
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import time
import uuid
from pathlib import Path

import httpx

from bench.api import graphql_body
from bench.contributions_page import FIRST, OPERATION
from bench.data.sessions import mint_tokens
from bench.database import dsn, on, postgres, recorded
from bench.internals.profile_family import _area
from bench.servers import app_environment
from server.app import create_app
from server.config import load_settings


async def run(args: argparse.Namespace) -> str:
    from pyinstrument import Profiler

    server, handle = postgres()
    url = on(server, args.database)
    meta = await recorded(server, args.database)
    if meta is None:
        raise SystemExit(f"{args.database} holds no data set of make bench: run `make bench` first")
    actor = uuid.UUID(meta["actor_user_id"])
    token = (await mint_tokens(dsn(url), [actor]))[actor]
    headers = {"Authorization": f"Bearer {token}"} if args.token else {}
    app = create_app(load_settings(app_environment(url)))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            page = graphql_body(OPERATION, {"familyId": meta["family_a_id"], "first": FIRST})
            sent = {"content": page, "headers": {**headers, "Content-Type": "application/json"}}

            async def request() -> None:
                if args.page:
                    response = await client.post("/graphql", **sent)
                    assert response.status_code == 200 and b'"errors"' not in response.content, response.text[:300]
                    return
                response = await client.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
                assert response.json() == {"data": {"__typename": "Query"}}, response.text[:300]

            async def many() -> None:
                for _ in range(args.requests):
                    await request()

            await many()  # warm-up
            started, cpu = time.perf_counter(), time.process_time()
            await many()
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            profiler = Profiler(interval=0.0001, async_mode="disabled")
            profiler.start()
            await many()
            profiler.stop()
            profile = cProfile.Profile(time.process_time)  # CPU time: waiting on the database is not counted
            profile.enable()
            await many()
            profile.disable()
            if os.environ.get("PROFILE_DUMP"):
                profile.dump_stats(os.environ["PROFILE_DUMP"])
    del handle
    modules: dict[str, float] = {}
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in pstats.Stats(profile).stats.items():  # type: ignore[attr-defined]
        modules[_area(filename)] = modules.get(_area(filename), 0.0) + tottime
    total = sum(modules.values())
    what = f"{OPERATION} (first {FIRST})" if args.page else "{ __typename }"
    header = (
        f"# {what} x {args.requests} ({args.database}), in-process ASGI (httpx client included),"
        f" {'with' if args.token else 'without'} a bearer token, no profiler:"
        f" {wall / args.requests * 1000:.3f} ms wall,"
        f" {cpu / args.requests * 1000:.3f} ms CPU per request; load {os.getloadavg()[0]:.2f}\n"
    )
    areas = "\n".join(
        f"  {name:<28} {seconds / args.requests * 1000:7.3f} ms/request  {100 * seconds / total:5.1f}%"
        for name, seconds in sorted(modules.items(), key=lambda pair: -pair[1])[:16]
    )
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    cumulative = io.StringIO()
    pstats.Stats(profile, stream=cumulative).sort_stats("cumulative").print_stats(args.functions)
    return (
        f"{header}\nOwn CPU time by area (cProfile; profiler overhead included):\n{areas}\n\n"
        f"Cumulative time by function (cProfile, {args.requests} requests):\n{cumulative.getvalue()}\n\n"
        f"Wall time (pyinstrument, waiting included):\n{text}"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="taf_suite")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--page", action="store_true", help=f"send {OPERATION}, not {{ __typename }}")
    parser.add_argument("--no-token", dest="token", action="store_false", help="send no bearer token")
    parser.add_argument("--functions", type=int, default=60, help="how many functions to list by cumulative time")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    text = asyncio.run(run(args))
    if args.out:
        args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
