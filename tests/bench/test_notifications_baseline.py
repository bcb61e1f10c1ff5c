"""The notification burst's baseline at a toy scale: two real uvicorn processes of
bench/notifications_baseline.py, the burst's own client, seeding and report (bench/notifications_burst.py
--target baseline); every subscriber must receive each of its notifications exactly once."""

from __future__ import annotations

import argparse
import math

from bench.notifications_burst import SUBSCRIBED, measure


async def test_the_baseline_delivers_every_notification_once(server_url: str):
    # given 20 subscribers (two families) over two baseline instances, 2 warm-up mutations, then 4 on A, 2 at a time
    args = argparse.Namespace(subscribers=20, mutations=4, concurrency=2, kill=False, profile=None, warmup=2)

    # when the burst runs against the baseline on its own freshly seeded database
    figures = await measure(args, server_url, "baseline", database="taf_bench_notify_smoke")

    # then each mutation reached the family's ten subscribed members, once each, and nobody else
    assert figures["expected"] == 4 * SUBSCRIBED
    assert figures["received"] == figures["expected"]
    assert figures["missing"] == 0 and figures["duplicates"] == 0 and figures["foreign"] == 0
    assert not math.isnan(figures["p50"])  # and latency was measured on B
