"""care of the family: contingencies on the family plan; cover while the lead professional is away (deputy
leads and time away); the contact log

Revision ID: 0003_care
Revises: 0002_accounts
Create Date: 2026-12-03 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003_care"
down_revision: str | None = "0002_accounts"
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


def _enum(*values: str, name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "plan_contingency",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("trigger", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("response", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("who_acts", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("agreed_with_family", sa.Boolean(), nullable=False),
        sa.Column("names_third_party", sa.Boolean(), nullable=False),
        sa.Column("status", _enum("in_place", "used", "withdrawn", name="plan_contingency_status"), nullable=False),
        sa.Column("owning_agency_id", sa.Uuid(), nullable=False),
        sa.Column("category", _enum(*CATEGORIES, name="plan_contingency_category"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.ForeignKeyConstraint(["owning_agency_id"], ["agency.id"]),
        sa.ForeignKeyConstraint(["created_by_user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_plan_contingency_family_id"), "plan_contingency", ["family_id"], unique=False)
    op.create_table(
        "deputy_lead",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("appointed_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by_user_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["appointed_by_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["ended_by_user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_deputy_lead_family_id"), "deputy_lead", ["family_id"], unique=False)
    op.create_index(
        "uq_deputy_lead_one_active",
        "deputy_lead",
        ["family_id"],
        unique=True,
        postgresql_where=sa.text("valid_to IS NULL"),
    )
    op.create_table(
        "lead_absence",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("starts_on <= ends_on", name="ck_lead_absence_dates_in_order"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_lead_absence_user_ends", "lead_absence", ["user_id", "ends_on"], unique=False)
    op.create_table(
        "contact_log",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("worker_user_id", sa.Uuid(), nullable=False),
        sa.Column("owning_agency_id", sa.Uuid(), nullable=False),
        sa.Column("contacted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "kind",
            _enum("home_visit", "phone", "school", "office", "video", "other", name="contact_kind"),
            nullable=False,
        ),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("category", _enum(*CATEGORIES, name="contact_category"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("duration_minutes BETWEEN 1 AND 720", name="ck_contact_log_duration"),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.ForeignKeyConstraint(["worker_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["owning_agency_id"], ["agency.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_contact_log_family_at", "contact_log", ["family_id", "contacted_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_contact_log_family_at", table_name="contact_log")
    op.drop_table("contact_log")
    op.drop_index("ix_lead_absence_user_ends", table_name="lead_absence")
    op.drop_table("lead_absence")
    op.drop_index("uq_deputy_lead_one_active", table_name="deputy_lead", postgresql_where=sa.text("valid_to IS NULL"))
    op.drop_index(op.f("ix_deputy_lead_family_id"), table_name="deputy_lead")
    op.drop_table("deputy_lead")
    op.drop_index(op.f("ix_plan_contingency_family_id"), table_name="plan_contingency")
    op.drop_table("plan_contingency")
