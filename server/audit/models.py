from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from server.db.columns import created_at_field, enum_field

# The advisory lock the chain's trigger (migration 0001, `audit_event_chain`) takes before it chains an event: a
# statement that must take it before a later lock takes it first (server/writes.py, a change that dispatches).
CHAIN_LOCK = 727_004


class AuditOutcome(StrEnum):
    allowed = "allowed"
    denied = "denied"
    failed = "failed"


class AuditEvent(SQLModel, table=True):
    """Append-only: a trigger in the migration rejects UPDATE, DELETE and TRUNCATE for every role."""

    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_family_at", "family_id", "at"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=sa.BigInteger)
    at: datetime = created_at_field()
    actor_user_id: uuid.UUID | None = Field(default=None, index=True)
    action: str = Field(max_length=80)
    outcome: AuditOutcome = enum_field(AuditOutcome, name="audit_outcome")
    family_id: uuid.UUID | None = None
    address: str | None = Field(default=None, max_length=64)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    # Set by the database (trigger audit_event_chain): position in the chain, the previous event's hash,
    # and SHA-256(prev_hash || this event's content). `python -m server audit-verify` checks the chain.
    chain_position: int | None = Field(
        default=None, sa_type=sa.BigInteger, sa_column_kwargs={"unique": True, "nullable": False}
    )
    prev_hash: bytes | None = Field(default=None, sa_type=sa.LargeBinary, sa_column_kwargs={"nullable": False})
    hash: bytes | None = Field(default=None, sa_type=sa.LargeBinary, sa_column_kwargs={"nullable": False})
