"""Notification burst benchmark (not a test): two server processes, N websocket subscribers split across
them, a burst of committing mutations on the first instance.

Reports the latency from each mutation's response to its receipt by subscribers on the *other*
instance (p50/p99), messages per second, and server memory per connection (RSS delta / connections).

    .venv/bin/python bench/notifications_burst.py --subscribers 1000 --mutations 200

DATABASE_URL: a PostgreSQL server to create the `taf_bench` database on; unset: the embedded one in
.data/bench-pg.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
import uuid
from contextlib import suppress
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import psutil
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.agency.models import Agency, AgencyKind
from server.auth.models import SessionToken
from server.auth.service import token_digest
from server.config import REPO_ROOT, database_url_from
from server.db.columns import utcnow
from server.db.engine import create_engine, create_session_factory, unit_of_work
from server.db.migrate import migrate
from server.family.models import Family, FamilyStatus, LevelOfNeed
from server.team.models import TeamMembership, TeamRole
from server.user.models import SystemRole, User, UserKind
from tests.conftest import free_port, recreate_database
from tests.graphql_client import operation_documents

TEAM = 10


async def seed(url: str, subscribers: int, mutations: int) -> list[dict]:
    """Families of TEAM subscribers each (the first leads); returns per family: tokens, lead, newcomers."""
    engine = create_engine(url)
    sessions = create_session_factory(engine)
    families = []
    async with unit_of_work(sessions) as session:
        agencies = [Agency(name=f"Bench agency {i} {uuid.uuid4().hex[:6]}", kind=AgencyKind.other) for i in range(5)]
        session.add_all(agencies)
        await session.flush()
        for f in range(subscribers // TEAM):
            family = Family(
                reference=f"B{uuid.uuid4().hex[:12]}",
                display_name=f"Bench family {f}",
                status=FamilyStatus.active,
                level_of_need=LevelOfNeed.targeted,
            )
            session.add(family)
            team = [_user(agencies[(f + i) % 5]) for i in range(TEAM)]
            newcomers = [_user(agencies[f % 5]) for _ in range(mutations // (subscribers // TEAM) + 1)]
            session.add_all(team + newcomers)
            await session.flush()
            tokens = []
            for i, user in enumerate(team):
                role = TeamRole.lead_professional if i == 0 else TeamRole.contributor
                session.add(
                    TeamMembership(
                        family_id=family.id,
                        agency_id=user.agency_id,
                        user_id=user.id,
                        role=role,
                        agency_role="x",
                    )
                )
                token = secrets.token_urlsafe(24)
                session.add(
                    SessionToken(
                        user_id=user.id,
                        token_hash=token_digest(token),
                        expires_at=utcnow() + timedelta(hours=2),
                    )
                )
                tokens.append(token)
            families.append({"id": str(family.id), "tokens": tokens, "newcomers": [str(u.id) for u in newcomers]})
    await engine.dispose()
    return families


def _user(agency: Agency) -> User:
    return User(
        email=f"{uuid.uuid4().hex}@bench.example",
        display_name="Bench worker",
        kind=UserKind.staff,
        role=SystemRole.practitioner,
        agency_id=agency.id,
    )


def start_server(url: str, port: int) -> subprocess.Popen:
    environ = os.environ | {
        "DATABASE_URL": url,
        "TAF_PORT": str(port),
        "TAF_DEMO_DATA": "0",
        "TAF_ENV": "test",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "server", "serve"],
        cwd=REPO_ROOT,
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


async def subscriber(base: str, token: str, received: list, subscribed: asyncio.Event, stop: asyncio.Event):
    url = base.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-transport-ws"], open_timeout=60, max_queue=None) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {"token": token}}))
        await ws.recv()
        query = operation_documents()["Notifications"]
        payload = {"query": query, "operationName": "Notifications", "variables": {}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        subscribed.set()
        while not stop.is_set():
            try:
                message = json.loads(await asyncio.wait_for(ws.recv(), 1))
            except TimeoutError:
                continue
            if message["type"] == "ping":
                await ws.send('{"type":"pong"}')
            elif message["type"] == "next":
                now = time.perf_counter()
                data = message["payload"]["data"]["notifications"]
                created = datetime.fromisoformat(data["createdAt"]).timestamp()
                received.append((data["payload"]["membership_id"], int(data["id"]), now, time.time() - created))


async def burst(base: str, families: list[dict], mutations: int, concurrency: int) -> dict[str, float]:
    """Run the mutations; return membership id -> time of the committed response."""
    document = operation_documents()["TeamMemberAdd"]
    responses: dict[str, float] = {}
    durations: list[float] = []
    jobs = [(families[i % len(families)], i // len(families)) for i in range(mutations)]
    queue: asyncio.Queue = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            family, n = queue.get_nowait()
            variables = {
                "input": {
                    "familyId": family["id"],
                    "userId": family["newcomers"][n],
                    "contact": {"agencyRole": "b"},
                }
            }
            sent = time.perf_counter()
            response = await client.post(
                "/graphql",
                json={"query": document, "operationName": "TeamMemberAdd", "variables": variables},
                headers={"Authorization": f"Bearer {family['tokens'][0]}"},
            )
            body = response.json()
            assert "errors" not in body, body
            responses[body["data"]["teamMemberAdd"]["id"]] = time.perf_counter()
            durations.append(time.perf_counter() - sent)

    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    print(f"mutation round trip: p50 {statistics.median(durations) * 1000:.0f} ms, max {max(durations) * 1000:.0f} ms")
    return responses


def rss(process: subprocess.Popen) -> int:
    return psutil.Process(process.pid).memory_info().rss


async def main(args: argparse.Namespace) -> None:
    server = database_url_from({"DATABASE_URL": os.environ.get("DATABASE_URL", "")})
    handle = None
    if server is None:
        from server.db.embedded import start_embedded

        server, handle = start_embedded(REPO_ROOT / ".data", name="bench-pg")
    url = await recreate_database(server, "taf_bench")
    await migrate(url)
    families = await seed(url, args.subscribers, args.mutations)
    ports = [free_port(), free_port()]
    processes = [start_server(url, port) for port in ports]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        await asyncio.gather(*(ready(base) for base in bases))
        await asyncio.sleep(1)
        baseline = [rss(p) for p in processes]
        received: dict[int, list] = {0: [], 1: []}
        stop = asyncio.Event()
        tasks, flags, per_side = [], [], [0, 0]
        for f, family in enumerate(families):
            for i, token in enumerate(family["tokens"][1:]):  # the lead is the actor: never told
                side = (f * TEAM + i) % 2
                per_side[side] += 1
                flags.append(asyncio.Event())
                tasks.append(asyncio.create_task(subscriber(bases[side], token, received[side], flags[-1], stop)))
                if len(tasks) % 100 == 0:
                    await asyncio.sleep(0.05)
        await asyncio.gather(*(flag.wait() for flag in flags))
        await asyncio.sleep(3)  # no "subscribed" ack in the protocol; let every subscription register
        connected = [rss(p) for p in processes]
        started = time.perf_counter()
        responses = await burst(bases[0], families, args.mutations, args.concurrency)
        expected = args.mutations * (TEAM - 1)
        deadline = time.perf_counter() + 60
        while len(received[0]) + len(received[1]) < expected and time.perf_counter() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        report(args, responses, received, expected, started, baseline, connected, per_side)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        del handle


def report(args, responses, received, expected, started, baseline, connected, per_side) -> None:
    other = [(t - responses[m]) * 1000 for m, _, t, _ in received[1] if m in responses]
    everyone = [(t - responses[m]) * 1000 for side in (0, 1) for m, _, t, _ in received[side] if m in responses]
    total = len(received[0]) + len(received[1])
    last = max(t for side in (0, 1) for _, _, t, _ in received[side]) if total else started
    quantiles = statistics.quantiles(other, n=100) if len(other) > 1 else [float("nan")] * 99
    print(f"subscribers: {sum(per_side)} ({per_side[0]} on A, {per_side[1]} on B); mutations on A: {args.mutations}")
    print(f"notifications received: {total} of {expected} expected")
    print(
        f"latency A-response -> receipt on B: p50 {quantiles[49]:.1f} ms, p99 {quantiles[98]:.1f} ms,"
        f" max {max(other):.1f} ms"
    )
    lag = [d * 1000 for side in (0, 1) for *_, d in received[side]]
    print(f"row created -> receipt: p50 {statistics.median(lag):.1f} ms, max {max(lag):.1f} ms")
    print(f"latency, all subscribers: p50 {statistics.median(everyone):.1f} ms")
    print(f"throughput: {total / (last - started):.0f} notifications/s delivered over {last - started:.2f} s")
    for side, name in ((0, "A"), (1, "B")):
        delta = connected[side] - baseline[side]
        print(
            f"memory {name}: RSS {baseline[side] / 2**20:.0f} -> {connected[side] / 2**20:.0f} MiB, "
            f"{delta / max(per_side[side], 1) / 1024:.0f} KiB per connection"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--mutations", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=10)
    asyncio.run(main(parser.parse_args()))
