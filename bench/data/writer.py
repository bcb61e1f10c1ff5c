"""Rows into PostgreSQL with COPY, in batches, with every constraint, index and trigger in place; seeded ids
and times, so that a seed gives the same data every time; and what each table cost."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

BATCH = 25_000


@dataclass
class TableTiming:
    rows: int = 0
    seconds: float = 0.0  # generating the rows in Python plus COPY
    copy_seconds: float = 0.0  # COPY alone

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "seconds": round(self.seconds, 3),
            "copy_seconds": round(self.copy_seconds, 3),
            "rows_per_second": round(self.rows / self.seconds) if self.seconds else None,
        }


class Writer:
    def __init__(self, connection: asyncpg.Connection, seed: int) -> None:
        self.connection = connection
        self.rng = random.Random(seed)
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.timings: dict[str, TableTiming] = {}

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def between(self, start: datetime, end: datetime) -> datetime:
        if end <= start:
            return start
        return start + timedelta(seconds=self.rng.uniform(0, (end - start).total_seconds()))

    def days_ago(self, low: float, high: float) -> datetime:
        return self.now - timedelta(days=self.rng.uniform(low, high))

    async def copy(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
        """COPY rows in batches; the time spent generating them counts towards the table too."""
        timing = self.timings.setdefault(table, TableTiming())
        started = time.perf_counter()
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                await self._copy_batch(table, columns, batch, timing)
                batch = []
        if batch:
            await self._copy_batch(table, columns, batch, timing)
        timing.seconds += time.perf_counter() - started

    async def _copy_batch(self, table: str, columns: Sequence[str], batch: list[tuple], timing: TableTiming) -> None:
        started = time.perf_counter()
        await self.connection.copy_records_to_table(table, records=batch, columns=list(columns))
        timing.copy_seconds += time.perf_counter() - started
        timing.rows += len(batch)
