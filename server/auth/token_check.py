"""The connections the token check runs on: a few driver connections of its own, held by the app.

Every signed-in request asks PostgreSQL whether its token still stands (server/auth/service.py `authenticate`),
so that a sign-out ends the sign-in for the very next request on every instance. That one statement is cheap;
drawing a connection for it from SQLAlchemy's pool was not (checkout, greenlet, reset on return: about two
thirds of the check's CPU, bench/README.md "The cost of being signed in"). Here an idle connection is taken
from a list and put back, nothing else. Nothing about a sign-in is kept: only the connections are.

The connections are opened as the engine's pool opens its own (server/db/engine.py `driver_connection`: same
URL, connect arguments and statement timeout), when first needed. At most `size` of them: when all are busy
(concurrent requests), a check runs on a pooled connection as before, rather than wait.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

TOKEN_CHECK_CONNECTIONS = 2


class TokenCheck:
    def __init__(
        self,
        engine: AsyncEngine,
        connect: Callable[[], Awaitable[asyncpg.Connection]],
        *,
        size: int = TOKEN_CHECK_CONNECTIONS,
    ) -> None:
        self.engine = engine
        self.connect = connect
        self.size = size
        self._idle: list[asyncpg.Connection] = []
        self._open = 0
        self._closed = False

    @property
    def open_connections(self) -> int:
        return self._open

    async def fetchrow(self, query: str, *args: object) -> asyncpg.Record | None:
        """`query`'s first row, on an idle connection of the check's own, a new one, or a pooled one."""
        connection = await self._take()
        if connection is None:
            return await self._on_pooled(query, args)
        try:
            row = await connection.fetchrow(query, *args)
        except BaseException:
            # A failed or cancelled statement may leave the connection mid-protocol: it is not reused.
            self._drop(connection)
            raise
        self._give_back(connection)
        return row

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

    async def _on_pooled(self, query: str, args: tuple[object, ...]) -> asyncpg.Record | None:
        async with self.engine.connect() as connection:
            pooled = await connection.get_raw_connection()
            return await pooled.driver_connection.fetchrow(query, *args)  # type: ignore[union-attr]

    def _give_back(self, connection: asyncpg.Connection) -> None:
        if self._closed:
            self._drop(connection)
        else:
            self._idle.append(connection)

    def _drop(self, connection: asyncpg.Connection) -> None:
        self._open -= 1
        connection.terminate()
