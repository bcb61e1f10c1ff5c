"""accounts: administrators' edits of staff accounts and agencies (job title, contact details, deactivation,
versions for conflicts) and one-time password reset links

Revision ID: 0002_accounts
Revises: 0001_baseline
Create Date: 2026-12-03 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002_accounts"
down_revision: str | None = "0001_baseline"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("app_user", sa.Column("job_title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
    op.add_column("app_user", sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True))
    op.add_column("app_user", sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("app_user", sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.add_column(
        "app_user", sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())
    )
    op.add_column("agency", sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.add_column(
        "agency", sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())
    )
    # The defaults stay: rows written by other means than the application (bulk loads, the benchmark's data
    # generator) start at version 1, changed now, as the application's own rows do.
    op.create_table(
        "password_reset",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("issued_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["issued_by_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(op.f("ix_password_reset_user_id"), "password_reset", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_password_reset_user_id"), table_name="password_reset")
    op.drop_table("password_reset")
    for column in ("updated_at", "version"):
        op.drop_column("agency", column)
    for column in ("updated_at", "version", "deactivated_at", "phone", "job_title"):
        op.drop_column("app_user", column)
