from __future__ import annotations

import uuid

from sqlmodel import col, select

from server.db.engine import SessionFactory
from server.user.models import User


async def user_by_id(sessions: SessionFactory, ids: list[uuid.UUID]) -> list[User | None]:
    async with sessions() as session:
        rows = (await session.exec(select(User).where(col(User.id).in_(ids)))).all()
    found = {row.id: row for row in rows}
    return [found.get(user_id) for user_id in ids]
