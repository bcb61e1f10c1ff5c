"""Optimistic concurrency for versioned rows (STYLE.md R25): a stale write is a CONFLICT, never an
overwrite; and snapshots for the append-only history."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

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
