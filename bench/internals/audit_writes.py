"""The read audit's write alone: one transaction per request (the INSERT `audit.request_events` builds, as the
flush sent it before group commit) against server/audit/group_commit.py, with 1 and 8 concurrent writers, each
writing one contributions-page event (98 other agencies' items), interleaved, on the bench database. Writes audit
events into that database (it is the bench's own).

    .venv/bin/python -m bench.internals.audit_writes --seconds 3
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from typing import Any

import sqlalchemy as sa

from bench.database import on, postgres
from server.audit import service
from server.audit.group_commit import GroupCommit
from server.db.engine import create_engine


def _rows() -> list[dict[str, Any]]:
    items = [str(uuid.uuid4()) for _ in range(98)]
    detail = {"items": items, "basis": ["shared_by_consent"], "reads": [{"item": item} for item in items]}
    event = service._row(_ACTOR, "contribution_read", uuid.uuid4(), service.AuditOutcome.allowed, detail, "bench")
    return [event]


class _Actor:
    user_id = uuid.uuid4()


_ACTOR: Any = _Actor()


async def _alone(engine: Any, rows: list[dict[str, Any]]) -> None:
    async with engine.connect() as connection:
        alone = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await alone.execute(sa.insert(service._TABLE).values(rows))


async def _point(kind: str, engine: Any, writers: int, seconds: float) -> tuple[float, float]:
    group = GroupCommit(engine)
    took: list[float] = []
    stop = time.perf_counter() + seconds

    async def writer() -> None:
        while time.perf_counter() < stop:
            started = time.perf_counter()
            await (_alone(engine, _rows()) if kind == "alone" else group.write(_rows()))
            took.append(time.perf_counter() - started)

    await asyncio.gather(*(writer() for _ in range(writers)))
    took.sort()
    return len(took) / seconds, took[len(took) // 2] * 1000


async def run(args: argparse.Namespace) -> None:
    server, _handle = postgres()
    engine = create_engine(on(server, args.database), pool_size=10)
    for kind in ("alone", "group"):
        await _point(kind, engine, 2, 0.5)  # warm-up: every pooled connection prepares its statements
    for turn in range(2):
        for writers in (1, 8):
            for kind in ("alone", "group") if turn == 0 else ("group", "alone"):
                load = os.getloadavg()[0]
                rate, median = await _point(kind, engine, writers, args.seconds)
                print(f"{kind:5} writers {writers}: {rate:7.1f} writes/s, median {median:5.2f} ms, load {load:.1f}")
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="taf_suite")
    parser.add_argument("--seconds", type=float, default=3.0)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
