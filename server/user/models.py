from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.clock import utcnow
from server.db.columns import created_at_field, enum_field, id_field


class UserKind(StrEnum):
    staff = "staff"  # a professional in an agency
    family = "family"  # a family member with a portal account


class SystemRole(StrEnum):
    practitioner = "practitioner"
    manager = "manager"
    ig_officer = "ig_officer"
    admin = "admin"


class User(SQLModel, table=True):
    __tablename__ = "app_user"
    __table_args__ = (
        sa.CheckConstraint(
            "(kind = 'staff' AND agency_id IS NOT NULL AND role IS NOT NULL AND family_member_id IS NULL)"
            " OR (kind = 'family' AND family_member_id IS NOT NULL AND agency_id IS NULL AND role IS NULL)",
            name="app_user_kind_shape",
        ),
    )

    id: uuid.UUID = id_field()
    email: str = Field(max_length=254, unique=True)  # stored lower-case; the sign-in name
    display_name: str = Field(max_length=200)
    kind: UserKind = enum_field(UserKind, name="user_kind")
    role: SystemRole | None = enum_field(SystemRole, name="system_role", nullable=True)
    agency_id: uuid.UUID | None = Field(default=None, foreign_key="agency.id", index=True)
    family_member_id: uuid.UUID | None = Field(default=None, foreign_key="family_member.id", unique=True)
    password_hash: str | None = Field(default=None, max_length=200)  # None: cannot sign in yet
    is_active: bool = True
    created_at: datetime = created_at_field()
    # Contact details colleagues and administrators see; a staff account's job title in its agency's words.
    job_title: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=50)
    deactivated_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    version: int = 1  # optimistic concurrency for administrators' edits (server/db/versioning.py)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
