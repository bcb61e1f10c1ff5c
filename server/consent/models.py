from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from server.db.columns import category_array, created_at_field, enum_field, id_field


class ConsentDecision(StrEnum):
    given = "given"
    refused = "refused"


class ConsentCapacity(StrEnum):
    """On whose behalf the family member decided."""

    self = "self"  # an adult, or a competent young person, for their own information
    parental_responsibility = "parental_responsibility"  # a parent or carer for a child


class Consent(SQLModel, table=True):
    """Consent to share (or a refusal), by a named family member, for categories, to agencies or the
    whole team, for a purpose, for a period. Withdrawal ends it at once; rows are never deleted."""

    __table_args__ = (
        sa.Index("ix_consent_family_active", "family_id", postgresql_where=sa.text("withdrawn_at IS NULL")),
        # The family's consent list (withdrawn ones included) and its chronology.
        sa.Index("ix_consent_family_created", "family_id", "created_at"),
    )

    id: uuid.UUID = id_field()
    family_id: uuid.UUID = Field(foreign_key="family.id")
    given_by_member_id: uuid.UUID = Field(foreign_key="family_member.id")
    capacity: ConsentCapacity = enum_field(ConsentCapacity, name="consent_capacity")
    decision: ConsentDecision = enum_field(ConsentDecision, name="consent_decision")
    categories: list[str] = Field(sa_type=category_array())
    whole_team: bool = False
    recipient_agency_ids: list[uuid.UUID] = Field(default_factory=list, sa_type=ARRAY(sa.Uuid()))
    purpose: str = Field(max_length=1000)
    evidence_reference: str = Field(default="", max_length=300)
    recorded_by_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    valid_from: datetime = created_at_field()
    valid_to: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    withdrawn_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    withdrawn_by_user_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    withdrawal_reason: str | None = Field(default=None, max_length=1000)
    created_at: datetime = created_at_field()


class EngagementAgreement(SQLModel, table=True):
    """The family's agreement to engage in early help: voluntary, and not a consent to share."""

    __tablename__ = "engagement_agreement"

    id: uuid.UUID = id_field()
    family_id: uuid.UUID = Field(foreign_key="family.id", index=True)
    member_id: uuid.UUID = Field(foreign_key="family_member.id")
    agreed: bool
    notes: str = Field(default="", max_length=1000)
    recorded_by_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    recorded_at: datetime = created_at_field()
    withdrawn_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
