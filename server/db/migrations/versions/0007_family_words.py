"""family words: each team member's part described for the family (shown on the portal instead of
the agency's own role text, which is written for staff)

Revision ID: 0007_family_words
Revises: 0006_history_import
Create Date: 2026-12-03 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007_family_words"
down_revision: str | None = "0006_history_import"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "team_membership",
        sa.Column(
            "family_description", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False, server_default=""
        ),
    )


def downgrade() -> None:
    op.drop_column("team_membership", "family_description")
