"""The async engine and the unit of work: services never commit, the boundary does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

SessionFactory = async_sessionmaker[AsyncSession]


def create_engine(url: str, *, pool_size: int = 10, statement_timeout_ms: int = 15_000) -> AsyncEngine:
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=10,
        pool_timeout=10,  # give up (UNAVAILABLE) rather than queue a request forever
        # No pre-ping: it cost three round trips (BEGIN, ping, ROLLBACK) on every checkout, a sixth of a small
        # read's CPU. A connection a restarted database cut fails on its first use instead; SQLAlchemy then
        # sees the disconnect and invalidates the whole pool at once, so one request (UNAVAILABLE, safe to
        # retry under its idempotency key) or one dispatch round (retried) pays for the restart, not each.
        pool_pre_ping=False,
        connect_args={
            "timeout": 5,
            "server_settings": {"application_name": "taf", "statement_timeout": str(statement_timeout_ms)},
        },
    )


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
