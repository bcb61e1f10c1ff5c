"""Optimistic concurrency for versioned rows (STYLE.md R25): a stale write is a CONFLICT, never an
overwrite; and snapshots for the append-only history."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from enum import Enum
from functools import partial
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
    provided: Provided | None = None,
    stale: Callable[[], Awaitable[None]] | None = None,
) -> T:
    """As `update_versioned`, the UPDATE queued with the change's other rows (server/writes.py `shaped_later`):
    `row` (the session's copy) takes the values it writes, as unchanged, so the session never writes it again.
    `provided(table)`, a further condition on the row (a function defined once: it names the statement's shape,
    built once per table, value names and condition). When it matched nothing, the flush awaits `stale()` (which
    raises), or answers CONFLICT."""
    table = type(row).__table__  # type: ignore[attr-defined]
    written = {**values, "version": expected_version + 1, "updated_at": utcnow()}
    names = tuple(written)
    params = {**written, "row_id": row.id, "expected_version": expected_version}  # type: ignore[attr-defined]

    async def matched(found: bool) -> None:
        if not found:
            if stale is not None:
                await stale()
            raise Conflict(f"Someone else changed this {what} since you opened it. Reload to see their change.")

    shape = ("update_versioned", table, names, provided)
    writes.shaped_later(
        session,
        shape,
        partial(_versioned_update, table, names, provided),
        params,
        matched=matched,
        guarded=partial(_versioned_update, table, names, provided),
        precondition=partial(_versioned_row_exists, table, provided),
    )
    for name, value in written.items():
        set_committed_value(row, name, value)
    return row


Provided = Callable[[sa.Table], sa.ColumnElement[bool]]


def _versioned_update(
    table: sa.Table,
    names: tuple[str, ...],
    provided: Provided | None,
    prefix: str,
    condition: sa.ColumnElement[bool] | None = None,
) -> sa.Update:
    """The UPDATE of the row at the expected version; with `condition`, only where it also holds (an optimistic
    write's guard, server/writes.py)."""
    return (
        sa.update(table)
        .where(_versioned_row(table, provided, prefix), sa.true() if condition is None else condition)
        .values({name: sa.bindparam(prefix + name, type_=table.c[name].type) for name in names})
        .returning(table.c.id)
    )


def _versioned_row(table: sa.Table, provided: Provided | None, prefix: str) -> sa.ColumnElement[bool]:
    """SQL: `table`'s row is the one to update, at the expected version, and `provided` holds of it."""
    return sa.and_(
        table.c.id == sa.bindparam(prefix + "row_id", type_=table.c.id.type),
        table.c.version == sa.bindparam(prefix + "expected_version", type_=table.c.version.type),
        sa.true() if provided is None else provided(table),
    )


def _versioned_row_exists(table: sa.Table, provided: Provided | None, prefix: str) -> sa.ColumnElement[bool]:
    """SQL: the versioned update would match its row (what its check asks), in a statement that writes nothing
    unless it does (server/writes.py `_guarded`)."""
    checked = table.alias(f"{prefix}checked")
    return sa.exists(sa.select(checked.c.id).where(_versioned_row(checked, provided, prefix)))


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
