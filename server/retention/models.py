"""What information governance decided about a closed family's records, and what is left of an erased one.

Neither table has a foreign key to the family: both outlive it (an erased family's row is gone)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.db.columns import created_at_field, enum_field, id_field


class RetentionDecisionKind(StrEnum):
    extended = "extended"  # kept until a later date (retain_until), for a reason
    legal_hold = "legal_hold"  # kept, whatever the date, until the hold is removed
    hold_removed = "hold_removed"


class RetentionDecision(SQLModel, table=True):
    """One decision of an IG officer about a family's records; the latest of each sort is in force."""

    __tablename__ = "retention_decision"
    __table_args__ = (sa.Index("ix_retention_decision_family", "family_id", "created_at"),)

    id: uuid.UUID = id_field()
    family_id: uuid.UUID
    kind: RetentionDecisionKind = enum_field(RetentionDecisionKind, name="retention_decision_kind")
    retain_until: date | None = None  # for `extended`
    # Emptied when the family's records are erased: an IG officer's reason may name the family.
    reason: str = Field(max_length=2000)
    decided_by_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()


class FamilyTombstone(SQLModel, table=True):
    """What is kept of an erased family: its reference, its dates, and who erased it, when and why.
    Append-only (a trigger in the baseline migration), and the mark that lets an erasure remove the rows of
    append-only tables (taf_erasing)."""

    __tablename__ = "family_tombstone"

    family_id: uuid.UUID = Field(primary_key=True)
    reference: str = Field(max_length=20, unique=True)
    opened_on: date
    closed_on: date
    retention_due_on: date
    erased_at: datetime = created_at_field()
    erased_by_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    reason: str = Field(max_length=2000)
