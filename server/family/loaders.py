"""Batch loads for GraphQL. They load children of families that the caller has already been allowed
to see (the family resolvers check visibility before any of these run)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable

from sqlmodel import col, select

from server.access.pep import AccessControl
from server.db.engine import SessionFactory
from server.family import attention
from server.family import service as family_service
from server.family.attention import Attention
from server.family.models import Family, FamilyMember


async def members_by_family_id(sessions: SessionFactory, family_ids: list[uuid.UUID]) -> list[list[FamilyMember]]:
    async with sessions() as session:
        statement = (
            select(FamilyMember)
            .where(col(FamilyMember.family_id).in_(family_ids))
            .order_by(FamilyMember.created_at, FamilyMember.full_name)
        )
        rows = (await session.exec(statement)).all()
    grouped: dict[uuid.UUID, list[FamilyMember]] = defaultdict(list)
    for row in rows:
        grouped[row.family_id].append(row)
    return [grouped[family_id] for family_id in family_ids]


async def attention_by_family_id(
    sessions: SessionFactory, access: Callable[[], AccessControl], family_ids: list[uuid.UUID]
) -> list[Attention]:
    """Overdue actions and open escalations, counted only where the caller may read them (attention.py)."""
    async with sessions() as session:
        found = await attention.of_families(session, access(), family_ids)
    return [found[family_id] for family_id in family_ids]


async def family_by_id(sessions: SessionFactory, family_ids: list[uuid.UUID]) -> list[Family | None]:
    """For labels only (server/api/labels.py decides who may see them)."""
    async with sessions() as session:
        rows = (await session.exec(select(Family).where(col(Family.id).in_(family_ids)))).all()
    found = {row.id: row for row in rows}
    return [found.get(family_id) for family_id in family_ids]


async def visible_family_by_id(
    sessions: SessionFactory, access: Callable[[], AccessControl], family_ids: list[uuid.UUID]
) -> list[Family | None]:
    """The families the caller may see (the SQL form of the family decision); None for any other."""
    async with sessions() as session:
        found = await family_service.visible_families(session, access(), family_ids)
    return [found.get(family_id) for family_id in family_ids]
