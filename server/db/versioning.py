"""Optimistic concurrency for versioned rows (STYLE.md R25): a stale write is a CONFLICT, never an
overwrite; and snapshots for the append-only history."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from server import writes
from server.clock import utcnow
from server.errors import Conflict

T = TypeVar("T", bound=SQLModel)


async def update_versioned(
    session: AsyncSession,
    model: type[T],
    row_id: uuid.UUID,
    expected_version: int,
    values: dict[str, Any],
    *,
    what: str,
    provided: sa.ColumnElement[bool] | None = None,
) -> T:
    """Apply `values` only if the row is still at `expected_version`; bump the version. The row comes back
    from the UPDATE itself (RETURNING), refreshing the session's copy: one round trip. `provided`, a further
    condition, also answers CONFLICT when false (the caller may tell the two apart)."""
    table = model.__table__  # type: ignore[attr-defined]
    statement = (
        sa.update(model)
        .where(table.c.id == row_id, table.c.version == expected_version, sa.true() if provided is None else provided)
        .values(**values, version=table.c.version + 1, updated_at=utcnow())
        .returning(model)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    row = (await session.exec(statement)).scalars().first()  # type: ignore[call-overload]
    if row is None:
        raise Conflict(f"Someone else changed this {what} since you opened it. Reload to see their change.")
    return row


def update_versioned_later(
    session: AsyncSession,
    row: T,
    expected_version: int,
    values: dict[str, Any],
    *,
    what: str,
    provided: sa.ColumnElement[bool] | None = None,
    stale: Callable[[], Awaitable[None]] | None = None,
) -> T:
    """As `update_versioned`, the UPDATE queued with the change's other rows (server/writes.py `later`): `row`
    (the session's copy) takes the values it writes, as unchanged, so the session never writes it again. When
    it matched nothing, the flush awaits `stale()` (which raises), or answers CONFLICT."""
    table = type(row).__table__  # type: ignore[attr-defined]
    written = {**values, "version": expected_version + 1, "updated_at": utcnow()}
    statement = (
        sa.update(table)
        .where(table.c.id == row.id, table.c.version == expected_version, sa.true() if provided is None else provided)  # type: ignore[attr-defined]
        .values(**written)
        .returning(table.c.id)
    )

    async def matched(found: bool) -> None:
        if not found:
            if stale is not None:
                await stale()
            raise Conflict(f"Someone else changed this {what} since you opened it. Reload to see their change.")

    writes.later(session, statement, matched=matched)
    for name, value in written.items():
        set_committed_value(row, name, value)
    return row


def snapshot(row: SQLModel, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: _plain(getattr(row, name)) for name in fields}


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value
