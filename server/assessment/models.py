"""Early help assessments (entry, review, exit) and reviews with outcome scores.

Both are snapshots: rows are added, never changed (triggers in the baseline migration refuse UPDATE and
DELETE), so entry-versus-exit comparisons always compare what was recorded at the time. A wrong
assessment is corrected by a new version that supersedes it, with the reason; the old one is kept and
read as the new one's history. Only versions nobody superseded count (`current_assessment`)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import aliased
from sqlmodel import Field, SQLModel

from server.access.categories import InformationCategory
from server.db.columns import created_at_field, enum_field, id_field
from server.family.models import LevelOfNeed
from server.plan.models import OutcomeDomain


class AssessmentStage(StrEnum):
    entry = "entry"
    review = "review"
    exit = "exit"


class RiskRating(StrEnum):
    not_a_concern = "not_a_concern"
    low = "low"
    medium = "medium"
    high = "high"
    no_longer_a_risk = "no_longer_a_risk"  # on exit only, for a risk present on entry


RISK_PRESENT = frozenset({RiskRating.low, RiskRating.medium, RiskRating.high})


class Assessment(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_assessment_family_stage", "family_id", "stage", "assessed_on"),)

    id: uuid.UUID = id_field()
    family_id: uuid.UUID = Field(foreign_key="family.id")
    stage: AssessmentStage = enum_field(AssessmentStage, name="assessment_stage")
    assessed_on: date
    level_of_need: LevelOfNeed = enum_field(LevelOfNeed, name="assessment_level_of_need")
    strengths: str = Field(default="", max_length=10_000)
    needs: str = Field(default="", max_length=10_000)
    child_views: str = Field(default="", max_length=10_000)  # in the child's own words
    family_views: str = Field(default="", max_length=10_000)  # in the family's own words
    protective_factors: str = Field(default="", max_length=10_000)
    resilience_indicators: list[str] = Field(default_factory=list, sa_type=ARRAY(sa.String(64)))
    author_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    # The narrative is the author's agency's case content in one category (kind assessment_narrative).
    owning_agency_id: uuid.UUID = Field(foreign_key="agency.id")
    category: InformationCategory = enum_field(
        InformationCategory, name="assessment_category", default=InformationCategory.other
    )
    contains_third_party_identities: bool = False
    created_at: datetime = created_at_field()
    version: int = 1
    # The version this one corrects (unique: a version is corrected once, so two corrections of the same
    # version at once conflict instead of forking the history), and why.
    supersedes_id: uuid.UUID | None = Field(default=None, foreign_key="assessment.id", unique=True)
    correction_reason: str = Field(default="", max_length=5000)


def current_assessment(assessment_id: sa.ColumnElement | None = None) -> sa.ColumnElement[bool]:
    """True for an assessment no later version corrects: the one that counts (`assessment_id` names the
    assessment's id where the query reads it through an alias)."""
    later = aliased(Assessment)
    # `IS NOT NULL` says nothing the equality does not, but lets PostgreSQL see that few assessments supersede
    # another and hash those few, not every assessment it checks (bench/README.md, "Memory for the hashes").
    return ~sa.exists().where(
        later.supersedes_id.is_not(None),
        later.supersedes_id == (Assessment.id if assessment_id is None else assessment_id),
    )


class AssessmentRating(SQLModel, table=True):
    """One risk factor's rating in one assessment: for the family (member_id null) or for one member."""

    __tablename__ = "assessment_rating"
    __table_args__ = (
        sa.Index(
            "uq_assessment_rating_factor",
            "assessment_id",
            "factor",
            sa.text("coalesce(member_id, '00000000-0000-0000-0000-000000000000'::uuid)"),
            unique=True,
        ),
    )

    id: uuid.UUID = id_field()
    assessment_id: uuid.UUID = Field(foreign_key="assessment.id", index=True)
    factor: str = Field(max_length=64)
    member_id: uuid.UUID | None = Field(default=None, foreign_key="family_member.id")
    rating: RiskRating = enum_field(RiskRating, name="risk_rating")
    # Case content of the assessing agency, in the factor's category (policies/assessment_factors.csv).
    owning_agency_id: uuid.UUID = Field(foreign_key="agency.id")
    category: InformationCategory = enum_field(InformationCategory, name="assessment_rating_category")


class Review(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_review_family_on", "family_id", "reviewed_on"),)

    id: uuid.UUID = id_field()
    family_id: uuid.UUID = Field(foreign_key="family.id")
    meeting_id: uuid.UUID | None = Field(default=None, foreign_key="taf_meeting.id")
    reviewed_on: date
    summary: str = Field(default="", max_length=10_000)
    author_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    # The summary and the progress notes are the author's agency's case content (kind review_note).
    owning_agency_id: uuid.UUID = Field(foreign_key="agency.id")
    category: InformationCategory = enum_field(
        InformationCategory, name="review_category", default=InformationCategory.other
    )
    contains_third_party_identities: bool = False
    created_at: datetime = created_at_field()


class GoalProgress(SQLModel, table=True):
    __tablename__ = "review_goal_progress"
    __table_args__ = (sa.UniqueConstraint("review_id", "goal_id", name="uq_review_goal_progress"),)

    id: uuid.UUID = id_field()
    review_id: uuid.UUID = Field(foreign_key="review.id", index=True)
    goal_id: uuid.UUID = Field(foreign_key="plan_goal.id")
    progress: str = Field(max_length=2000)


class OutcomeScore(SQLModel, table=True):
    """A score from 1 (serious difficulty) to 10 (thriving) for one outcome domain at one review."""

    __tablename__ = "outcome_score"
    __table_args__ = (
        sa.UniqueConstraint("review_id", "domain", name="uq_outcome_score_domain"),
        sa.CheckConstraint("score BETWEEN 1 AND 10", name="outcome_score_range"),
    )

    id: uuid.UUID = id_field()
    review_id: uuid.UUID = Field(foreign_key="review.id", index=True)
    domain: OutcomeDomain = enum_field(OutcomeDomain, name="outcome_score_domain")
    score: int
