"""Per-user (or, with no user, per-address) budgets for expensive operations, counted in PostgreSQL so
that a budget holds across every server instance. Fixed windows: `limit` calls per `window` seconds;
the call over budget answers RATE_LIMITED with `retryAfterSeconds` (when the window ends)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import Field, SQLModel

from server.db.engine import SessionFactory, unit_of_work
from server.db.prepared import prepared
from server.errors import RateLimited


class RateLimitWindow(SQLModel, table=True):
    __tablename__ = "rate_limit_window"

    bucket: str = Field(max_length=40, primary_key=True)
    subject: str = Field(max_length=100, primary_key=True)  # "user:<uuid>" or "address:<ip>"
    window_start: datetime = Field(sa_type=sa.DateTime(timezone=True), primary_key=True)
    hits: int = 0


@dataclass(frozen=True)
class Budget:
    bucket: str  # e.g. "report", "search", "invite", "anonymous"
    limit: int  # calls per window
    window_seconds: int
    what: str  # for the message: "reports", "searches"...


# A count is not a record: its transaction commits without waiting for the WAL flush (this transaction only;
# it is visible to every instance at commit all the same). A crash of PostgreSQL may forget the last fraction of
# a second's counts (at most 3 x wal_writer_delay); without this each count waits for a disk flush, under the
# row's lock, so that one user's concurrent requests queue behind each other's flushes. Audit rows never do this.
_NO_FLUSH_WAIT = sa.select(sa.func.set_config("synchronous_commit", "off", True)).scalar_subquery()


def _count() -> sa.Insert:
    """One more call in the subject's window (:bucket, :subject, :window_start), returning the window's calls; the
    subject's older windows are cleared in the same statement (one round trip)."""
    table = RateLimitWindow.__table__  # type: ignore[attr-defined]
    bucket, subject = sa.bindparam("bucket", type_=sa.String()), sa.bindparam("subject", type_=sa.String())
    window_start = sa.bindparam("window_start", type_=sa.DateTime(timezone=True))
    older = (
        sa.delete(table)
        .where(table.c.bucket == bucket, table.c.subject == subject, table.c.window_start < window_start)
        .cte("older")
    )
    return (
        insert(table)
        .values(bucket=bucket, subject=subject, window_start=window_start, hits=1)
        .on_conflict_do_update(index_elements=["bucket", "subject", "window_start"], set_={"hits": table.c.hits + 1})
        .returning(table.c.hits, _NO_FLUSH_WAIT)
        .add_cte(older)
    )


_COUNT = _count()


async def spend(
    sessions: SessionFactory,
    budget: Budget,
    subject: str,
    *,
    now: float | None = None,
    engine: AsyncEngine | None = None,
) -> None:
    """Count one call against the subject's budget (committed at once, so every instance sees it);
    raise RateLimited when it is over. With `engine`, the count is one statement sent alone (autocommit: its own
    transaction, one round trip where a session's is three), prepared once, on the app's driver connections where
    it has them (server/db/prepared.py `first_alone`)."""
    now = time.time() if now is None else now
    start = math.floor(now / budget.window_seconds) * budget.window_seconds
    values = {"bucket": budget.bucket, "subject": subject, "window_start": datetime.fromtimestamp(start, UTC)}
    if engine is None:
        async with unit_of_work(sessions) as session:
            hits = (await session.exec(_COUNT, params=values)).one()[0]  # type: ignore[call-overload]
    else:
        count = prepared((__name__, engine.dialect.name), engine.dialect, lambda: _COUNT)
        hits = (await count.first_alone(engine, values))[0]
    if hits > budget.limit:
        retry_after = max(1, math.ceil(start + budget.window_seconds - now))
        error = RateLimited(
            f"Too many {budget.what} in a short time (at most {budget.limit} a"
            f" {_period(budget.window_seconds)}). Try again in {retry_after} seconds."
        )
        error.extensions["retryAfterSeconds"] = retry_after
        raise error


def _period(seconds: int) -> str:
    if seconds == 60:
        return "minute"
    if seconds == 3600:
        return "hour"
    return f"{seconds} seconds"
