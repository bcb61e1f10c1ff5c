"""One-time links to set a new password, issued by an administrator or the account holder's manager (there is
no e-mail server: the issuer hands the link over). Like portal invitations, only the link token's SHA-256 is
kept; a link works once, until it expires or a newer one replaces it."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.db.columns import created_at_field, id_field


class PasswordReset(SQLModel, table=True):
    __tablename__ = "password_reset"

    id: uuid.UUID = id_field()
    user_id: uuid.UUID = Field(foreign_key="app_user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    issued_by_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    used_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
