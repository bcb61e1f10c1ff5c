"""index team memberships by (family, agency) for the access facts

Revision ID: 0400
Revises: 0200
Create Date: 2026-11-25 16:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0400"
down_revision: str | None = "0200"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_team_membership_family_agency_active",
        "team_membership",
        ["family_id", "agency_id"],
        unique=False,
        postgresql_where=sa.text("valid_to IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_team_membership_family_agency_active", table_name="team_membership")
