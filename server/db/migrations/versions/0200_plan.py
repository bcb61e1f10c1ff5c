"""the shared family plan: goals and actions, TAF meetings, assessments, reviews, transitions, escalations

Revision ID: 0200
Revises: 0301
Create Date: 2026-11-25 16:05:05.825697
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0200"
down_revision: str | None = "0301"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


APPEND_ONLY_TABLES = (
    "plan_history",
    "assessment",
    "assessment_rating",
    "review",
    "review_goal_progress",
    "outcome_score",
    "taf_meeting_addendum",
    "taf_meeting_change",
)

APPEND_ONLY = """
CREATE FUNCTION taf_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$
"""

MINUTES_FIXED = """
CREATE FUNCTION taf_meeting_minutes_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.minutes_published_at IS NOT NULL AND (NEW.minutes IS DISTINCT FROM OLD.minutes
        OR NEW.minutes_published_at IS DISTINCT FROM OLD.minutes_published_at) THEN
        RAISE EXCEPTION 'published minutes cannot change; add an addendum'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$
"""


def _immutability() -> None:
    # Snapshots and history are never rewritten; published minutes never change (corrections are addenda).
    op.execute(APPEND_ONLY)
    for table in APPEND_ONLY_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}"
            " FOR EACH ROW EXECUTE FUNCTION taf_append_only()"
        )
    op.execute(MINUTES_FIXED)
    op.execute(
        "CREATE TRIGGER taf_meeting_minutes_fixed BEFORE UPDATE ON taf_meeting"
        " FOR EACH ROW EXECUTE FUNCTION taf_meeting_minutes_fixed()"
    )


def _drop_immutability() -> None:
    op.execute("DROP TRIGGER taf_meeting_minutes_fixed ON taf_meeting")
    op.execute("DROP FUNCTION taf_meeting_minutes_fixed()")
    for table in APPEND_ONLY_TABLES:
        op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
    op.execute("DROP FUNCTION taf_append_only()")


def upgrade() -> None:
    op.create_table(
        "assessment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "entry", "review", "exit", name="assessment_stage", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column(
            "level_of_need",
            sa.Enum(
                "universal",
                "targeted",
                "specialist",
                "statutory",
                name="assessment_level_of_need",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("strengths", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("needs", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("child_views", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("family_views", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("protective_factors", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("resilience_indicators", postgresql.ARRAY(sa.String(length=64)), nullable=False),
        sa.Column("author_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_user_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["family.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_assessment_family_stage", "assessment", ["family_id", "stage", "assessed_on"], unique=False)
    op.create_table(
        "escalation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "concern",
                "urgent",
                "immediate_danger",
                name="escalation_level",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "category",
            sa.Enum(
                "health",
                "mental_health",
                "education",
                "police",
                "youth_justice",
                "housing",
                "social_care",
                "substance_misuse",
                "domestic_abuse",
                "family_history",
                "finance",
                "other",
                name="escalation_category",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("owning_agency_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
        sa.Column("raised_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ack_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_user_id", sa.Uuid(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "managed_within_plan",
                "referral_childrens_social_care",
                "referral_police",
                "step_up",
                "no_further_action",
                name="escalation_outcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("outcome_note", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=True),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_user_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["family.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owning_agency_id"],
            ["agency.id"],
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_user_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_user_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_escalation_family_raised", "escalation", ["family_id", "raised_at"], unique=False)
    op.create_index(
        "ix_escalation_unacknowledged",
        "escalation",
        ["ack_due_at"],
        unique=False,
        postgresql_where=sa.text("acknowledged_at IS NULL"),
    )
    op.create_table(
        "family_transition",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "step_up",
                "step_down",
                "closure",
                "reopening",
                name="family_transition_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
        sa.Column("receiving_team", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "goals_achieved",
                "partly_achieved",
                "stepped_down_to_universal",
                "stepped_up_to_statutory",
                "family_disengaged",
                "moved_away",
                "other",
                name="closure_outcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("support_continuing", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
        sa.Column("contact_if_difficulties", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("family_feedback", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
        sa.Column("recorded_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["family.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_family_transition_family_id"), "family_transition", ["family_id"], unique=False)
    op.create_table(
        "plan_goal",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("in_family_words", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("agreed_with_family", sa.Boolean(), nullable=False),
        sa.Column("agreed_on", sa.Date(), nullable=True),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column(
            "outcome_domain",
            sa.Enum(
                "behaviour",
                "school_attendance_attainment",
                "family_peer_relationships",
                "confidence_self_esteem",
                "aspirations_employability",
                "living_conditions",
                "mental_physical_health",
                "safety",
                name="plan_goal_domain",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "achieved",
                "partly_achieved",
                "not_achieved",
                "withdrawn",
                name="plan_goal_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["family.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_plan_goal_family_id"), "plan_goal", ["family_id"], unique=False)
    op.create_table(
        "plan_history",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("editor_user_id", sa.Uuid(), nullable=False),
        sa.Column("snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["editor_user_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["family.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("entity_id", "version", name="uq_plan_history_version"),
    )
    op.create_index("ix_plan_history_family", "plan_history", ["family_id", "created_at"], unique=False)
    op.create_table(
        "taf_meeting",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "initial",
                "review",
                "closure",
                "other",
                name="taf_meeting_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "scheduled",
                "held",
                "cancelled",
                name="taf_meeting_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("call_link", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("chair_user_id", sa.Uuid(), nullable=False),
        sa.Column("agenda", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
        sa.Column("minutes", sqlmodel.sql.sqltypes.AutoString(length=50000), nullable=False),
        sa.Column("minutes_published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("location <> '' OR call_link <> ''", name="taf_meeting_place"),
        sa.ForeignKeyConstraint(
            ["chair_user_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["family.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_taf_meeting_family_at", "taf_meeting", ["family_id", "scheduled_at"], unique=False)
    op.create_table(
        "assessment_rating",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("factor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=True),
        sa.Column(
            "rating",
            sa.Enum(
                "not_a_concern",
                "low",
                "medium",
                "high",
                "no_longer_a_risk",
                name="risk_rating",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["family_member.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_assessment_rating_assessment_id"), "assessment_rating", ["assessment_id"], unique=False)
    op.create_index(
        "uq_assessment_rating_factor",
        "assessment_rating",
        [
            "assessment_id",
            "factor",
            sa.literal_column("coalesce(member_id, '00000000-0000-0000-0000-000000000000'::uuid)"),
        ],
        unique=True,
    )
    op.create_table(
        "plan_action",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("goal_id", sa.Uuid(), nullable=True),
        sa.Column("meeting_id", sa.Uuid(), nullable=True),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("owning_agency_id", sa.Uuid(), nullable=False),
        sa.Column("owner_user_id", sa.Uuid(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "in_progress",
                "done",
                "cancelled",
                name="plan_action_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["family.id"],
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["plan_goal.id"],
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["taf_meeting.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owner_user_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owning_agency_id"],
            ["agency.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_plan_action_family_due", "plan_action", ["family_id", "due_date"], unique=False)
    op.create_table(
        "review",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=True),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("author_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_user_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["family.id"],
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["taf_meeting.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_review_family_on", "review", ["family_id", "reviewed_on"], unique=False)
    op.create_table(
        "taf_meeting_addendum",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
        sa.Column("author_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_user_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["taf_meeting.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_taf_meeting_addendum_meeting_id"), "taf_meeting_addendum", ["meeting_id"], unique=False)
    op.create_table(
        "taf_meeting_change",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "rescheduled",
                "cancelled",
                name="taf_meeting_change_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("previous_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("new_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changed_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_user_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["taf_meeting.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_taf_meeting_change_meeting_id"), "taf_meeting_change", ["meeting_id"], unique=False)
    op.create_table(
        "taf_meeting_decision",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("recorded_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["taf_meeting.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_taf_meeting_decision_meeting_id"), "taf_meeting_decision", ["meeting_id"], unique=False)
    op.create_table(
        "taf_meeting_invitee",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("family_member_id", sa.Uuid(), nullable=True),
        sa.Column(
            "attendance",
            sa.Enum(
                "invited",
                "present",
                "apologies",
                "absent",
                name="taf_meeting_attendance",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.CheckConstraint("(user_id IS NULL) <> (family_member_id IS NULL)", name="taf_meeting_invitee_who"),
        sa.ForeignKeyConstraint(
            ["family_member_id"],
            ["family_member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["taf_meeting.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "family_member_id", name="uq_taf_meeting_invitee_member"),
        sa.UniqueConstraint("meeting_id", "user_id", name="uq_taf_meeting_invitee_user"),
    )
    op.create_index(op.f("ix_taf_meeting_invitee_meeting_id"), "taf_meeting_invitee", ["meeting_id"], unique=False)
    op.create_table(
        "outcome_score",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column(
            "domain",
            sa.Enum(
                "behaviour",
                "school_attendance_attainment",
                "family_peer_relationships",
                "confidence_self_esteem",
                "aspirations_employability",
                "living_conditions",
                "mental_physical_health",
                "safety",
                name="outcome_score_domain",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 10", name="outcome_score_range"),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["review.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("review_id", "domain", name="uq_outcome_score_domain"),
    )
    op.create_index(op.f("ix_outcome_score_review_id"), "outcome_score", ["review_id"], unique=False)
    op.create_table(
        "review_goal_progress",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("goal_id", sa.Uuid(), nullable=False),
        sa.Column("progress", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["plan_goal.id"],
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["review.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("review_id", "goal_id", name="uq_review_goal_progress"),
    )
    op.create_index(op.f("ix_review_goal_progress_review_id"), "review_goal_progress", ["review_id"], unique=False)
    _immutability()


def downgrade() -> None:
    _drop_immutability()
    op.drop_index(op.f("ix_review_goal_progress_review_id"), table_name="review_goal_progress")
    op.drop_table("review_goal_progress")
    op.drop_index(op.f("ix_outcome_score_review_id"), table_name="outcome_score")
    op.drop_table("outcome_score")
    op.drop_index(op.f("ix_taf_meeting_invitee_meeting_id"), table_name="taf_meeting_invitee")
    op.drop_table("taf_meeting_invitee")
    op.drop_index(op.f("ix_taf_meeting_decision_meeting_id"), table_name="taf_meeting_decision")
    op.drop_table("taf_meeting_decision")
    op.drop_index(op.f("ix_taf_meeting_change_meeting_id"), table_name="taf_meeting_change")
    op.drop_table("taf_meeting_change")
    op.drop_index(op.f("ix_taf_meeting_addendum_meeting_id"), table_name="taf_meeting_addendum")
    op.drop_table("taf_meeting_addendum")
    op.drop_index("ix_review_family_on", table_name="review")
    op.drop_table("review")
    op.drop_index("ix_plan_action_family_due", table_name="plan_action")
    op.drop_table("plan_action")
    op.drop_index("uq_assessment_rating_factor", table_name="assessment_rating")
    op.drop_index(op.f("ix_assessment_rating_assessment_id"), table_name="assessment_rating")
    op.drop_table("assessment_rating")
    op.drop_index("ix_taf_meeting_family_at", table_name="taf_meeting")
    op.drop_table("taf_meeting")
    op.drop_index("ix_plan_history_family", table_name="plan_history")
    op.drop_table("plan_history")
    op.drop_index(op.f("ix_plan_goal_family_id"), table_name="plan_goal")
    op.drop_table("plan_goal")
    op.drop_index(op.f("ix_family_transition_family_id"), table_name="family_transition")
    op.drop_table("family_transition")
    op.drop_index(
        "ix_escalation_unacknowledged", table_name="escalation", postgresql_where=sa.text("acknowledged_at IS NULL")
    )
    op.drop_index("ix_escalation_family_raised", table_name="escalation")
    op.drop_table("escalation")
    op.drop_index("ix_assessment_family_stage", table_name="assessment")
    op.drop_table("assessment")
