"""multi-agency panels: sittings, the families considered at each with the panel's decision (its rationale is
case content), the services allocated, and the panel decision a step up or down was agreed at

Revision ID: 0008_panels
Revises: 0007_family_words
Create Date: 2026-12-03 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008_panels"
down_revision: str | None = "0007_family_words"
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
OUTCOMES = ("accept_for_service", "step_up", "step_down", "no_change", "defer")


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "panel_sitting",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", _text(200), nullable=False),
        sa.Column("kind", _enum("panel_kind", "gateway", "resource"), nullable=False),
        sa.Column("sits_on", sa.Date(), nullable=False),
        sa.Column("chair_user_id", sa.Uuid(), nullable=False),
        sa.Column("members", _text(2000), nullable=False),
        sa.Column("agency_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["chair_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["created_by_user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_panel_sitting_sits_on"), "panel_sitting", ["sits_on"], unique=False)
    op.create_table(
        "panel_decision",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sitting_id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("added_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", _enum("panel_outcome", *OUTCOMES), nullable=True),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("decided_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rationale", _text(5000), nullable=False),
        sa.Column("owning_agency_id", sa.Uuid(), nullable=True),
        sa.Column("category", _enum("panel_category", *CATEGORIES), nullable=True),
        sa.Column("names_third_party", sa.Boolean(), nullable=False),
        sa.Column("about_member_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.ForeignKeyConstraint(["added_by_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["decided_by_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.ForeignKeyConstraint(["owning_agency_id"], ["agency.id"]),
        sa.ForeignKeyConstraint(["sitting_id"], ["panel_sitting.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sitting_id", "family_id", name="uq_panel_decision_family"),
    )
    op.create_index("ix_panel_decision_family", "panel_decision", ["family_id"], unique=False)
    op.create_table(
        "panel_allocation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("decision_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name="ck_panel_allocation_quantity"),
        sa.ForeignKeyConstraint(["decision_id"], ["panel_decision.id"]),
        sa.ForeignKeyConstraint(["service_id"], ["catalogue_service.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("decision_id", "service_id", name="uq_panel_allocation_service"),
    )
    op.create_index(op.f("ix_panel_allocation_decision_id"), "panel_allocation", ["decision_id"], unique=False)
    op.add_column("family_transition", sa.Column("panel_decision_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        "family_transition_panel_decision_id_fkey", "family_transition", "panel_decision", ["panel_decision_id"], ["id"]
    )


def downgrade() -> None:
    op.drop_constraint("family_transition_panel_decision_id_fkey", "family_transition", type_="foreignkey")
    op.drop_column("family_transition", "panel_decision_id")
    op.drop_index(op.f("ix_panel_allocation_decision_id"), table_name="panel_allocation")
    op.drop_table("panel_allocation")
    op.drop_index("ix_panel_decision_family", table_name="panel_decision")
    op.drop_table("panel_decision")
    op.drop_index(op.f("ix_panel_sitting_sits_on"), table_name="panel_sitting")
    op.drop_table("panel_sitting")
