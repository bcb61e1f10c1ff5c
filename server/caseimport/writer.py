"""Writes checked families in bulk: one multi-row INSERT per table and batch (SQLAlchemy Core executemany,
which asyncpg sends as batched INSERT ... VALUES), instead of a flush per row. Measured in
bench/import_cases.py: the per-row ORM path managed about 90 families a second, this one several thousand.
Nothing here decides anything: rules.py has already checked every row."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from server.caseimport.rules import FamilyRows
from server.family.models import family_reference_seq

BATCH = 5_000  # rows per executemany: bounds the memory one statement's parameters take


async def assign_references(session: AsyncSession, families: list[FamilyRows]) -> None:
    """Each family's TAF reference, from the same sequence as familyOpen, in file order."""
    statement = sa.select(family_reference_seq.next_value()).select_from(sa.func.generate_series(1, len(families)))
    numbers = sorted((await session.exec(statement)).scalars().all())  # type: ignore[call-overload]
    for rows, number in zip(families, numbers, strict=True):
        rows.family.reference = f"TAF-{number}"


async def write(session: AsyncSession, families: list[FamilyRows]) -> None:
    for rows_of in (
        lambda f: [f.family],
        lambda f: f.members,
        lambda f: f.team,
        lambda f: f.assessments,
        lambda f: f.ratings,
        lambda f: f.transitions,
    ):
        await insert_all(session, (row for family in families for row in rows_of(family)))


async def insert_all(session: AsyncSession, rows: Iterable[SQLModel]) -> None:
    batch: list[SQLModel] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            await _insert(session, batch)
            batch = []
    if batch:
        await _insert(session, batch)


async def _insert(session: AsyncSession, batch: list[SQLModel]) -> None:
    table: sa.Table = type(batch[0]).__table__  # type: ignore[attr-defined]
    names = [column.name for column in table.columns]
    await session.exec(sa.insert(table), params=[_values(row, names) for row in batch])  # type: ignore[call-overload]


def _values(row: SQLModel, names: list[str]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}
