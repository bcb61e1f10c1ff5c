"""Fault injection: PostgreSQL restarts in the middle of a stream of writes. Every write that was
acknowledged is there afterwards; every write that failed said so with UNAVAILABLE; the server
recovers by itself."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import col, select

from server.contribution.models import Contribution
from tests import conftest
from tests.auth_helpers import sign_in
from tests.builders import create_area


@pytest.fixture
def embedded_postgres():
    handle = getattr(conftest.server_url, "handle", None)
    if handle is None:
        pytest.fail("this test restarts the embedded PostgreSQL; unset DATABASE_URL to run it")
    return handle


async def test_acknowledged_writes_survive_a_database_restart(gql, sessions, embedded_postgres):
    # given a worker writing items one after another
    area = await create_area(sessions)
    token = await sign_in(gql, area.colleague)
    acknowledged, refused, other = [], [], []

    async def write(n: int) -> None:
        title = f"restart item {area.family.id} {n}"
        result = await gql.op(
            "ContributionAdd",
            {
                "input": {
                    "familyId": str(area.family.id),
                    "kind": "update",
                    "category": "education",
                    "title": title,
                    "body": "written during a database restart",
                }
            },
            token=token,
        )
        if "errors" not in result:
            acknowledged.append(title)
        elif result["errors"][0]["extensions"]["code"] == "UNAVAILABLE":
            refused.append(title)
        else:
            other.append(result["errors"][0])

    async def stream() -> None:
        for n in range(60):
            await write(n)
            await asyncio.sleep(0.05)

    # when PostgreSQL restarts in the middle of the stream
    writer = asyncio.create_task(stream())
    await asyncio.sleep(0.5)
    await asyncio.to_thread(embedded_postgres.stop)
    await asyncio.sleep(1.0)
    await asyncio.to_thread(embedded_postgres.ensure_postgres_running)
    await writer
    await write(999)  # the server recovered without a restart of its own
    # then every acknowledged write is stored, every failure was UNAVAILABLE, and nothing else happened
    async with sessions() as session:
        stored = set(
            (await session.exec(select(Contribution.title).where(col(Contribution.family_id) == area.family.id))).all()
        )
    assert other == []
    assert set(acknowledged) <= stored
    assert not set(refused) & stored
    assert refused, "the restart should have refused some writes"
    assert f"restart item {area.family.id} 999" in stored
