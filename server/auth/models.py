from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.db.columns import created_at_field, id_field


class SessionToken(SQLModel, table=True):
    """A bearer token; only its SHA-256 is stored, so a database leak yields no usable tokens."""

    __tablename__ = "session_token"

    id: uuid.UUID = id_field()
    user_id: uuid.UUID = Field(foreign_key="app_user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class LoginAttempt(SQLModel, table=True):
    """Sign-in attempts, kept in the database so that limits hold across every server instance."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        sa.Index("ix_login_attempt_account_at", "account", "at"),
        sa.Index("ix_login_attempt_address_at", "address", "at"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=sa.BigInteger)
    account: str = Field(max_length=254)  # the e-mail as typed, lower-cased
    address: str = Field(max_length=64)
    succeeded: bool
    at: datetime = created_at_field()
