"""plan actions by meeting: a meeting's content statement reads its actions by meeting_id (every answer of a
change to a meeting's minutes), which scanned every plan action of every family

Revision ID: 0010_plan_action_meeting
Revises: 0009_family_network
Create Date: 2026-12-04 02:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010_plan_action_meeting"
down_revision: str | None = "0009_family_network"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_plan_action_meeting", "plan_action", ["meeting_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_plan_action_meeting", table_name="plan_action")
