"""Group commit of the requests' read audits: concurrent requests' events written by one INSERT in one transaction.

Every request that reads another agency's items writes its audit events before it answers (server/api/audit.py),
committed with synchronous commit, and the chain's trigger takes one advisory lock per transaction and holds it
until the commit's WAL flush. Written one transaction per request, concurrent requests queue on that lock and
each waits for a flush of its own. Here the events of the requests that arrive while one transaction is being
written wait, and go together in the next: one lock, one flush for all of them. Each request still answers only
once the transaction holding its events has committed, with the same rows in the same order (chained by the same
trigger); a request alone (one client) writes at once, as before, so no latency is added when nothing queues.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from server.db import driver

# One text whatever the number of events (asyncpg prepares it once per connection): the columns as arrays,
# unnested in their order. The rows go to the trigger in that order, so chain order is the arrays' order.
_INSERT = """
INSERT INTO audit_event (at, actor_user_id, action, outcome, family_id, address, detail)
SELECT e.at, e.actor_user_id, e.action, e.outcome, e.family_id, e.address, e.detail::jsonb
FROM unnest($1::timestamptz[], $2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::text[], $7::text[])
     WITH ORDINALITY AS e(at, actor_user_id, action, outcome, family_id, address, detail, n)
ORDER BY e.n
"""

# What one request's events can cause: data exceptions (a value too long) and constraints, by SQLSTATE class.
_ROWS_REFUSED = ("22", "23")

_MOST_REQUESTS = 256  # per transaction: bounds how long one transaction holds the chain's lock

Rows = Sequence[dict[str, Any]]
Encoded = list[tuple[Any, ...]]


class GroupCommit:
    """The audit writer of one engine: at most one transaction in flight, the next one gathering the waiters."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._waiting: list[tuple[Encoded, asyncio.Future[None]]] = []
        self._writing = False
        self._loop: asyncio.AbstractEventLoop | None = None

    async def write(self, rows: Rows) -> None:
        """Return once `rows` are committed; raise what writing them raised."""
        encoded = [_encoded(row) for row in rows]
        if not encoded:
            return
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # an engine outlives a loop in tests: what the old loop left cannot finish
            self._loop, self._waiting, self._writing = loop, [], False
        if not self._writing:  # nothing in flight: write at once, no wait added
            self._writing = True
            try:
                await self._insert(encoded)
            finally:
                self._next()
            return
        future: asyncio.Future[None] = loop.create_future()
        self._waiting.append((encoded, future))
        await future

    def _next(self) -> None:
        if self._waiting:
            task = asyncio.get_running_loop().create_task(self._write_waiting())
            _RUNNING.add(task)  # a task nothing refers to may be collected before it ends
            task.add_done_callback(_RUNNING.discard)
        else:
            self._writing = False

    async def _write_waiting(self) -> None:
        batch, self._waiting = self._waiting[:_MOST_REQUESTS], self._waiting[_MOST_REQUESTS:]
        try:
            await self._insert([row for rows, _ in batch for row in rows])
            for _, future in batch:
                _settle(future, None)
        except Exception as error:
            await self._each_alone(batch, error)
        finally:
            self._next()

    async def _each_alone(self, batch: list[tuple[Encoded, asyncio.Future[None]]], error: Exception) -> None:
        """A transaction that failed on its rows fails only the requests whose own events fail: each is tried
        again alone. One that failed on the database (down, unreachable) fails them all at once, not one by one."""
        if len(batch) == 1 or not _rows_refused(error):
            for _, future in batch:
                _settle(future, error)
            return
        for rows, future in batch:
            try:
                await self._insert(rows)
            except Exception as own:
                _settle(future, own)
            else:
                _settle(future, None)

    async def _insert(self, rows: Encoded) -> None:
        columns = tuple(list(column) for column in zip(*rows, strict=True))
        # One statement sent alone is its own transaction (autocommit, synchronous commit as configured):
        # one round trip, committed before it returns. On the app's read connections where it has them (no
        # SQLAlchemy: server/db/driver.py), else on a pooled connection.
        await driver.fetchrow_alone(self._engine, _INSERT, *columns)


# A read event's detail lists every item read: ~24 kB for a page of 100 other agencies' items, which json.dumps
# wrote in ~95 µs and orjson writes in ~7 (bench/README.md). As strict as json.dumps: a datetime, a dataclass or
# any other object it has no JSON for raises TypeError. Keys that are not text are written as json.dumps writes
# them; a number PostgreSQL's jsonb would refuse (NaN, infinity) is written as null.
_DETAIL_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS


def _encoded(row: dict[str, Any]) -> tuple[Any, ...]:
    """An event as the INSERT's parameters take it (in the request's own task: what cannot be written as JSON
    fails that request, not the transaction it would have shared)."""
    outcome, detail = str(row["outcome"]), orjson.dumps(row["detail"], option=_DETAIL_OPTIONS).decode()
    return (row["at"], row["actor_user_id"], row["action"], outcome, row["family_id"], row["address"], detail)


def _rows_refused(error: Exception) -> bool:
    """What the database said of the rows (the driver's error, or SQLAlchemy's around it)."""
    state = getattr(error.orig if isinstance(error, DBAPIError) else error, "sqlstate", None)
    return isinstance(state, str) and state[:2] in _ROWS_REFUSED


def _settle(future: asyncio.Future[None], error: Exception | None) -> None:
    if future.done():  # its request was cancelled: its events are written all the same
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)


_RUNNING: set[asyncio.Task] = set()
_WRITERS: weakref.WeakKeyDictionary[AsyncEngine, GroupCommit] = weakref.WeakKeyDictionary()


def writer(engine: AsyncEngine) -> GroupCommit:
    found = _WRITERS.get(engine)
    if found is None:
        found = _WRITERS[engine] = GroupCommit(engine)
    return found
