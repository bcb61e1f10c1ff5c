from __future__ import annotations

import uuid

from sqlmodel import col, select

from server.agency.models import Agency
from server.db.engine import SessionFactory


async def agency_by_id(sessions: SessionFactory, ids: list[uuid.UUID]) -> list[Agency | None]:
    async with sessions() as session:
        rows = (await session.exec(select(Agency).where(col(Agency.id).in_(ids)))).all()
    found = {row.id: row for row in rows}
    return [found.get(agency_id) for agency_id in ids]
