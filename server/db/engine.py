"""The async engine and the unit of work: services never commit, the boundary does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

SessionFactory = async_sessionmaker[AsyncSession]


def create_engine(url: str, *, pool_size: int = 10, statement_timeout_ms: int = 15_000) -> AsyncEngine:
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=10,
        pool_timeout=10,  # give up (UNAVAILABLE) rather than queue a request forever
        # No pre-ping: it costs three round trips (BEGIN, ping, ROLLBACK) on every checkout, a sixth of a small
        # read's CPU. `_replace_if_cut` below catches what it is for, a connection PostgreSQL closed, without one.
        pool_pre_ping=False,
        connect_args=_connect_args(statement_timeout_ms),
    )
    event.listen(engine.sync_engine, "checkout", _replace_if_cut)
    return engine


def _connect_args(statement_timeout_ms: int) -> dict[str, object]:
    return {
        "timeout": 5,
        "server_settings": {"application_name": "taf", "statement_timeout": str(statement_timeout_ms)},
    }


async def driver_connection(engine: AsyncEngine, *, statement_timeout_ms: int = 15_000) -> asyncpg.Connection:
    """A plain asyncpg connection to the engine's database, opened as the engine's pool opens its own (same URL,
    timeouts and settings), for a hot statement that needs no SQLAlchemy at all (server/db/driver.py)."""
    _args, options = engine.dialect.create_connect_args(make_url(engine.url))
    for adapter_only in ("prepared_statement_cache_size", "prepared_statement_name_func", "async_creator_fn"):
        options.pop(adapter_only, None)
    # Every statement's plan kept, whatever its size: asyncpg keeps only texts under 15 kB by default, and a compiled
    # read's text is up to ~80 kB (FamilyChronology), which PostgreSQL would plan anew on every run (~6 ms).
    arguments = _connect_args(statement_timeout_ms)
    # And kept whatever the statistics: these connections run only statements built once, with the actor's and the
    # family's ids as parameters, whose generic plan is the one measured (bench/README.md). Left to choose,
    # PostgreSQL replans such a statement on every run (2 ms for FamilyContributions) once its estimate for the
    # values at hand comes in under the generic plan's, which the statistics of a busy table can make so any day.
    arguments["server_settings"] = {**arguments["server_settings"], "plan_cache_mode": "force_generic_plan"}
    return await asyncpg.connect(**options, **arguments, max_cacheable_statement_size=0)


def _replace_if_cut(dbapi_connection, _record, _proxy) -> None:
    """A pooled connection that PostgreSQL closed (a restart, a terminated backend) is known to be closed
    already: asyncpg reads every socket, so it saw the end of the stream. Such a connection is replaced at
    checkout (the pool retries with a new one) instead of failing the request that drew it."""
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the database closed this pooled connection")


def create_session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def unit_of_work(sessions: SessionFactory) -> AsyncIterator[AsyncSession]:
    """One transaction: committed when the block succeeds, rolled back when it raises."""
    async with sessions() as session, session.begin():
        yield session


@asynccontextmanager
async def read_session(sessions: SessionFactory) -> AsyncIterator[AsyncSession]:
    """A short session for one read; GraphQL resolvers run concurrently, so each gets its own."""
    async with sessions() as session:
        yield session
