"""The time: tz-aware UTC (STYLE.md R9), and today's date in UTC, for every module that needs either."""

from __future__ import annotations

from datetime import UTC, date, datetime, time


def utcnow() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return utcnow().date()


def moment_on(day: date, *, not_before: datetime | None = None) -> datetime:
    """When something that happened on `day` is recorded to have happened: now if `day` is today, else
    the start of that day (UTC), and never before `not_before` (an opening earlier the same day)."""
    now = utcnow()
    moment = now if day >= now.date() else datetime.combine(day, time.min, UTC)
    return max(moment, not_before) if not_before is not None else moment
