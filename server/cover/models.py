"""Cover while the lead professional is away: a deputy lead named on a family's team, and the periods a
worker has marked themselves away. While a family's lead is away, its deputy is told what the lead is told
of escalations and actions, and may act on urgent matters (policies/policy.csv, rule deputy_covering)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.db.columns import created_at_field, id_field


class DeputyLead(SQLModel, table=True):
    """A worker on a family's team named to cover for its lead professional; ended, never deleted."""

    __tablename__ = "deputy_lead"
    __table_args__ = (
        sa.Index("uq_deputy_lead_one_active", "family_id", unique=True, postgresql_where=sa.text("valid_to IS NULL")),
    )

    id: uuid.UUID = id_field()
    family_id: uuid.UUID = Field(foreign_key="family.id", index=True)
    user_id: uuid.UUID = Field(foreign_key="app_user.id")
    appointed_by_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    valid_from: datetime = created_at_field()
    valid_to: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    ended_by_user_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")


class LeadAbsence(SQLModel, table=True):
    """A period (whole days, UTC, both ends included) a worker is away. No reason is kept: why a worker is
    away is their own business, and the team only needs to know that someone else covers."""

    __tablename__ = "lead_absence"
    __table_args__ = (
        sa.CheckConstraint("starts_on <= ends_on", name="ck_lead_absence_dates_in_order"),
        sa.Index("ix_lead_absence_user_ends", "user_id", "ends_on"),
    )

    id: uuid.UUID = id_field()
    user_id: uuid.UUID = Field(foreign_key="app_user.id")
    starts_on: date
    ends_on: date
    version: int = 1
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
    cancelled_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
