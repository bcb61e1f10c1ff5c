"""one-time invitations to the family portal

Revision ID: 0600
Revises: 0400
Create Date: 2026-11-25 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0600"
down_revision: str | None = "0400"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "portal_invitation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("family_member_id", sa.Uuid(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("issued_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_user_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.ForeignKeyConstraint(["family_member_id"], ["family_member.id"]),
        sa.ForeignKeyConstraint(["issued_by_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["revoked_by_user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_portal_invitation_family", "portal_invitation", ["family_id", "created_at"], unique=False)
    op.create_index(
        op.f("ix_portal_invitation_family_member_id"), "portal_invitation", ["family_member_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_portal_invitation_family_member_id"), table_name="portal_invitation")
    op.drop_index("ix_portal_invitation_family", table_name="portal_invitation")
    op.drop_table("portal_invitation")
