"""A family's legal status and whether it is in the edge-of-care cohort, kept as a history of changes:
each row holds the status from its date until the next row's."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.db.columns import created_at_field, enum_field, id_field


class LegalStatus(StrEnum):
    none = "none"  # no statutory status: early help
    child_in_need = "child_in_need"
    child_protection_plan = "child_protection_plan"
    looked_after = "looked_after"


class LegalStatusChange(SQLModel, table=True):
    __tablename__ = "family_legal_status"
    __table_args__ = (sa.Index("ix_family_legal_status_family_from", "family_id", "effective_from"),)

    id: uuid.UUID = id_field()
    family_id: uuid.UUID = Field(foreign_key="family.id")
    legal_status: LegalStatus = enum_field(LegalStatus, name="legal_status")
    edge_of_care: bool = False  # the cohort: at risk of entering care
    effective_from: date
    recorded_by_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()
