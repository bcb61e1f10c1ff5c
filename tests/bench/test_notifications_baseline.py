"""The notification burst at a toy scale: two real uvicorn processes of bench/notifications_baseline.py
(--target baseline), or of the app with the issue's burst of escalations and action assignments (--mix
risk), with the burst's own client, seeding and report; every subscriber must receive each of its
notifications exactly once."""

from __future__ import annotations

import argparse
import math

import pytest

from bench.notifications_burst import SUBSCRIBED, measure, told

pytestmark = pytest.mark.long


async def test_the_baseline_delivers_every_notification_once(server_url: str):
    # given 20 subscribers (two families) over two baseline instances, 2 warm-up mutations, then 4 on A, 2 at a time
    args = argparse.Namespace(
        subscribers=20, mutations=4, concurrency=2, kill=False, profile=None, warmup=2, mix="team"
    )

    # when the burst runs against the baseline on its own freshly seeded database
    figures = await measure(args, server_url, "baseline", database="taf_bench_notify_smoke")

    # then each mutation reached the family's ten subscribed members, once each, and nobody else
    assert figures["expected"] == 4 * SUBSCRIBED
    assert figures["received"] == figures["expected"]
    assert figures["missing"] == 0 and figures["duplicates"] == 0 and figures["foreign"] == 0
    assert not math.isnan(figures["p50"])  # and latency was measured on B


async def test_the_app_delivers_a_burst_of_escalations_and_action_assignments_once(server_url: str):
    # given 20 subscribers over two app instances; 2 warm-up mutations, then 4 on A: two escalations (each
    # tells the family's ten subscribed members) and two action assignments (each tells its owner)
    args = argparse.Namespace(
        subscribers=20, mutations=4, concurrency=2, kill=False, profile=None, warmup=2, mix="risk"
    )

    # when the burst runs against the app
    figures = await measure(args, server_url, "app", database="taf_bench_notify_risk_smoke")

    # then everyone told received it once, and nobody else did
    assert figures["expected"] == told("risk", 4, start=2) == 2 * SUBSCRIBED + 2
    assert figures["received"] == figures["expected"]
    assert figures["missing"] == 0 and figures["duplicates"] == 0 and figures["foreign"] == 0
    assert not math.isnan(figures["p50"])
