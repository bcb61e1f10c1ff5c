"""`make bench` at a toy scale: its generator, its statement counter, the baseline and the load generator
work against the real app (the benchmark itself is not part of `make test`; see bench/README.md)."""

from __future__ import annotations

import asyncio
import json

import asyncpg
import uvicorn

from bench.baseline import create_baseline
from bench.loadgen import run_load
from bench.sharing_scale import asyncpg_dsn, free_port, served_in_process
from bench.suite import Scenarios, add_meeting_pool, statement_counts, tokens_for
from bench.suite_data import SuiteGenerator, SuitePlan
from server.db.migrate import migrate
from tests.conftest import recreate_database


async def test_the_bench_runs_at_a_toy_scale(server_url: str):
    # given a toy data set (20 families) generated with COPY in its own database
    url = await recreate_database(server_url, "taf_bench_smoke")
    await migrate(url)
    plan = SuitePlan.at(0.002)
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        generator = SuiteGenerator(connection, plan, seed=7)
        await generator.generate(lambda message: None)
        world = generator.world
        counts = {
            table: await connection.fetchval(f"SELECT count(*) FROM {table}")
            for table in ("family", "contribution", "taf_meeting", "plan_goal", "assessment", "outcome_score")
        }
    finally:
        await connection.close()
    meta = {
        **world.summary(),
        "writer_family_id": str(world.family_ids[2]),
        "writer_user_id": str(world.user_ids[world.teams[2][0]]),
    }
    tokens = await tokens_for(url, meta)
    await add_meeting_pool(url, meta, 4)

    # when the statements of the family page's requests are counted at 10 and 100 items, and those of the
    # writing scenarios (a contribution, a team member, a meeting's minutes, decision and publication)
    counted = (await statement_counts(url, meta, tokens))["counts"]

    # and the baseline and the real app serve the family page and the caseload to two clients each
    scenarios = Scenarios(meta, tokens)
    port = free_port()
    baseline = uvicorn.Server(uvicorn.Config(create_baseline(asyncpg_dsn(url)), port=port, log_level="warning"))
    task = asyncio.create_task(baseline.serve())
    while not baseline.started:
        await asyncio.sleep(0.02)
    try:
        results = {}
        async with served_in_process(url) as (base, _app):
            app_port = int(base.rsplit(":", 1)[1])
            for name, target, is_baseline in (("app", app_port, False), ("baseline", port, True)):
                for scenario in ("family_page", "caseload"):
                    iteration = scenarios.iteration(scenario, is_baseline)
                    result = await run_load("127.0.0.1", target, iteration, concurrency=2, duration=0.3, warmup=0.1)
                    results[(name, scenario)] = result.summary()
    finally:
        baseline.should_exit = True
        await task

    # then every table has rows, the statement count does not grow with the page size
    assert counts["family"] == plan.base.families and all(value > 0 for value in counts.values()), counts
    assert counted["FamilyContributions first 10"]["items"] == 10
    assert counted["FamilyContributions first 100"]["items"] > 10
    assert (
        counted["FamilyContributions first 10"]["statements"] == counted["FamilyContributions first 100"]["statements"]
    )
    assert counted["Caseload first 10"]["statements"] == counted["Caseload first 100"]["statements"]
    burst = "TeamMemberAdd (the notification burst's mutation)"
    writes = ("ContributionAdd", burst, "MinutesItemAdd", "MinutesPublish")
    assert all(counted[label]["statements"] > 0 for label in writes), counted
    # and both servers answered every iteration without an error
    for key, summary in results.items():
        assert summary["errors"] == 0 and summary["iterations"] > 0, (key, json.dumps(summary))
