from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.db.columns import created_at_field, id_field


class AuditDisclosureBlock(SQLModel, table=True):
    """An IG officer's mark that an audit entry must not be shown to the family (it could put someone
    at risk). The audit log itself is append-only, so the mark lives beside it."""

    __tablename__ = "audit_disclosure_block"

    id: uuid.UUID = id_field()
    audit_event_id: int = Field(foreign_key="audit_event.id", unique=True, sa_type=sa.BigInteger)
    marked_by_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    reason: str = Field(max_length=1000)
    created_at: datetime = created_at_field()
