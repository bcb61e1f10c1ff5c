"""`make bench` at a toy scale: its generator, its statement counter, the baseline and the load generator
work against the real app (the benchmark itself is not part of `make test`; see bench/README.md)."""

from __future__ import annotations

import json
import uuid

import asyncpg

from bench.data.generator import Generator
from bench.data.plan import Plan
from bench.database import dsn, migrate, recreate
from bench.explain import explain_all, is_read
from bench.loadgen import run_load
from bench.servers import APP, BASELINE, app_environment, uvicorn_server
from bench.suite import statement_counts, tokens_for
from bench.suite_scenarios import Scenarios, add_meeting_pool, tidy_writer_family, writer_team


async def test_the_bench_runs_at_a_toy_scale(server_url: str):
    # given a toy data set (20 families) generated with COPY in its own database, migrated by the command line
    url = await recreate(server_url, "taf_bench_smoke")
    await migrate(url)
    plan = Plan.at(0.002)
    connection = await asyncpg.connect(dsn(url))
    try:
        generator = Generator(connection, plan, seed=7)
        await generator.generate(lambda message: None)
        counts = {
            table: await connection.fetchval(f"SELECT count(*) FROM {table}")
            for table in ("family", "contribution", "taf_meeting", "plan_goal", "assessment", "outcome_score")
        }
    finally:
        await connection.close()
    meta = generator.world.summary()
    tokens = await tokens_for(url, meta)
    team = await writer_team(url, meta)
    await add_meeting_pool(url, meta, 12)

    # when the statements of the family page's requests are counted at 10 and 100 items, and those of the
    # writing scenarios (a contribution, a team member, a meeting's minutes, decision and publication)
    counted = await statement_counts(url, meta, tokens)
    plans = await explain_all(url, counted["statements"]["FamilyContributions first 100"])
    # and the writer family is tidied as a run ends (its newcomers leave the team, the untouched pool goes)
    tidied = await tidy_writer_family(url, meta, team)
    pool = [uuid.UUID(meeting) for meeting in meta["meeting_pool"]]
    connection = await asyncpg.connect(dsn(url))
    try:
        pool_left = await connection.fetch("SELECT version FROM taf_meeting WHERE id = ANY($1::uuid[])", pool)
    finally:
        await connection.close()

    # and the baseline and the real app, each under uvicorn, serve the family page and the caseload to two clients
    scenarios = Scenarios(meta, tokens)
    results = {}
    async with (
        uvicorn_server(APP, 1, app_environment(url)) as (app_port, _),
        uvicorn_server(BASELINE, 1, {"BENCH_BASELINE_DSN": dsn(url)}) as (base_port, _),
    ):
        for name, port, is_baseline in (("app", app_port, False), ("baseline", base_port, True)):
            for scenario in ("family_page", "caseload"):
                iteration = scenarios.iteration(scenario, is_baseline)
                result = await run_load("127.0.0.1", port, iteration, concurrency=2, duration=0.3, warmup=0.1)
                results[(name, scenario)] = result.summary()

    # then every table has rows, the statement count does not grow with the page size
    assert counts["family"] == plan.families and all(value > 0 for value in counts.values()), counts
    reads = counted["counts"]
    assert reads["FamilyContributions first 10"]["items"] == 10
    assert reads["FamilyContributions first 100"]["items"] > 10
    assert reads["FamilyContributions first 10"]["statements"] == reads["FamilyContributions first 100"]["statements"]
    assert reads["Caseload first 10"]["statements"] == reads["Caseload first 100"]["statements"]
    burst = "TeamMemberAdd (the notification burst's mutation)"
    writes = ("ContributionAdd", burst, "MinutesItemAdd", "MinutesPublish")
    assert all(reads[label]["statements"] > 0 for label in writes), reads
    # and the team is as it was before the run, the pool's meetings the writes used are kept, the others removed
    assert sorted(await writer_team(url, meta)) == sorted(team) and tidied["left the team"] > 0, tidied
    assert len(pool_left) + tidied["meetings removed"] == len(pool) and tidied["meetings removed"] > 0, tidied
    assert pool_left and all(row["version"] > 1 for row in pool_left), pool_left
    # and every SELECT the page sent was explained with the values it was sent with
    selects = [s for s in counted["statements"]["FamilyContributions first 100"] if is_read(s.sql)]
    assert len(plans) == len(selects) > 0
    assert all(plan["execution_ms"] is not None for plan in plans), plans
    # the page's list is the compiled read (server/contribution/compiled_api.py): one statement
    assert any(plan["label"].startswith("contributions: compiled") for plan in plans), [p["label"] for p in plans]
    # and both servers answered every iteration without an error (the minted sign-ins included)
    for key, summary in results.items():
        assert summary["errors"] == 0 and summary["iterations"] > 0, (key, json.dumps(summary))
