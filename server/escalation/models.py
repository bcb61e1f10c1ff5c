"""Risk escalations: raised by a team member, acknowledged and resolved by the lead professional.

The reason is information of the raising agency in the category it relies on, and is shown only to
those the item rules allow (policies/policy.csv, kind escalation_reason)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.access.categories import InformationCategory
from server.db.columns import created_at_field, enum_field, id_field


class EscalationLevel(StrEnum):
    concern = "concern"
    urgent = "urgent"
    immediate_danger = "immediate_danger"


class EscalationOutcome(StrEnum):
    managed_within_plan = "managed_within_plan"
    referral_childrens_social_care = "referral_childrens_social_care"
    referral_police = "referral_police"
    step_up = "step_up"
    no_further_action = "no_further_action"


class Escalation(SQLModel, table=True):
    __table_args__ = (
        sa.Index("ix_escalation_family_raised", "family_id", "raised_at"),
        sa.Index("ix_escalation_unacknowledged", "ack_due_at", postgresql_where=sa.text("acknowledged_at IS NULL")),
    )

    id: uuid.UUID = id_field()
    family_id: uuid.UUID = Field(foreign_key="family.id")
    level: EscalationLevel = enum_field(EscalationLevel, name="escalation_level")
    category: InformationCategory = enum_field(InformationCategory, name="escalation_category")
    owning_agency_id: uuid.UUID = Field(foreign_key="agency.id")  # the raising agency: the reason is theirs
    reason: str = Field(max_length=5000)
    raised_by_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    raised_at: datetime = created_at_field()
    ack_due_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    acknowledged_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    acknowledged_by_user_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    resolved_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    resolved_by_user_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    outcome: EscalationOutcome | None = enum_field(EscalationOutcome, name="escalation_outcome", nullable=True)
    outcome_note: str | None = Field(default=None, max_length=5000)
