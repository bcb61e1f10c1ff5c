"""The contact log: each time a worker was in contact with the family (a home visit, a call, a meeting at
school...), for how long. The intensity of support, per agency and per week."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.access.categories import InformationCategory
from server.db.columns import created_at_field, enum_field, id_field


class ContactKind(StrEnum):
    home_visit = "home_visit"
    phone = "phone"
    school = "school"
    office = "office"
    video = "video"
    other = "other"


class Contact(SQLModel, table=True):
    """Who (a worker, for their agency), when, how, for how long: the team's, for coordinating the support
    (who sees the family, how often). The note is case content of the worker's agency (kind contact_note)."""

    __tablename__ = "contact_log"
    __table_args__ = (
        sa.Index("ix_contact_log_family_at", "family_id", "contacted_at"),
        sa.CheckConstraint("duration_minutes BETWEEN 1 AND 720", name="ck_contact_log_duration"),
    )

    id: uuid.UUID = id_field()
    family_id: uuid.UUID = Field(foreign_key="family.id")
    worker_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    owning_agency_id: uuid.UUID = Field(foreign_key="agency.id")  # the worker's agency
    contacted_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    kind: ContactKind = enum_field(ContactKind, name="contact_kind")
    duration_minutes: int
    note: str = Field(default="", max_length=1000)
    category: InformationCategory = enum_field(
        InformationCategory, name="contact_category", default=InformationCategory.other
    )
    created_at: datetime = created_at_field()
