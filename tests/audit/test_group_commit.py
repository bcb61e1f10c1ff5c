"""Group commit of read audits (server/audit/group_commit.py): concurrent requests' events share one transaction,
each request returns only once its events are committed, and one request's bad events fail only that request."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import sqlalchemy as sa

from server.audit.chain import verify
from server.audit.group_commit import GroupCommit
from server.audit.models import AuditOutcome
from server.clock import utcnow
from server.db import driver
from server.db.engine import driver_connection


def _rows(marker: str, n: int, *, address: str = "127.0.0.1") -> list[dict]:
    return [
        {
            "at": utcnow(),
            "actor_user_id": uuid.uuid4(),
            "action": "contribution_read",
            "outcome": AuditOutcome.allowed,
            "family_id": uuid.uuid4(),
            "address": address,
            "detail": {"marker": marker, "n": i},
        }
        for i in range(n)
    ]


@pytest.fixture(params=["pool", "driver", "driver busy"])
async def engine(request, sessions):
    """The sessions' engine, with or without read connections registered (the app's: server/db/driver.py); "driver
    busy": registered, none ever free (each INSERT then goes to a pooled connection, as when every one is busy)."""
    bound = sessions.kw["bind"]
    if request.param == "pool":
        yield bound
        return
    size = 0 if request.param == "driver busy" else 2
    connections = driver.DriverConnections(bound, lambda: driver_connection(bound), size=size)
    driver.register_reads(connections)
    try:
        yield bound
    finally:
        driver.unregister_reads(bound)
        await connections.close()


async def _written(engine, marker_prefix: str) -> list[tuple[str, int, int]]:
    """(marker, n, transaction id) of the events written under markers starting with the prefix, in chain order."""
    async with engine.connect() as connection:
        found = await connection.execute(
            sa.text(
                "SELECT detail->>'marker', (detail->>'n')::int, xmin::text::bigint FROM audit_event"
                " WHERE detail->>'marker' LIKE :prefix ORDER BY chain_position"
            ),
            {"prefix": f"{marker_prefix}%"},
        )
        return [tuple(row) for row in found]


async def _committed(engine, marker: str) -> int:
    async with engine.connect() as connection:
        return (
            await connection.execute(
                sa.text("SELECT count(*) FROM audit_event WHERE detail->>'marker' = :m"), {"m": marker}
            )
        ).scalar_one()


async def test_concurrent_requests_share_transactions_and_return_once_committed(sessions, engine):
    # given one writer and twenty requests arriving together, each with two events
    writer = GroupCommit(engine)
    prefix = f"group-{uuid.uuid4()}-"

    async def request(k: int) -> int:
        await writer.write(_rows(f"{prefix}{k}", 2))
        return await _committed(engine, f"{prefix}{k}")  # seen by another connection once write returns

    # when they write
    seen = await asyncio.gather(*(request(k) for k in range(20)))
    # then each request's events were committed when it returned
    assert seen == [2] * 20
    written = await _written(engine, prefix)
    assert len(written) == 40
    # and fewer transactions than requests wrote them (the first alone, the rest together)
    transactions = {xid for _, _, xid in written}
    assert len(transactions) < 20, len(transactions)
    # and each request's events are together, in their order, and the chain is intact
    for k in range(20):
        positions = [i for i, (marker, _, _) in enumerate(written) if marker == f"{prefix}{k}"]
        assert positions[1] == positions[0] + 1
        assert [written[i][1] for i in positions] == [0, 1]
    async with sessions() as session:
        assert (await verify(session)).intact


async def test_one_requests_bad_events_fail_that_request_only(sessions, engine):
    # given a writer busy with one request, and three more queued, the second with an address too long to store
    writer = GroupCommit(engine)
    prefix = f"bad-{uuid.uuid4()}-"
    first = asyncio.ensure_future(writer.write(_rows(f"{prefix}first", 1)))
    await asyncio.sleep(0)
    queued = [
        asyncio.ensure_future(writer.write(_rows(f"{prefix}0", 1))),
        asyncio.ensure_future(writer.write(_rows(f"{prefix}1", 1, address="x" * 200))),
        asyncio.ensure_future(writer.write(_rows(f"{prefix}2", 1))),
    ]
    # when they are written
    await first
    results = await asyncio.gather(*queued, return_exceptions=True)
    # then only the bad one failed, and the others were committed
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], Exception)
    assert await _committed(engine, f"{prefix}0") == 1
    assert await _committed(engine, f"{prefix}1") == 0
    assert await _committed(engine, f"{prefix}2") == 1


async def test_a_request_alone_is_written_at_once(sessions, engine):
    # given a writer with nothing in flight
    writer = GroupCommit(engine)
    marker = f"alone-{uuid.uuid4()}"
    # when one request writes, then its events are committed when it returns, by the request's own task
    task = asyncio.current_task()
    await writer.write(_rows(marker, 3))
    assert asyncio.current_task() is task
    assert await _committed(engine, marker) == 3


async def test_events_that_cannot_be_written_as_json_fail_their_own_request_at_once(sessions, engine):
    # given a writer busy with one request
    writer = GroupCommit(engine)
    prefix = f"json-{uuid.uuid4()}-"
    first = asyncio.ensure_future(writer.write(_rows(f"{prefix}first", 1)))
    await asyncio.sleep(0)
    queued = asyncio.ensure_future(writer.write(_rows(f"{prefix}queued", 1)))
    bad = _rows(f"{prefix}bad", 1)
    bad[0]["detail"]["not json"] = object()
    # when a request's events cannot be written as JSON, then it fails in its own task, before it queues
    with pytest.raises(TypeError):
        await writer.write(bad)
    # and the others are written
    await asyncio.gather(first, queued)
    assert await _committed(engine, f"{prefix}queued") == 1
