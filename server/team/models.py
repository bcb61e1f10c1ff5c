from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.db.columns import created_at_field, enum_field, id_field


class TeamRole(StrEnum):
    lead_professional = "lead_professional"
    contributor = "contributor"


class TeamMembership(SQLModel, table=True):
    """An agency's place, through a named worker, on one family's team, for a period.

    Memberships are ended (valid_to set), never deleted, so the history of who was on the team holds.
    """

    __tablename__ = "team_membership"
    __table_args__ = (
        # Exactly one active lead professional per family (the service keeps "at least one").
        sa.Index(
            "uq_team_membership_one_lead",
            "family_id",
            unique=True,
            postgresql_where=sa.text("role = 'lead_professional' AND valid_to IS NULL"),
        ),
        sa.Index(
            "uq_team_membership_active_worker",
            "family_id",
            "user_id",
            unique=True,
            postgresql_where=sa.text("valid_to IS NULL"),
        ),
        sa.Index("ix_team_membership_user_active", "user_id", postgresql_where=sa.text("valid_to IS NULL")),
        sa.Index("ix_team_membership_agency_active", "agency_id", postgresql_where=sa.text("valid_to IS NULL")),
        # "Is my agency on this family's team?": asked by the access facts of every request about a family.
        sa.Index(
            "ix_team_membership_family_agency_active",
            "family_id",
            "agency_id",
            postgresql_where=sa.text("valid_to IS NULL"),
        ),
    )

    id: uuid.UUID = id_field()
    family_id: uuid.UUID = Field(foreign_key="family.id", index=True)
    agency_id: uuid.UUID = Field(foreign_key="agency.id")
    user_id: uuid.UUID = Field(foreign_key="app_user.id")
    role: TeamRole = enum_field(TeamRole, name="team_role")
    agency_role: str = Field(max_length=300)  # the agency's own role, e.g. "attendance support"
    # Their part in words for the family, shown on the portal; empty: the portal explains the role instead.
    family_description: str = Field(default="", max_length=300)
    contact_in_hours: str = Field(default="", max_length=300)
    contact_out_of_hours: str = Field(default="", max_length=300)
    valid_from: datetime = created_at_field()
    valid_to: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    ended_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = created_at_field()
