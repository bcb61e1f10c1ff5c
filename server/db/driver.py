"""Driver connections of the app's own: a few asyncpg connections held by the app for its hottest statements, each
one statement alone (autocommit), with no SQLAlchemy around it.

Drawing a connection from SQLAlchemy's pool and executing through it costs more CPU than a small statement's own
work: checkout and return, the greenlet bridge, the cursor (bench/README.md "The cost of being signed in", and
"... compiled reads on driver connections"). Here an idle connection is taken from a list and put back, nothing
else. Two sets of them: the token check's (server/auth/service.py `authenticate`), and the reads' (registered for
the engine, `reads`): what server/db/prepared.py `first_alone` and `all_alone` run (the compiled reads, a meeting's
parts, the rate budget's count) and the read audit's INSERT (server/audit/group_commit.py), through `fetchrow_alone`
and `fetch_alone`. Nothing is kept on them but prepared statements: each
statement is alone, its own transaction (autocommit), as before.

The connections are opened as the engine's pool opens its own (server/db/engine.py `driver_connection`: same URL,
connect arguments and statement timeout), when first needed. At most `size` of them: when all are busy
(concurrent requests), a statement runs on a pooled connection, rather than wait.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

StatementObserver = Callable[[str], None]


class DriverConnections:
    def __init__(self, engine: AsyncEngine, connect: Callable[[], Awaitable[asyncpg.Connection]], *, size: int) -> None:
        self.engine = engine
        self.connect = connect
        self.size = size
        # Told of each statement sent (its text), as SQLAlchemy's engine events are of the pool's: the tests count
        # a request's statements with both (tests/api/test_query_counts.py).
        self.observers: list[StatementObserver] = []
        self._idle: list[asyncpg.Connection] = []
        self._open = 0
        self._closed = False

    @property
    def open_connections(self) -> int:
        return self._open

    async def fetchrow(self, query: str, *args: object) -> Any:
        """`query`'s first row (a record its columns are read from by position), or None: on an idle connection of
        this set, a new one, or a pooled one."""
        return await self._send(query, args, every=False)

    async def fetch(self, query: str, *args: object) -> list[Any]:
        """`query`'s rows (each read by position), as `fetchrow` sends it."""
        return await self._send(query, args, every=True)

    async def _send(self, query: str, args: tuple[object, ...], *, every: bool) -> Any:
        for observer in self.observers:
            observer(query)
        connection = await self._take()
        if connection is None:
            return await _on_pool(self.engine, query, args, every=every)
        try:
            found = await (connection.fetch(query, *args) if every else connection.fetchrow(query, *args))
        except BaseException:
            # A failed or cancelled statement may leave the connection mid-protocol: it is not reused.
            self._drop(connection)
            raise
        self._give_back(connection)
        return found

    async def close(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for connection in idle:
            self._open -= 1
            try:
                await connection.close(timeout=5)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                connection.terminate()  # the database is gone already: shutting down goes on

    async def _take(self) -> asyncpg.Connection | None:
        while self._idle:
            connection = self._idle.pop()
            if not connection.is_closed():
                return connection
            self._drop(connection)  # PostgreSQL closed it (a restart, a terminated backend): open another
        if self._closed or self._open >= self.size:
            return None
        self._open += 1
        try:
            return await self.connect()
        except BaseException:
            self._open -= 1
            raise

    def _give_back(self, connection: asyncpg.Connection) -> None:
        if self._closed:
            self._drop(connection)
        else:
            self._idle.append(connection)

    def _drop(self, connection: asyncpg.Connection) -> None:
        self._open -= 1
        connection.terminate()


_READS: weakref.WeakKeyDictionary[AsyncEngine, DriverConnections] = weakref.WeakKeyDictionary()


def register_reads(connections: DriverConnections) -> None:
    """The connections one-statement reads on `connections.engine` run on (the app's, while it serves)."""
    _READS[connections.engine] = connections


def unregister_reads(engine: AsyncEngine) -> None:
    _READS.pop(engine, None)


def reads(engine: AsyncEngine) -> DriverConnections | None:
    """The read connections registered for `engine`; None for an engine no app serves with (a script's, a test's),
    whose reads run on its pool."""
    return _READS.get(engine)


async def fetchrow_alone(engine: AsyncEngine, query: str, *args: object) -> Any:
    """`query`'s first row, or None, the statement sent alone (autocommit: its own transaction, one snapshot, one
    round trip): on the read connections registered for `engine`, else (a script's engine, a test's) on a pooled
    connection."""
    connections = _READS.get(engine)
    if connections is not None:
        return await connections.fetchrow(query, *args)
    return await _on_pool(engine, query, args, every=False)


async def fetch_alone(engine: AsyncEngine, query: str, *args: object) -> list[Any]:
    """`query`'s rows (each read by position), sent as `fetchrow_alone` sends it."""
    connections = _READS.get(engine)
    if connections is not None:
        return await connections.fetch(query, *args)
    return await _on_pool(engine, query, args, every=True)


async def _on_pool(engine: AsyncEngine, query: str, args: tuple[object, ...], *, every: bool) -> Any:
    """Through SQLAlchemy's cursor on a pooled connection, which prepares a text of any size once per connection
    (asyncpg's own cache, which the pooled connection's driver would use, keeps no text over 15 kB): the first row
    or None, or `every` row."""
    async with engine.connect() as connection:
        alone = await connection.execution_options(isolation_level="AUTOCOMMIT")
        result = await alone.exec_driver_sql(query, args)
        if not result.returns_rows:  # an INSERT's, as asyncpg's of one
            return [] if every else None
        return list(result.all()) if every else result.first()
