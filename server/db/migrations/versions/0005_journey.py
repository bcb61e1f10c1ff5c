"""the journey from referral to follow-up: referrals (who referred a family, why, with what consent, the
threshold decision, first contact, the closed case a re-referral follows), the family's legal status and
cohort with its history, the edge-of-care outcome at closure, and follow-up checks after closure

Revision ID: 0005_journey
Revises: 0004_services
Create Date: 2026-12-03 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005_journey"
down_revision: str | None = "0004_services"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CATEGORIES = (
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
)
LEVELS = ("universal", "targeted", "specialist", "statutory")
LEGAL_STATUSES = ("none", "child_in_need", "child_protection_plan", "looked_after")
MEMBER_FLAGS = ("lives_in_household", "is_young_carer", "interpreter_needed", "has_disability")
AGENCY_KINDS = (
    "police",
    "health",
    "education",
    "housing",
    "social_care",
    "early_help",
    "youth_justice",
    "voluntary",
    "other",
)
NEW_AGENCY_KINDS = ("adult_services", "probation", "employment_support")
CARE_OUTCOMES = ("remained_at_home", "entered_care", "returned_home", "moved_away", "other")


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "referral",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("referrer_name", _text(200), nullable=False),
        sa.Column("referrer_organisation", _text(200), nullable=False),
        sa.Column("referrer_role", _text(200), nullable=False),
        sa.Column("referrer_contact", _text(300), nullable=False),
        sa.Column("consent", _enum("referral_consent", "given", "refused", "not_sought"), nullable=False),
        sa.Column("consent_given_by", _text(200), nullable=False),
        sa.Column("reason", _text(5000), nullable=False),
        sa.Column("presenting_needs", _text(5000), nullable=False),
        sa.Column("owning_agency_id", sa.Uuid(), nullable=False),
        sa.Column("category", _enum("referral_category", *CATEGORIES), nullable=False),
        sa.Column("recorded_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_level", _enum("referral_decided_level", *LEVELS), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("decision_reason", _text(5000), nullable=True),
        sa.Column("outcome", _enum("referral_outcome", "accepted", "redirected", "no_further_action"), nullable=True),
        sa.Column("redirected_to", _text(300), nullable=False),
        sa.Column("first_contact_on", sa.Date(), nullable=True),
        sa.Column("earlier_family_id", sa.Uuid(), nullable=True),
        sa.Column("earlier_closure_id", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["decided_by_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["earlier_family_id"], ["family.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["earlier_closure_id"], ["family_transition.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.ForeignKeyConstraint(["owning_agency_id"], ["agency.id"]),
        sa.ForeignKeyConstraint(["recorded_by_user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_referral_family_received", "referral", ["family_id", "received_on"], unique=False)
    op.create_table(
        "family_legal_status",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("legal_status", _enum("legal_status", *LEGAL_STATUSES), nullable=False),
        sa.Column("edge_of_care", sa.Boolean(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("recorded_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.ForeignKeyConstraint(["recorded_by_user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_family_legal_status_family_from", "family_legal_status", ["family_id", "effective_from"], unique=False
    )
    op.add_column(
        "family_transition", sa.Column("care_outcome", _enum("closure_care_outcome", *CARE_OUTCOMES), nullable=True)
    )
    op.create_table(
        "follow_up",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("closure_id", sa.Uuid(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=True),
        sa.Column("still_at_home", sa.Boolean(), nullable=True),
        sa.Column("re_referred", sa.Boolean(), nullable=True),
        sa.Column("note", _text(2000), nullable=False),
        sa.Column("recorded_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["closure_id"], ["family_transition.id"]),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.ForeignKeyConstraint(["recorded_by_user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("closure_id", "months", name="uq_follow_up_closure_months"),
    )
    op.create_index("ix_follow_up_family_due", "follow_up", ["family_id", "due_on"], unique=False)
    for name in MEMBER_FLAGS:
        default = sa.true() if name == "lives_in_household" else sa.false()
        op.add_column("family_member", sa.Column(name, sa.Boolean(), nullable=False, server_default=default))
    op.add_column("family_member", sa.Column("first_language", _text(60), nullable=False, server_default=""))
    _agency_kinds(AGENCY_KINDS + NEW_AGENCY_KINDS)


def _agency_kinds(kinds: tuple[str, ...]) -> None:
    op.drop_constraint("agency_kind", "agency", type_="check")
    op.create_check_constraint("agency_kind", "agency", sa.column("kind").in_(kinds))


def downgrade() -> None:
    _agency_kinds(AGENCY_KINDS)
    op.drop_column("family_member", "first_language")
    for name in MEMBER_FLAGS:
        op.drop_column("family_member", name)
    op.drop_index("ix_follow_up_family_due", table_name="follow_up")
    op.drop_table("follow_up")
    op.drop_column("family_transition", "care_outcome")
    op.drop_index("ix_family_legal_status_family_from", table_name="family_legal_status")
    op.drop_table("family_legal_status")
    op.drop_index("ix_referral_family_received", table_name="referral")
    op.drop_table("referral")
