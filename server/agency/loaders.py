from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.dataloader import DataLoader

from server import writes
from server.agency.models import Agency
from server.db.engine import SessionFactory


async def agency_by_id(sessions: SessionFactory, ids: list[uuid.UUID]) -> list[Agency | None]:
    async with sessions() as session:
        rows = (await session.exec(select(Agency).where(col(Agency.id).in_(ids)))).all()
    found = {row.id: row for row in rows}
    return [found.get(agency_id) for agency_id in ids]


def agency_later(session: AsyncSession, agency_id: uuid.UUID) -> writes.Read:
    """The agency, read with the change's batched write (server/writes.py `read_later`) rather than by the answer's
    loader in a statement of its own; `prime` gives it to that loader once the change is done."""
    return writes.read_later(session, "agency_by_id", _agency_statement, {"id": agency_id})


def prime(loader: DataLoader, read: writes.Read) -> None:
    """Give the loader the agency `agency_later` read, if it was: else the loader reads it as usual."""
    if read.values is not None:
        agency = Agency(**read.values)
        loader.prime(agency.id, agency)


def _agency_statement(prefix: str) -> sa.Select:
    return select(Agency).where(Agency.id == sa.bindparam(f"{prefix}id", type_=sa.Uuid))
