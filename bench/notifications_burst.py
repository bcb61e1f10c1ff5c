"""Notification burst benchmark (not a test): two server processes, N websocket subscribers split across
them, a burst of committing mutations on the first instance.

Reports the latency from each mutation's response to its receipt by subscribers on the *other*
instance (p50/p95/p99), and from the mutation's request to that receipt (which counts the mutation's own
round trip, so work moved into the mutation cannot hide there), messages per second, server memory per
connection (RSS delta / connections) and the load average. Every subscriber then checks what it received
against the rows in the database: expected, received, duplicates (dropped by id), missing (must be 0).

With --kill, instance B is killed (SIGKILL) halfway through the burst: its subscribers reconnect to A
with their cursor (`after` = the last id received), as a client behind a load balancer would, and each
must still end with the complete set, duplicates dropped by id. (Latency is not meaningful in that run.)

--target baseline runs the same client, seeding and report against two instances of
bench/notifications_baseline.py (hand-written asyncpg and websockets, no GraphQL, no policy layer: the
practical limit); --compare runs the app, then the baseline, each on a freshly seeded database, and prints
the ratios app / baseline of p50, p95, p99 and throughput.

    .venv/bin/python bench/notifications_burst.py --subscribers 1000 --mutations 200
    .venv/bin/python bench/notifications_burst.py --subscribers 1000 --mutations 100 --concurrency 5 --compare
    .venv/bin/python bench/notifications_burst.py --subscribers 1000 --mutations 200 --kill

DATABASE_URL: a PostgreSQL server to create the `taf_bench` database on; unset: the embedded one in
.data/bench-pg.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import psutil
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.api import DOCUMENTS
from bench.data.teams import write_teams
from bench.database import ROOT, dsn, migrate, postgres, recreate
from bench.servers import free_port

TARGETS = {
    "app": "the app (python -m server serve)",
    "baseline": "the baseline (bench/notifications_baseline.py: no GraphQL, no policy layer)",
}

MIXES = {"team": "team member additions", "risk": "escalations and action assignments, in turn"}
KINDS = {"team": ("team_member_added",), "risk": ("escalation_raised", "action_assigned")}
# What a notification is about, by kind: the id the mutation that caused it answered with.
SUBJECTS = ("membership_id", "escalation_id", "action_id")
SUBSCRIBED = 10  # per family: everyone on the team but the lead, who acts (and is never told of their own act)
TEAM = SUBSCRIBED + 1


async def seed(url: str, subscribers: int, mutations: int) -> list[dict]:
    """Families of TEAM workers (the first leads); returns per family: tokens, user ids, newcomers."""
    count = max(1, subscribers // SUBSCRIBED)
    return await write_teams(dsn(url), families=count, team=TEAM, newcomers=mutations // count + 1)


def start_server(url: str, port: int, target: str = "app") -> subprocess.Popen:
    if target == "baseline":
        return start_baseline(url, port)
    environ = os.environ | {
        "DATABASE_URL": url,
        "TAF_PORT": str(port),
        "TAF_DEMO_DATA": "0",
        "TAF_ENV": "test",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "server", "serve"],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def start_baseline(url: str, port: int) -> subprocess.Popen:
    """One uvicorn process, as the app's (same websocket implementation), without its access log."""
    environ = os.environ | {"BENCH_BASELINE_DSN": dsn(url)}
    factory = "bench.notifications_baseline:create_app"
    return subprocess.Popen(  # noqa: S603 (our own module, a port we chose)
        [
            *(sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1", "--port", str(port)),
            *("--ws", "websockets-sansio", "--no-access-log", "--log-level", "warning"),
        ],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def ready(base: str) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(300):
            with suppress(httpx.TransportError):
                if (await client.get("/readyz")).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    raise SystemExit(f"{base} did not start")


@dataclass
class Subscriber:
    user_id: str
    token: str
    side: int  # the instance it is connected to (0: A, 1: B)
    cursor: int  # the last id received: where a reconnect resumes
    started_on: int = 0
    ids: list[int] = field(default_factory=list)  # every id received, duplicates included
    receipts: list[tuple[str, float, float]] = field(default_factory=list)  # (membership id, when, row lag)
    reconnects: int = 0
    why: Counter = field(default_factory=Counter)  # what ended each connection
    subscribed: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.started_on = self.side


async def follow(sub: Subscriber, bases: list[str], dead: set[int], stop: asyncio.Event) -> None:
    """Subscribe from the cursor; when the socket fails, resume from the cursor on a live instance."""
    query = DOCUMENTS["Notifications"]
    while not stop.is_set():
        if sub.side in dead:
            sub.side = next(i for i in range(len(bases)) if i not in dead)
        url = bases[sub.side].replace("http://", "ws://") + "/graphql"
        try:
            async with connect(url, subprotocols=["graphql-transport-ws"], open_timeout=60, max_queue=None) as ws:  # type: ignore[list-item]
                await ws.send(json.dumps({"type": "connection_init", "payload": {"token": sub.token}}))
                await ws.recv()
                variables = {"after": str(sub.cursor)}
                payload = {"query": query, "operationName": "Notifications", "variables": variables}
                await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
                sub.subscribed.set()
                while not stop.is_set():
                    try:
                        message = json.loads(await asyncio.wait_for(ws.recv(), 1))
                    except TimeoutError:
                        continue
                    if message["type"] == "ping":
                        await ws.send('{"type":"pong"}')
                    elif message["type"] == "next" and "errors" not in message["payload"]:
                        now = time.perf_counter()
                        data = message["payload"]["data"]["notifications"]
                        created = datetime.fromisoformat(data["createdAt"]).timestamp()
                        sub.ids.append(int(data["id"]))
                        sub.cursor = max(sub.cursor, int(data["id"]))
                        about = next(data["payload"][key] for key in SUBJECTS if key in data["payload"])
                        sub.receipts.append((about, now, time.time() - created))
                    elif message["type"] in ("next", "error", "complete"):
                        errors = message["payload"].get("errors") if isinstance(message["payload"], dict) else None
                        code = errors[0].get("extensions", {}).get("code") if errors else message["type"]
                        sub.why[f"stream ended: {code}"] += 1
                        break  # the stream ended (e.g. fell behind): subscribe again from the cursor
        except (OSError, ConnectionClosed, TimeoutError) as error:
            sub.why[type(error).__name__] += 1
        if not stop.is_set():
            sub.reconnects += 1
            await asyncio.sleep(0.2 + random.random() * 0.5)  # spread the reconnects, as clients back off


def mutation(mix: str, family: dict, n: int, i: int) -> tuple[str, str, dict]:
    """The i-th mutation of the burst, the n-th on its family: (operation, its result field, variables).
    "team": the lead adds a newcomer (every subscriber on the team is told). "risk", the issue's burst: the
    lead raises an escalation (every subscriber is told; the reason only to those who may read it), or
    assigns a new plan action to a contributor (the owner is told), in turn."""
    if mix == "team":
        contact = {"agencyRole": "b"}
        return (
            "TeamMemberAdd",
            "teamMemberAdd",
            {"familyId": family["id"], "userId": family["newcomers"][n], "contact": contact},
        )
    if i % 2 == 0:
        variables = {"familyId": family["id"], "level": "urgent", "category": "education", "reason": f"Concern {i}"}
        return "EscalationRaise", "escalationRaise", variables
    variables = {
        "familyId": family["id"],
        "description": f"Action {i}",
        "ownerUserId": family["users"][1 + n % SUBSCRIBED],
        "dueDate": (date.today() + timedelta(days=14)).isoformat(),
    }
    return "PlanActionAdd", "planActionAdd", variables


def told(mix: str, mutations: int, start: int = 0) -> int:
    """How many subscribers the mutations numbered start.. tell, in all."""
    if mix == "team":
        return mutations * SUBSCRIBED
    return sum(SUBSCRIBED if i % 2 == 0 else 1 for i in range(start, start + mutations))


async def burst(
    base: str,
    families: list[dict],
    mutations: int,
    concurrency: int,
    halfway: asyncio.Event,
    start: int = 0,
    mix: str = "team",
) -> tuple[dict[str, float], list[float], dict[str, float]]:
    """Run the mutations (numbered from `start`: each adds a newcomer not added before, or raises or
    assigns something new); return the id each created -> time of the committed response, the round
    trips, and that id -> time the request was sent."""
    documents = DOCUMENTS
    responses: dict[str, float] = {}
    durations: list[float] = []
    requested: dict[str, float] = {}
    jobs = [(families[i % len(families)], i // len(families), i) for i in range(start, start + mutations)]
    queue: asyncio.Queue = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            family, n, i = queue.get_nowait()
            operation, field_name, variables = mutation(mix, family, n, i)
            sent = time.perf_counter()
            response = await client.post(
                "/graphql",
                json={"query": documents[operation], "operationName": operation, "variables": {"input": variables}},
                headers={"Authorization": f"Bearer {family['tokens'][0]}"},
            )
            body = response.json()
            assert "errors" not in body, body
            created = body["data"][field_name]["id"]
            responses[created] = time.perf_counter()
            requested[created] = sent
            durations.append(time.perf_counter() - sent)
            if len(responses) >= mutations // 2:
                halfway.set()

    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return responses, durations, requested


def rss(process: subprocess.Popen) -> int:
    return psutil.Process(process.pid).memory_info().rss


async def expected_ids(url: str, after: int, kinds: tuple[str, ...]) -> dict[str, set[int]]:
    """Per recipient, the ids of the live notifications of the burst's kinds made after it began (the truth)."""
    connection = await asyncpg.connect(dsn(url))
    try:
        rows = await connection.fetch(
            "SELECT recipient_user_id, id FROM notification WHERE id > $1 AND delivery = 'live' AND kind = ANY($2)",
            after,
            list(kinds),
        )
    finally:
        await connection.close()
    truth: dict[str, set[int]] = {}
    for user_id, notification_id in rows:
        truth.setdefault(str(user_id), set()).add(notification_id)
    return truth


async def top_id(url: str) -> int:
    connection = await asyncpg.connect(dsn(url))
    try:
        return await connection.fetchval("SELECT coalesce(max(id), 0) FROM notification")
    finally:
        await connection.close()


async def main(args: argparse.Namespace) -> None:
    server, handle = postgres()
    try:
        figures = {}
        for target in ("app", "baseline") if args.compare else (args.target,):
            figures[target] = await measure(args, server, target)
            print()
        if args.compare:
            compare(figures["app"], figures["baseline"])
    finally:
        del handle


async def measure(args: argparse.Namespace, server: str, target: str = "app", database: str = "taf_bench") -> dict:
    """One run against `target` on a freshly seeded database; prints the report and returns its figures."""
    url = await recreate(server, database)
    await migrate(url)
    families = await seed(url, args.subscribers, args.warmup + args.mutations)
    ports = [free_port(), free_port()]
    processes = [start_server(url, port, target) for port in ports]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    profiler = None
    try:
        await asyncio.gather(*(ready(base) for base in bases))
        await asyncio.sleep(1)
        baseline = [rss(p) for p in processes]
        start_cursor = await top_id(url)
        stop, dead = asyncio.Event(), set()
        subs: list[Subscriber] = []
        tasks = []
        for f, family in enumerate(families):
            for i in range(1, TEAM):  # the lead is the actor: never told
                side = (f * SUBSCRIBED + i) % 2
                subs.append(Subscriber(family["users"][i], family["tokens"][i], side, start_cursor))
                tasks.append(asyncio.create_task(follow(subs[-1], bases, dead, stop)))
                if len(tasks) % 100 == 0:
                    await asyncio.sleep(0.05)
        await asyncio.gather(*(sub.subscribed.wait() for sub in subs))
        await asyncio.sleep(3)  # no "subscribed" ack in the protocol; let every subscription register
        connected = [rss(p) for p in processes]
        if args.warmup:
            start_cursor = await warm_up(args, bases[0], families, subs, url)
        load_before = os.getloadavg()
        if args.profile:
            profiler = subprocess.Popen(  # noqa: ASYNC220, S603 (the operator's own py-spy, started once)
                [
                    args.py_spy,
                    "record",
                    "--pid",
                    str(processes[1].pid),
                    "--format",
                    "raw",
                    "--output",
                    args.profile,
                    "--rate",
                    "200",
                    "--nonblocking",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            await asyncio.sleep(1)
        halfway = asyncio.Event()
        started = time.perf_counter()
        burst_task = asyncio.create_task(
            burst(bases[0], families, args.mutations, args.concurrency, halfway, start=args.warmup, mix=args.mix)
        )
        if args.kill:
            await halfway.wait()
            processes[1].kill()  # SIGKILL: no goodbye to anyone
            dead.add(1)
        responses, durations, requested = await burst_task
        expected = told(args.mix, args.mutations, start=args.warmup)
        deadline = time.perf_counter() + 90
        while sum(len(set(sub.ids)) for sub in subs) < expected and time.perf_counter() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        load_after = os.getloadavg()
        await asyncio.sleep(1)  # let late duplicates, if any, show
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        truth = await expected_ids(url, start_cursor, KINDS[args.mix])
        memory = (baseline, connected)
        timing = (responses, requested, durations)
        return report(args, target, subs, truth, timing, started, memory, load_before, load_after)
    finally:
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(timeout=60)
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            process.wait(timeout=30)


async def warm_up(args: argparse.Namespace, base: str, families: list[dict], subs: list, url: str) -> int:
    """A first, unmeasured burst, as a server in service has long since run every statement it runs: the
    first requests after a start compile SQL and prepare statements on each pooled connection. What the
    cold start cost is printed, not hidden; the measured burst then starts from a clean slate (cursor)."""
    responses, _, _ = await burst(base, families, args.warmup, args.concurrency, asyncio.Event(), mix=args.mix)
    expected = told(args.mix, args.warmup)
    deadline = time.perf_counter() + 60
    while sum(len(set(sub.ids)) for sub in subs) < expected and time.perf_counter() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.1)
    cold = [
        (t - responses[m]) * 1000 for sub in subs if sub.started_on == 1 for m, t, _ in sub.receipts if m in responses
    ]
    if cold:
        print(
            f"warm-up (not measured): {args.warmup} mutations, latency on B p50 {pct(cold, 50):.1f} ms,"
            f" max {max(cold):.1f} ms"
        )
    for sub in subs:
        sub.ids.clear()
        sub.receipts.clear()
    return await top_id(url)


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else float("nan")


def report(args, target, subs, truth, timing, started, memory, load_before, load_after) -> dict:
    """Print the run's figures (the same lines for both targets) and return them."""
    responses, requested, durations = timing
    per_side = [sum(1 for sub in subs if sub.started_on == side) for side in (0, 1)]
    total = sum(len(sub.ids) for sub in subs)
    unique = sum(len(set(sub.ids)) for sub in subs)
    figures: dict = {
        "target": target,
        "load_before": load_before[0],
        "load_after": load_after[0],
        "expected": sum(len(truth.get(sub.user_id, ())) for sub in subs),
        "received": total,
        "duplicates": total - unique,
        "missing": sum(len(truth.get(sub.user_id, set()) - set(sub.ids)) for sub in subs),
        "foreign": sum(len(set(sub.ids) - truth.get(sub.user_id, set())) for sub in subs),
        "round_trip_p50": statistics.median(durations) * 1000,
    }
    moved = [sub for sub in subs if sub.started_on == 1] if args.kill else []
    print(f"target: {TARGETS[target]}")
    print(
        f"subscribers: {sum(per_side)} ({per_side[0]} on A, {per_side[1]} on B);"
        f" mutations on A: {args.mutations} ({MIXES[args.mix]})"
    )
    print(f"load average: {load_before[0]:.2f} before the burst, {load_after[0]:.2f} after (1-minute)")
    print(f"mutation round trip on A: p50 {figures['round_trip_p50']:.0f} ms, max {max(durations) * 1000:.0f} ms")
    print(
        f"completeness: expected {figures['expected']} (the rows made for the subscribers, {args.mutations} mutations),"
        f" received {total}, duplicates dropped by id {total - unique}, missing {figures['missing']},"
        f" not expected {figures['foreign']}"
    )
    if args.kill:
        complete = sum(1 for sub in moved if truth.get(sub.user_id, set()) <= set(sub.ids))
        print(
            f"killed B halfway: {len(moved)} of its subscribers resumed on A with their cursor"
            f" ({sum(sub.reconnects for sub in moved)} reconnects);"
            f" {complete} of {len(moved)} ended with the complete set"
        )
        print(f"what ended their connections: {dict(sum((sub.why for sub in moved), Counter()))}")
    receipts = [(m, t, lag) for sub in subs for m, t, lag in sub.receipts]
    if not receipts:
        return figures
    last = max(t for _, t, _ in receipts)
    figures["throughput"] = total / (last - started)
    print(f"throughput: {figures['throughput']:.0f} notifications/s delivered over {last - started:.2f} s")
    if not args.kill:
        figures |= latency(subs, responses, requested, receipts)
        memory_per_connection(per_side, *memory)
    return figures


def latency(subs: list[Subscriber], responses: dict[str, float], requested: dict[str, float], receipts: list) -> dict:
    on_b = [(m, t) for sub in subs if sub.started_on == 1 for m, t, _ in sub.receipts if m in responses]
    other = [(t - responses[m]) * 1000 for m, t in on_b]
    end_to_end = [(t - requested[m]) * 1000 for m, t in on_b]
    everyone = [(t - responses[m]) * 1000 for m, t, _ in receipts if m in responses]
    print(
        f"latency A-response -> receipt on B: p50 {pct(other, 50):.1f} ms, p95 {pct(other, 95):.1f} ms,"
        f" p99 {pct(other, 99):.1f} ms, max {max(other):.1f} ms"
    )
    print(
        f"latency mutation sent -> receipt on B: p50 {pct(end_to_end, 50):.1f} ms, p95 {pct(end_to_end, 95):.1f} ms,"
        f" p99 {pct(end_to_end, 99):.1f} ms (the mutation's own round trip included)"
    )
    lag = [lag * 1000 for *_, lag in receipts]
    print(
        f"row created -> receipt: p50 {statistics.median(lag):.1f} ms, p99 {pct(lag, 99):.1f} ms, max {max(lag):.1f} ms"
    )
    print(f"latency, all subscribers: p50 {pct(everyone, 50):.1f} ms, p99 {pct(everyone, 99):.1f} ms")
    return {
        "p50": pct(other, 50),
        "p95": pct(other, 95),
        "p99": pct(other, 99),
        "max": max(other),
        "sent_p50": pct(end_to_end, 50),
        "sent_p99": pct(end_to_end, 99),
    }


def memory_per_connection(per_side: list[int], baseline: list[int], connected: list[int]) -> None:
    for side, name in ((0, "A"), (1, "B")):
        delta = connected[side] - baseline[side]
        print(
            f"memory {name}: RSS {baseline[side] / 2**20:.0f} -> {connected[side] / 2**20:.0f} MiB, "
            f"{delta / max(per_side[side], 1) / 1024:.0f} KiB per connection"
        )


def compare(app: dict, baseline: dict) -> None:
    """App / baseline, and app - baseline for latency: a ratio to a baseline latency near zero (it can be
    below zero: B may hear of a commit before A's response is read) says little, the difference does."""
    nan = float("nan")
    for name, figures in (("app", app), ("baseline", baseline)):
        print(
            f"{name}: p50 {figures.get('p50', nan):.1f} ms, p95 {figures.get('p95', nan):.1f} ms,"
            f" p99 {figures.get('p99', nan):.1f} ms; from the request: p50 {figures.get('sent_p50', nan):.1f} ms,"
            f" p99 {figures.get('sent_p99', nan):.1f} ms; {figures.get('throughput', 0):.0f} notifications/s,"
            f" missing {figures['missing']},"
            f" load {figures['load_before']:.2f} before / {figures['load_after']:.2f} after (1-minute)"
        )

    def ratio(key: str) -> str:
        if min(baseline.get(key, 0), app.get(key, 0)) <= 0.5:  # near or below zero: no meaningful ratio
            return "n/a"
        value = app.get(key, nan) / baseline[key]
        return f"{value:.2f}x" if key == "throughput" else f"{value:.1f}x"

    def more(key: str) -> str:
        return f"{app.get(key, nan) - baseline.get(key, nan):+.1f} ms"

    print(
        f"app / baseline: p50 {ratio('p50')} ({more('p50')}), p95 {ratio('p95')} ({more('p95')}),"
        f" p99 {ratio('p99')} ({more('p99')}),"
        f" throughput {ratio('throughput')}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--mutations", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--target", choices=sorted(TARGETS), default="app", help="the servers to run (default: app)")
    parser.add_argument("--compare", action="store_true", help="run the app, then the baseline, and print the ratios")
    parser.add_argument("--kill", action="store_true", help="SIGKILL instance B halfway through the burst")
    parser.add_argument(
        "--mix",
        choices=("team", "risk"),
        default="team",
        help="team: team member additions (what the baseline also does); risk: escalations and action assignments",
    )
    parser.add_argument(
        "--warmup", type=int, default=20, help="mutations sent (and delivered) before the measured burst; 0: none"
    )
    parser.add_argument("--profile", help="write py-spy's raw (collapsed) stacks of instance B to this file")
    parser.add_argument("--py-spy", default="py-spy", help="the py-spy executable (not a project dependency)")
    arguments = parser.parse_args()
    if arguments.compare and arguments.kill:
        parser.error("--compare measures latency, which a --kill run does not report")
    if arguments.mix != "team" and (arguments.compare or arguments.target == "baseline"):
        parser.error("the baseline implements team member additions only: --mix team")
    asyncio.run(main(arguments))
