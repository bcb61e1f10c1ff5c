"""Profile the hottest path, the family page, with pyinstrument: the real app in this process (ASGI,
no network), the 5 requests of the family page on the 200-item family, repeated.

    .venv/bin/python -m bench.internals.profile_family --database taf_suite --pages 30 \
        --out bench/results/profile-family.txt

`--only FamilyContributions` profiles one of the page's requests; `--caseload` the caseload scenario's request
instead of the page. It profiles the server's own code, so it runs the app in this process and imports its internals
(bench/internals/__init__.py says why that is kept here). The database is one `make bench` generated.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from pathlib import Path

import httpx

from bench.api import DOCUMENTS, persisted_body
from bench.data.sessions import mint_tokens
from bench.database import dsn, on, postgres, recorded
from bench.internals.policy_decision import counting_enforce
from bench.servers import app_environment
from bench.suite_scenarios import Scenarios
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
    steps = Scenarios(meta, {"actor": token, "writer": token}).page(False)
    if args.caseload:  # the caseload scenario's request instead of the family page
        steps = [("Caseload", {"first": 20})]
    if args.only:
        steps = [(name, variables) for name, variables in steps if name in args.only.split(",")]
    environment = {**app_environment(url), "TAF_COMPILED_READS": "1" if args.compiled else "0"}
    app = create_app(load_settings(environment))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def page() -> None:
                for name, variables in steps:
                    body = (
                        persisted_body(name, variables)
                        if args.persisted
                        else {"query": DOCUMENTS[name], "operationName": name, "variables": variables}
                    )
                    response = await client.post("/graphql", json=body, headers={"Authorization": f"Bearer {token}"})
                    assert "errors" not in response.json(), response.text[:300]

            for _ in range(5):
                await page()
            with counting_enforce(app.state.taf.enforcer) as tally:
                started, cpu = time.perf_counter(), time.process_time()
                for _ in range(args.pages):
                    await page()
                wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            profiler = Profiler(interval=0.0005, async_mode="disabled")
            profiler.start()
            for _ in range(args.pages):
                await page()
            profiler.stop()
            # Own time by module (where the CPU goes, whoever called it), from a cProfile of the same pages.
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.pages):
                await page()
            profile.disable()
            if os.environ.get("PROFILE_DUMP"):
                profile.dump_stats(os.environ["PROFILE_DUMP"])
            modules: dict[str, float] = {}
            stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
            for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.items():
                modules[_area(filename)] = modules.get(_area(filename), 0.0) + tottime
            total = sum(modules.values())
    del handle
    header = (
        f"# {'caseload' if args.caseload else 'family page'} x {args.pages} ({args.database}),"
        " in-process ASGI, no profiler,"
        f" {'by hash' if args.persisted else 'document text'}, compiled reads {'on' if args.compiled else 'off'}"
        f"{', only ' + args.only if args.only else ''}:"
        f" {wall / args.pages * 1000:.1f} ms"
        f" wall, {cpu / args.pages * 1000:.1f} ms CPU per page; enforce_ex {tally['calls'] / args.pages:.0f} calls,"
        f" {tally['seconds'] / args.pages * 1000:.2f} ms per page; load {os.getloadavg()[0]:.2f}\n"
    )
    areas = "\n".join(
        f"  {name:<28} {seconds / args.pages * 1000:7.2f} ms/page  {100 * seconds / total:5.1f}%"
        for name, seconds in sorted(modules.items(), key=lambda pair: -pair[1])[:16]
    )
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    return (
        f"{header}\nOwn CPU time by area (cProfile, {args.pages} pages; profiler overhead included):\n{areas}\n\n{text}"
    )


def _area(filename: str) -> str:
    """server/access/pep.py -> server/access; site-packages/strawberry/... -> strawberry."""
    path = filename.replace("\\", "/")
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    for root in ("server/", "notifications/", "bench/"):
        if f"/{root}" in path:
            rest = path.split(f"/{root}", 1)[1].split("/")
            return root + (rest[0] if len(rest) > 1 else rest[0].removesuffix(".py"))
    if path.startswith("<") or "/lib/python3" in path:
        return "python stdlib/builtins"
    return path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="taf_suite")
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--only", help="only these of the page's operations, comma-separated")
    parser.add_argument("--caseload", action="store_true", help="the caseload scenario's request (Caseload, first 20)")
    parser.add_argument(
        "--no-compiled", dest="compiled", action="store_false", help="no compiled reads (TAF_COMPILED_READS=0)"
    )
    parser.add_argument(
        "--text", dest="persisted", action="store_false", help="send each document's text, not its hash"
    )
    args = parser.parse_args()
    text = asyncio.run(run(args))
    if args.out:
        args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
