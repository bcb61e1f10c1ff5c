"""One-time invitations to the family portal: the lead professional issues one for a named family
member; the link's token is stored only as its SHA-256, works once, and expires."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.db.columns import created_at_field, id_field


class PortalInvitation(SQLModel, table=True):
    __tablename__ = "portal_invitation"
    __table_args__ = (sa.Index("ix_portal_invitation_family", "family_id", "created_at"),)

    id: uuid.UUID = id_field()
    family_id: uuid.UUID = Field(foreign_key="family.id")
    family_member_id: uuid.UUID = Field(foreign_key="family_member.id", index=True)
    email: str = Field(max_length=254)  # the sign-in name the account will have, lower-case
    token_hash: str = Field(max_length=64, unique=True)
    issued_by_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    accepted_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    revoked_by_user_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
