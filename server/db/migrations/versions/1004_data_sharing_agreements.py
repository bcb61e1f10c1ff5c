"""data-sharing agreements between agencies

Sharing by consent between two agencies now needs an active agreement between them that covers the
category: the agreement, its parties and each party's information-governance contact.

Revision ID: 1004
Revises: 1003
Create Date: 2026-12-10 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "1004"
down_revision: str | None = "1003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_sharing_agreement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("categories", postgresql.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("purposes", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column(
            "lawful_basis",
            sa.Enum(
                "public_task",
                "legal_obligation",
                "legitimate_interests",
                "vital_interests",
                name="agreement_lawful_basis",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("lawful_basis_detail", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("document_reference", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("end_reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.CheckConstraint("starts_on < review_on AND review_on < ends_on", name="ck_agreement_dates_in_order"),
        sa.ForeignKeyConstraint(["created_by_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["ended_by_user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "data_sharing_agreement_party",
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("ig_contact_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("ig_contact_email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("ig_contact_phone", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"]),
        sa.ForeignKeyConstraint(["agreement_id"], ["data_sharing_agreement.id"]),
        sa.PrimaryKeyConstraint("agreement_id", "agency_id"),
    )
    op.create_index(
        op.f("ix_data_sharing_agreement_party_agency_id"), "data_sharing_agreement_party", ["agency_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_data_sharing_agreement_party_agency_id"), table_name="data_sharing_agreement_party")
    op.drop_table("data_sharing_agreement_party")
    op.drop_table("data_sharing_agreement")
