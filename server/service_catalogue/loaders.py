from __future__ import annotations

import uuid

from sqlmodel import col, select

from server.db.engine import SessionFactory
from server.service_catalogue.models import Service


async def service_by_id(sessions: SessionFactory, ids: list[uuid.UUID]) -> list[Service | None]:
    """Entries of the services list (not about any family: anyone who sees a service received may name it)."""
    async with sessions() as session:
        rows = (await session.exec(select(Service).where(col(Service.id).in_(ids)))).all()
    found = {row.id: row for row in rows}
    return [found.get(service_id) for service_id in ids]
