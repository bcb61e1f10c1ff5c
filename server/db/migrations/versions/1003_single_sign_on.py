"""single sign-on: identity links, sign-ins in progress, SSO-only agencies

Staff accounts are linked to an OpenID Connect provider's (issuer, subject); a sign-in through a provider
is kept from the redirect until the browser collects its token; an agency can refuse password sign-in.

Revision ID: 1003
Revises: 1002
Create Date: 2026-12-04 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "1003"
down_revision: str | None = "1002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("agency", sa.Column("sso_only", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "identity_link",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("issuer", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("issuer", "subject", name="uq_identity_link_issuer_subject"),
        sa.UniqueConstraint("user_id", "issuer", name="uq_identity_link_user_issuer"),
    )
    op.create_index(op.f("ix_identity_link_user_id"), "identity_link", ["user_id"], unique=False)
    op.create_table(
        "sso_sign_in",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("state_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("browser_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("nonce", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("code_verifier", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("handover_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("handover_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handed_over_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("handover_hash"),
        sa.UniqueConstraint("state_hash"),
    )


def downgrade() -> None:
    op.drop_table("sso_sign_in")
    op.drop_index(op.f("ix_identity_link_user_id"), table_name="identity_link")
    op.drop_table("identity_link")
    op.drop_column("agency", "sso_only")
