"""`make bench-report` at a toy scale: the area report's generator and measurement work against the real app,
and each run says what a request costs on a core apart from the time it takes (the figure the machine's load
stretches least; bench/README.md, "The area outcomes report")."""

from __future__ import annotations

import uuid

from bench.area_report import generate, measure
from bench.data.sessions import mint_tokens
from bench.database import dsn, migrate, recreate


async def test_the_area_report_bench_runs_at_a_toy_scale(server_url: str):
    # given the area report's data set for 20 families in its own database
    url = await recreate(server_url, "taf_area_report_smoke")
    await migrate(url)
    meta = await generate(url, 20)
    manager = uuid.UUID(meta["manager"])
    token = (await mint_tokens(dsn(url), [manager]))[manager]

    # when the manager's report is timed through the app under uvicorn
    result = await measure(url, token, 3)

    # then it counts every family, and the work of a request is reported beside its time
    assert result["families_counted"] == 20
    assert result["requests"] == 3
    assert result["app_on_core_ms"] > 0
    assert result["postgres_on_core_ms"] > 0
    assert result["postgres_waiting_for_core_ms"] >= 0
