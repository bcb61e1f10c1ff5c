"""The one read session an HTTP request's resolvers share: concurrent fields take turns on its connection,
one field's failed statement does not fail the others, and nothing reads after the response is built."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from server.db.request_reads import RequestReads


@pytest.fixture
def engine(sessions):
    return sessions.kw["bind"]


async def _pid(reads: RequestReads, delay: float = 0.0) -> int:
    async with reads() as session:
        return (
            await session.exec(sa.text("SELECT pg_backend_pid() FROM pg_sleep(:delay)"), params={"delay": delay})
        ).one()[0]


async def test_concurrent_fields_take_turns_on_one_connection(engine):
    # given a request's reads
    reads = RequestReads(engine)
    # when twenty fields read at once
    pids = await asyncio.gather(*(_pid(reads, 0.01) for _ in range(20)))
    await reads.close()
    # then every read ran, all on the same connection
    assert len(pids) == 20 and len(set(pids)) == 1


async def test_a_failed_statement_does_not_fail_the_other_fields(engine):
    # given a request whose first field's statement fails (an aborted transaction)
    reads = RequestReads(engine)
    async with reads() as session:
        with pytest.raises(sa.exc.DBAPIError):
            await session.exec(sa.text("SELECT 1 / 0"))
    # when another field reads afterwards
    pid = await _pid(reads)
    await reads.close()
    # then it is answered (on a fresh transaction)
    assert pid > 0


async def test_nothing_reads_after_the_response_is_built(engine):
    # given a field still reading when the response is built (a sibling failed; graphql-core does not
    # cancel the others), which means to read once more afterwards
    reads = RequestReads(engine)

    async def field() -> tuple[int, BaseException | None]:
        async with reads() as session:
            pid = (await session.exec(sa.text("SELECT pg_backend_pid() FROM pg_sleep(0.2)"))).one()[0]
            try:
                await session.exec(sa.text("SELECT 1"))
            except RuntimeError as refused:
                return pid, refused
            return pid, None

    running = asyncio.create_task(field())
    await asyncio.sleep(0.05)
    # when the view closes the request's reads
    await reads.close()
    # then the read in progress ends normally, and the one after it is refused (no connection is opened
    # for a response already sent)
    pid, refused = await running
    assert pid > 0
    assert isinstance(refused, RuntimeError)
