"""The family plan: goals in the family's own words and the actions that serve them, both versioned.

Every version of a goal or an action is kept in plan_history, which is append-only."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from server.access.categories import InformationCategory
from server.db.columns import created_at_field, enum_field, id_field


class OutcomeDomain(StrEnum):
    """The outcome domains families and professionals named (DOMAIN.md)."""

    behaviour = "behaviour"
    school_attendance_attainment = "school_attendance_attainment"
    family_peer_relationships = "family_peer_relationships"
    confidence_self_esteem = "confidence_self_esteem"
    aspirations_employability = "aspirations_employability"
    living_conditions = "living_conditions"
    mental_physical_health = "mental_physical_health"
    safety = "safety"


class GoalStatus(StrEnum):
    open = "open"
    achieved = "achieved"
    partly_achieved = "partly_achieved"
    not_achieved = "not_achieved"
    withdrawn = "withdrawn"


class ActionStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"


OPEN_ACTION_STATUSES = (ActionStatus.open.value, ActionStatus.in_progress.value)


class PlanGoal(SQLModel, table=True):
    __tablename__ = "plan_goal"

    id: uuid.UUID = id_field()
    family_id: uuid.UUID = Field(foreign_key="family.id", index=True)
    in_family_words: str = Field(max_length=1000)
    agreed_with_family: bool = False
    agreed_on: date | None = None
    target_date: date | None = None
    outcome_domain: OutcomeDomain = enum_field(OutcomeDomain, name="plan_goal_domain")
    status: GoalStatus = enum_field(GoalStatus, name="plan_goal_status")
    # A goal of the plan the family made at its family group conference: the family's own, agreed with it.
    conference_id: uuid.UUID | None = Field(default=None, foreign_key="taf_meeting.id")
    # The goal's words are case content of the agency that wrote them, in one category (kind plan_goal).
    owning_agency_id: uuid.UUID = Field(foreign_key="agency.id")
    category: InformationCategory = enum_field(
        InformationCategory, name="plan_goal_category", default=InformationCategory.other
    )
    version: int = 1
    created_by_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class PlanAction(SQLModel, table=True):
    __tablename__ = "plan_action"
    __table_args__ = (
        sa.Index("ix_plan_action_family_due", "family_id", "due_date"),
        sa.Index("ix_plan_action_meeting", "meeting_id"),  # a meeting's actions, read with its minutes
    )

    id: uuid.UUID = id_field()
    family_id: uuid.UUID = Field(foreign_key="family.id")
    goal_id: uuid.UUID | None = Field(default=None, foreign_key="plan_goal.id")
    meeting_id: uuid.UUID | None = Field(default=None, foreign_key="taf_meeting.id")  # agreed at this meeting
    description: str = Field(max_length=2000)
    owning_agency_id: uuid.UUID = Field(foreign_key="agency.id")
    owner_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    due_date: date
    status: ActionStatus = enum_field(ActionStatus, name="plan_action_status")
    # The description is case content of the owning agency, in one category (kind plan_action); its owner,
    # due date and status are the team's, for coordination.
    category: InformationCategory = enum_field(
        InformationCategory, name="plan_action_category", default=InformationCategory.other
    )
    version: int = 1
    created_by_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class ContingencyStatus(StrEnum):
    in_place = "in_place"  # ready, should the trigger happen
    used = "used"  # the trigger happened and the response was carried out
    withdrawn = "withdrawn"  # no longer needed


class PlanContingency(SQLModel, table=True):
    """ "What we will do when and if X happens": part of the family plan, versioned with it."""

    __tablename__ = "plan_contingency"

    id: uuid.UUID = id_field()
    family_id: uuid.UUID = Field(foreign_key="family.id", index=True)
    trigger: str = Field(max_length=1000)  # what would set it off: "If Mum goes into hospital again"
    response: str = Field(max_length=2000)  # what will then be done
    who_acts: str = Field(max_length=300)  # who does it (a worker, a family member, the duty team)
    agreed_with_family: bool = False
    # A trigger often names someone outside the family ("if X comes back to the house"): never to the portal.
    names_third_party: bool = False
    status: ContingencyStatus = enum_field(
        ContingencyStatus, name="plan_contingency_status", default=ContingencyStatus.in_place
    )
    # The trigger, response and who acts are case content of the agency that wrote them (kind plan_contingency).
    owning_agency_id: uuid.UUID = Field(foreign_key="agency.id")
    category: InformationCategory = enum_field(
        InformationCategory, name="plan_contingency_category", default=InformationCategory.other
    )
    version: int = 1
    created_by_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class PlanHistory(SQLModel, table=True):
    """One row per version of a goal or an action: who changed it, when, and what it then said."""

    __tablename__ = "plan_history"
    __table_args__ = (
        sa.UniqueConstraint("entity_id", "version", name="uq_plan_history_version"),
        sa.Index("ix_plan_history_family", "family_id", "created_at"),
    )

    id: uuid.UUID = id_field()
    family_id: uuid.UUID = Field(foreign_key="family.id")
    entity: str = Field(max_length=16)  # "goal", "action" or "contingency"
    entity_id: uuid.UUID
    version: int
    editor_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    snapshot: dict[str, Any] = Field(sa_type=JSONB)
    created_at: datetime = created_at_field()
