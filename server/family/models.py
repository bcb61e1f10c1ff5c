from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.clock import utcnow
from server.db.columns import created_at_field, enum_field, id_field


class FamilyStatus(StrEnum):
    referral = "referral"
    assessment = "assessment"
    active = "active"
    stepped_up = "stepped_up"
    stepped_down = "stepped_down"
    closed = "closed"


class LevelOfNeed(StrEnum):
    """The four-tier scale used by the Family Pathfinder evaluation."""

    universal = "universal"
    targeted = "targeted"
    specialist = "specialist"
    statutory = "statutory"


family_reference_seq = sa.Sequence("family_reference_seq", start=1001, metadata=SQLModel.metadata)


class Family(SQLModel, table=True):
    id: uuid.UUID = id_field()
    reference: str = Field(max_length=20, unique=True)
    display_name: str = Field(max_length=200)
    status: FamilyStatus = enum_field(FamilyStatus, name="family_status", index=True)
    level_of_need: LevelOfNeed = enum_field(LevelOfNeed, name="level_of_need")
    opened_at: datetime = created_at_field()
    closed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    version: int = 1
    updated_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    # Moved on by the database whenever what a decision about the family reads changes (migration 0011): a write
    # that locked the family compares the row it locked with the row its facts were read from (server/writes.py).
    facts_version: int = Field(default=0, sa_type=sa.BigInteger, sa_column_kwargs={"server_default": sa.text("0")})


class FamilyMember(SQLModel, table=True):
    __tablename__ = "family_member"

    id: uuid.UUID = id_field()
    family_id: uuid.UUID = Field(foreign_key="family.id", index=True)
    full_name: str = Field(max_length=200)
    date_of_birth: date | None = None
    relationship: str = Field(max_length=60)  # in the family's words: mother, stepfather, grandmother...
    is_subject_child: bool = False
    # Household composition, and what the team needs to know to work with each person.
    lives_in_household: bool = True  # False: wider family who do not live with the children
    is_young_carer: bool = False
    first_language: str = Field(default="", max_length=60)
    interpreter_needed: bool = False
    has_disability: bool = False
    created_at: datetime = created_at_field()
