"""Multi-agency panels: gateway and resource panels sit on a date, consider a list of families and decide
for each (accept for a service, step up, step down, no change, defer) with a written rationale, the
services allocated and a date to review.

A sitting (its name, kind, date, chair, who attended) is about no family. Each family considered at it is
a `PanelDecision`, pending until the decision is recorded: its outcome, allocations and review date are the
team's, for coordinating the support; its rationale is the recording agency's case content in the category
it chose (policies/policy.csv, kind panel_rationale)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from server.access.categories import InformationCategory
from server.db.columns import created_at_field, enum_field, id_field


class PanelKind(StrEnum):
    gateway = "gateway"  # decides access to services and step-up or step-down
    resource = "resource"  # allocates the area's services


class PanelOutcome(StrEnum):
    accept_for_service = "accept_for_service"
    step_up = "step_up"
    step_down = "step_down"
    no_change = "no_change"
    defer = "defer"


class PanelSitting(SQLModel, table=True):
    __tablename__ = "panel_sitting"

    id: uuid.UUID = id_field()
    version: int = 1
    name: str = Field(max_length=200)
    kind: PanelKind = enum_field(PanelKind, name="panel_kind")
    sits_on: date = Field(index=True)
    chair_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    members: str = Field(default="", max_length=2000)  # who attended, by name and role
    agency_ids: list[uuid.UUID] = Field(default_factory=list, sa_type=ARRAY(sa.Uuid()))  # the agencies attending
    created_by_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class PanelDecision(SQLModel, table=True):
    """A family considered at a sitting, and the panel's decision once recorded (outcome null before)."""

    __tablename__ = "panel_decision"
    __table_args__ = (
        sa.UniqueConstraint("sitting_id", "family_id", name="uq_panel_decision_family"),
        sa.Index("ix_panel_decision_family", "family_id"),
    )

    id: uuid.UUID = id_field()
    version: int = 1
    sitting_id: uuid.UUID = Field(foreign_key="panel_sitting.id")
    family_id: uuid.UUID = Field(foreign_key="family.id")
    added_by_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
    # The decision: the team's.
    outcome: PanelOutcome | None = enum_field(PanelOutcome, name="panel_outcome", nullable=True)
    review_on: date | None = None
    decided_by_user_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    # Its rationale: case content of the recording agency, in the category it chose.
    rationale: str = Field(default="", max_length=5000)
    owning_agency_id: uuid.UUID | None = Field(default=None, foreign_key="agency.id")
    category: InformationCategory | None = enum_field(InformationCategory, name="panel_category", nullable=True)
    names_third_party: bool = False
    about_member_ids: list[uuid.UUID] = Field(default_factory=list, sa_type=ARRAY(sa.Uuid()))


class PanelAllocation(SQLModel, table=True):
    """A service from the area's list allocated by a decision, with how many units."""

    __tablename__ = "panel_allocation"
    __table_args__ = (
        sa.UniqueConstraint("decision_id", "service_id", name="uq_panel_allocation_service"),
        sa.CheckConstraint("quantity > 0", name="ck_panel_allocation_quantity"),
    )

    id: uuid.UUID = id_field()
    decision_id: uuid.UUID = Field(foreign_key="panel_decision.id", index=True)
    service_id: uuid.UUID = Field(foreign_key="catalogue_service.id")
    quantity: int
