"""history and import: idempotency keys remember the request they were used for; assessments are
corrected by new versions (the corrected one kept); each import of historic cases is recorded by its
file's SHA-256

Revision ID: 0006_history_import
Revises: 0005_journey
Create Date: 2026-12-03 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006_history_import"
down_revision: str | None = "0005_journey"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "idempotency_key", sa.Column("payload_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
    )
    op.add_column("assessment", sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.add_column("assessment", sa.Column("supersedes_id", sa.Uuid(), nullable=True))
    op.add_column(
        "assessment",
        sa.Column(
            "correction_reason", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False, server_default=""
        ),
    )
    op.create_foreign_key("assessment_supersedes_id_fkey", "assessment", "assessment", ["supersedes_id"], ["id"])
    op.create_unique_constraint("assessment_supersedes_id_key", "assessment", ["supersedes_id"])
    op.create_table(
        "case_import",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("imported_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("families", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["imported_by_user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
    )


def downgrade() -> None:
    op.drop_table("case_import")
    op.drop_constraint("assessment_supersedes_id_key", "assessment", type_="unique")
    op.drop_constraint("assessment_supersedes_id_fkey", "assessment", type_="foreignkey")
    op.drop_column("assessment", "correction_reason")
    op.drop_column("assessment", "supersedes_id")
    op.drop_column("assessment", "version")
    op.drop_column("idempotency_key", "payload_hash")
