"""Fault injection: PostgreSQL restarts in the middle of a stream of writes. Every write that failed said
so with UNAVAILABLE; a retry under the same idempotency key stores it exactly once, whether or not the
first attempt committed; the server recovers by itself."""

from __future__ import annotations

import asyncio

from sqlmodel import col, select

from server.contribution.models import Contribution
from tests.auth_helpers import sign_in
from tests.builders import create_area


async def test_acknowledged_writes_survive_a_database_restart(gql, sessions, restartable_postgres):
    # given a worker writing items one after another, each under its own idempotency key, who retries
    # a write answered UNAVAILABLE with the same key (a commit can succeed while its answer is lost,
    # so a retry without a key could store an item twice)
    area = await create_area(sessions)
    token = await sign_in(gql, area.colleague)
    acknowledged: list[str] = []
    unavailable: list[str] = []
    other: list[dict] = []

    async def attempt(title: str, key: str) -> str:
        result = await gql.op(
            "ContributionAdd",
            {
                "input": {
                    "familyId": str(area.family.id),
                    "kind": "update",
                    "category": "education",
                    "title": title,
                    "body": "written during a database restart",
                    "idempotencyKey": key,
                }
            },
            token=token,
        )
        if "errors" not in result:
            return "ok"
        error = result["errors"][0]
        if error["extensions"]["code"] == "UNAVAILABLE":
            return "unavailable"
        other.append(error)
        return "other"

    async def write(n: int) -> None:
        title = f"restart item {area.family.id} {n}"
        key = f"restart-{area.family.id}-{n}"
        for _ in range(200):
            outcome = await attempt(title, key)
            if outcome == "ok":
                acknowledged.append(title)
                return
            if outcome == "other":
                return
            unavailable.append(title)
            await asyncio.sleep(0.1)

    async def stream() -> None:
        for n in range(60):
            await write(n)
            await asyncio.sleep(0.05)

    # when PostgreSQL restarts in the middle of the stream
    writer = asyncio.create_task(stream())
    await asyncio.sleep(0.5)
    await asyncio.to_thread(restartable_postgres.stop)
    await asyncio.sleep(1.0)
    await asyncio.to_thread(restartable_postgres.start)
    await writer
    # then every failure said UNAVAILABLE, every write was acknowledged in the end, and each is stored once
    async with sessions() as session:
        stored = (
            await session.exec(select(Contribution.title).where(col(Contribution.family_id) == area.family.id))
        ).all()
    titles = [f"restart item {area.family.id} {n}" for n in range(60)]
    assert other == []
    assert unavailable, "the restart should have refused some writes"
    assert acknowledged == titles
    assert sorted(stored) == sorted(titles)
