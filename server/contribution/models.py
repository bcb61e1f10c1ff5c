from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from server.access.categories import InformationCategory
from server.db.columns import created_at_field, enum_field, id_field


class ContributionKind(StrEnum):
    assessment_note = "assessment_note"
    update = "update"
    concern = "concern"
    strength = "strength"
    risk_factor = "risk_factor"
    protective_factor = "protective_factor"
    service_offered = "service_offered"


class Contribution(SQLModel, table=True):
    """An agency's item on a family's plan. Holds the current version; every version is kept in
    contribution_version, which is append-only."""

    __table_args__ = (
        sa.Index("ix_contribution_family_category", "family_id", "category"),
        sa.Index("ix_contribution_family_created", "family_id", "created_at"),
    )

    id: uuid.UUID = id_field()
    family_id: uuid.UUID = Field(foreign_key="family.id")
    owning_agency_id: uuid.UUID = Field(foreign_key="agency.id")
    author_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    kind: ContributionKind = enum_field(ContributionKind, name="contribution_kind")
    category: InformationCategory = enum_field(InformationCategory, name="information_category")
    title: str = Field(max_length=200)
    body: str = Field(max_length=20_000)
    about_member_ids: list[uuid.UUID] = Field(default_factory=list, sa_type=ARRAY(sa.Uuid()))
    may_appear_in_family_summary: bool = False
    contains_third_party_identities: bool = False
    version: int = 1
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class ContributionVersion(SQLModel, table=True):
    __tablename__ = "contribution_version"
    __table_args__ = (sa.UniqueConstraint("contribution_id", "version", name="uq_contribution_version"),)

    id: uuid.UUID = id_field()
    contribution_id: uuid.UUID = Field(foreign_key="contribution.id")
    version: int
    editor_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    kind: ContributionKind = enum_field(ContributionKind, name="contribution_version_kind")
    category: InformationCategory = enum_field(InformationCategory, name="contribution_version_category")
    title: str = Field(max_length=200)
    body: str = Field(max_length=20_000)
    about_member_ids: list[uuid.UUID] = Field(default_factory=list, sa_type=ARRAY(sa.Uuid()))
    may_appear_in_family_summary: bool = False
    contains_third_party_identities: bool = False
    created_at: datetime = created_at_field()
