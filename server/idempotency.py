"""Idempotency keys for mutations that create things: a client that retries after a timeout (not
knowing whether its first attempt committed) gets the item it created, not a second one."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db.columns import created_at_field
from server.errors import BadUserInput, Conflict


class IdempotencyKey(SQLModel, table=True):
    __tablename__ = "idempotency_key"
    __table_args__ = (sa.UniqueConstraint("user_id", "key", name="uq_idempotency_key_user_key"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=sa.BigInteger)
    user_id: uuid.UUID = Field(foreign_key="app_user.id")
    key: str = Field(max_length=100)
    action: str = Field(max_length=80)
    result_id: uuid.UUID | None = None
    created_at: datetime = created_at_field()


def check_key(key: str) -> str:
    if not 8 <= len(key) <= 100 or "\x00" in key:
        raise BadUserInput("idempotencyKey must be 8 to 100 characters (a UUID is ideal).", field="idempotencyKey")
    return key


async def claim(session: AsyncSession, *, user_id: uuid.UUID, key: str, action: str) -> uuid.UUID | None:
    """Claim the key in this transaction. Returns None when it is new (go ahead and create), or the id
    created under it before. A concurrent attempt with the same key waits here until the first commits
    (then replays it) or rolls back (then proceeds itself)."""
    statement = (
        insert(IdempotencyKey)
        .values(user_id=user_id, key=check_key(key), action=action)
        .on_conflict_do_nothing(constraint="uq_idempotency_key_user_key")
        .returning(IdempotencyKey.id)
    )
    if (await session.exec(statement)).first() is not None:
        return None
    row = (
        await session.exec(
            sa.select(IdempotencyKey.action, IdempotencyKey.result_id).where(
                IdempotencyKey.user_id == user_id, IdempotencyKey.key == key
            )
        )
    ).one()
    if row.action != action or row.result_id is None:
        raise Conflict("That idempotencyKey was already used for a different request.")
    return row.result_id


async def record_result(session: AsyncSession, *, user_id: uuid.UUID, key: str, result_id: uuid.UUID) -> None:
    await session.exec(
        sa.update(IdempotencyKey)
        .where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
        .values(result_id=result_id)
    )
