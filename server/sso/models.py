from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.db.columns import created_at_field, id_field


class IdentityLink(SQLModel, table=True):
    """A staff account as an OpenID Connect provider knows it: (issuer, subject), never an e-mail address,
    which a provider may reassign or let its users change."""

    __tablename__ = "identity_link"
    __table_args__ = (
        sa.UniqueConstraint("issuer", "subject", name="uq_identity_link_issuer_subject"),
        sa.UniqueConstraint("user_id", "issuer", name="uq_identity_link_user_issuer"),
    )

    id: uuid.UUID = id_field()
    user_id: uuid.UUID = Field(foreign_key="app_user.id", index=True)
    issuer: str = Field(max_length=500)
    subject: str = Field(max_length=255)
    created_at: datetime = created_at_field()
    created_by: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")  # None: linked at first sign-in


class SsoSignIn(SQLModel, table=True):
    """One sign-in through a provider, from the redirect to the provider until the browser collects its
    session token. Only hashes of the secrets that come back from the browser are kept: the `state` the
    provider returns, the browser's cookie, and the one-time hand-over secret. Each step can happen once."""

    __tablename__ = "sso_sign_in"

    id: uuid.UUID = id_field()
    provider_id: str = Field(max_length=40)
    state_hash: str = Field(max_length=64, unique=True)
    browser_hash: str = Field(max_length=64)  # the cookie that binds the callback to the browser that began
    nonce: str = Field(max_length=100)
    code_verifier: str = Field(max_length=128)  # PKCE; useless without the code, which only the provider sends
    created_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    returned_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))  # the callback came
    user_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")  # who the provider vouched for
    handover_hash: str | None = Field(default=None, max_length=64, unique=True)
    handover_expires_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    handed_over_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
