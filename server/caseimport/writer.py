"""Writes checked families in bulk: PostgreSQL's COPY per table and batch, on the unit of work's own
connection (so inside its transaction, with every constraint and trigger as for an INSERT), from plain
column values, instead of an ORM instance and a flush per row. Measured in bench/import_cases.py
(bench/results/import.md): Core executemany (batched INSERT ... VALUES) wrote about 7,000 rows a second
on the shared bench machine, COPY several times that. Nothing here decides anything: rules.py has checked
every row with the domain's own functions."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from functools import cache
from typing import Any

import sqlalchemy as sa
from pydantic_core import PydanticUndefined
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from server.assessment.models import Assessment, AssessmentRating
from server.caseimport.rules import FamilyRows, Row
from server.family.models import Family, FamilyMember, family_reference_seq
from server.team.models import TeamMembership
from server.transition.models import FamilyTransition

BATCH = 5_000  # rows per executemany: bounds the memory one statement's parameters take

# Each table with the rows of a family it holds, in the order the foreign keys need.
TABLES: tuple[tuple[type[SQLModel], Callable[[FamilyRows], list[Row]]], ...] = (
    (Family, lambda rows: [rows.family]),
    (FamilyMember, lambda rows: rows.members),
    (TeamMembership, lambda rows: rows.team),
    (Assessment, lambda rows: rows.assessments),
    (AssessmentRating, lambda rows: rows.ratings),
    (FamilyTransition, lambda rows: rows.transitions),
)


async def assign_references(session: AsyncSession, families: list[FamilyRows]) -> None:
    """Each family's TAF reference, from the same sequence as familyOpen, in file order."""
    statement = sa.select(family_reference_seq.next_value()).select_from(sa.func.generate_series(1, len(families)))
    numbers = sorted((await session.exec(statement)).scalars().all())  # type: ignore[call-overload]
    for rows, number in zip(families, numbers, strict=True):
        rows.family["reference"] = f"TAF-{number}"


async def write(session: AsyncSession, families: list[FamilyRows]) -> None:
    for model, rows_of in TABLES:
        await insert_all(session, model, (row for family in families for row in rows_of(family)))


async def insert_all(session: AsyncSession, model: type[SQLModel], rows: Iterable[Row]) -> None:
    """COPY the rows into the model's table, each completed with the model's own defaults (ids, times,
    version 1) as constructing the model would."""
    table: sa.Table = model.__table__  # type: ignore[attr-defined]
    defaults = _defaults(model)
    columns = [name for name, _default in defaults]
    connection = await _driver_connection(session)
    batch: list[tuple] = []
    for row in rows:
        batch.append(tuple(_plain(row[name] if name in row else default()) for name, default in defaults))
        if len(batch) == BATCH:
            await connection.copy_records_to_table(table.name, records=batch, columns=columns)
            batch = []
    if batch:
        await connection.copy_records_to_table(table.name, records=batch, columns=columns)


async def _driver_connection(session: AsyncSession) -> Any:
    """The asyncpg connection under the session, in its transaction."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection


def _plain(value: Any) -> Any:
    """An enumeration's value (COPY encodes by the column's type, not the enumeration)."""
    return value.value if isinstance(value, StrEnum) else value


@cache
def _defaults(model: type[SQLModel]) -> list[tuple[str, Callable[[], Any]]]:
    """Each column with how the model fills it when not given (a column with no default must be given)."""
    found = []
    for column in model.__table__.columns:  # type: ignore[attr-defined]
        field = model.model_fields[column.name]
        if field.default_factory is not None:
            found.append((column.name, field.default_factory))
        elif field.default is not PydanticUndefined:
            found.append((column.name, lambda value=field.default: value))
        elif column.nullable:
            found.append((column.name, lambda: None))  # as the model leaves an optional column unset
        else:
            found.append((column.name, _required(model, column.name)))
    return found


def _required(model: type[SQLModel], name: str) -> Callable[[], Any]:
    def missing() -> Any:
        raise AssertionError(f"{model.__name__}.{name} has no default: rules.py must give it")

    return missing
