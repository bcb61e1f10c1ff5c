"""The time: tz-aware UTC (STYLE.md R9), and today's date in UTC, for every module that needs either."""

from __future__ import annotations

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return utcnow().date()
