"""Writes checked families in bulk: one multi-row INSERT per table and batch (SQLAlchemy Core executemany,
which asyncpg sends as batched INSERT ... VALUES), from plain column values, instead of an ORM instance
and a flush per row. bench/import_cases.py measures it (bench/results/import.md). Nothing here decides
anything: rules.py has checked every row with the domain's own functions."""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
    """INSERT the rows into the model's table, each completed with the model's own defaults (ids, times,
    version 1) as constructing the model would."""
    table: sa.Table = model.__table__  # type: ignore[attr-defined]
    defaults = _defaults(model)
    batch: list[Row] = []
    for row in rows:
        batch.append({name: row[name] if name in row else default() for name, default in defaults})
        if len(batch) == BATCH:
            await session.exec(sa.insert(table), params=batch)  # type: ignore[call-overload]
            batch = []
    if batch:
        await session.exec(sa.insert(table), params=batch)  # type: ignore[call-overload]


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
