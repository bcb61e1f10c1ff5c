"""Step up, step down, closure and re-opening of a family's case, each kept as a record."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from server.db.columns import created_at_field, enum_field, id_field


class TransitionKind(StrEnum):
    step_up = "step_up"
    step_down = "step_down"
    closure = "closure"
    reopening = "reopening"


class ClosureOutcome(StrEnum):
    goals_achieved = "goals_achieved"
    partly_achieved = "partly_achieved"
    stepped_down_to_universal = "stepped_down_to_universal"
    stepped_up_to_statutory = "stepped_up_to_statutory"
    family_disengaged = "family_disengaged"
    moved_away = "moved_away"
    other = "other"


class CareOutcome(StrEnum):
    """The edge-of-care outcome at closure: where the young person lives."""

    remained_at_home = "remained_at_home"
    entered_care = "entered_care"
    returned_home = "returned_home"
    moved_away = "moved_away"
    other = "other"


class FamilyTransition(SQLModel, table=True):
    __tablename__ = "family_transition"

    id: uuid.UUID = id_field()
    family_id: uuid.UUID = Field(foreign_key="family.id", index=True)
    kind: TransitionKind = enum_field(TransitionKind, name="family_transition_kind")
    effective_on: date
    reason: str = Field(max_length=5000)
    receiving_team: str = Field(default="", max_length=300)  # step up / step down
    outcome: ClosureOutcome | None = enum_field(ClosureOutcome, name="closure_outcome", nullable=True)
    care_outcome: CareOutcome | None = enum_field(CareOutcome, name="closure_care_outcome", nullable=True)
    support_continuing: str = Field(default="", max_length=5000)  # sustainability plan
    contact_if_difficulties: str = Field(default="", max_length=2000)
    family_feedback: str = Field(default="", max_length=5000)
    recorded_by_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    # A step up or down agreed at a multi-agency panel: that panel's decision for the family (server/panel).
    panel_decision_id: uuid.UUID | None = Field(default=None, foreign_key="panel_decision.id")
    created_at: datetime = created_at_field()
