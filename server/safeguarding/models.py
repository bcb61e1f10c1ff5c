from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from server.db.columns import category_array, created_at_field, enum_field, id_field


class LawfulBasis(StrEnum):
    """UK GDPR Article 6 basis, with the Article 9 / DPA 2018 Schedule 1 condition where it applies."""

    public_task_safeguarding = "public_task_safeguarding"  # Art 6(1)(e) + Sch 1 para 18
    legal_obligation = "legal_obligation"  # Art 6(1)(c), e.g. a statutory duty to notify
    vital_interests = "vital_interests"  # Art 6(1)(d): life or death, no other basis fits
    recognised_legitimate_interest = "recognised_legitimate_interest"  # Art 6(1)(ea), DUAA 2025
    legitimate_interests = "legitimate_interests"  # Art 6(1)(f): voluntary and private bodies


class SafeguardingOverride(SQLModel, table=True):
    """Sharing without consent where a child is at risk of significant harm: the deciding agency's
    items in these categories become visible to the recipient agencies until expiry or revocation."""

    __tablename__ = "safeguarding_override"
    __table_args__ = (
        sa.Index("ix_override_family_active", "family_id", postgresql_where=sa.text("revoked_at IS NULL")),
        sa.Index("ix_override_family_created", "family_id", "created_at"),
        sa.CheckConstraint("family_informed OR coalesce(not_informed_reason, '') <> ''", name="override_informed"),
    )

    id: uuid.UUID = id_field()
    family_id: uuid.UUID = Field(foreign_key="family.id")
    owning_agency_id: uuid.UUID = Field(foreign_key="agency.id")  # whose information is shared
    decided_by_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    categories: list[str] = Field(sa_type=category_array())
    recipient_agency_ids: list[uuid.UUID] = Field(sa_type=ARRAY(sa.Uuid()))
    justification: str = Field(max_length=5000)
    lawful_basis: LawfulBasis = enum_field(LawfulBasis, name="lawful_basis")
    advice_sought: str = Field(default="", max_length=1000)
    family_informed: bool
    not_informed_reason: str | None = Field(default=None, max_length=1000)
    starts_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    revoked_by_user_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    revocation_reason: str | None = Field(default=None, max_length=1000)
    reviewed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    reviewed_by_user_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    review_note: str | None = Field(default=None, max_length=2000)
    created_at: datetime = created_at_field()


class SharingDecision(SQLModel, table=True):
    """A recorded decision NOT to share, with its reasons (golden rule 7)."""

    __tablename__ = "sharing_decision"

    id: uuid.UUID = id_field()
    family_id: uuid.UUID = Field(foreign_key="family.id", index=True)
    owning_agency_id: uuid.UUID = Field(foreign_key="agency.id")
    decided_by_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    categories: list[str] = Field(sa_type=category_array())
    recipient_agency_ids: list[uuid.UUID] = Field(sa_type=ARRAY(sa.Uuid()))
    reason: str = Field(max_length=5000)
    created_at: datetime = created_at_field()
