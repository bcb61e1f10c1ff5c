"""notification digest: held notifications are marked with the digest that carried them

Revision ID: 0500
Revises: 0700 (was 0400 before main gained 0600 and 0700)
Create Date: 2026-11-25 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0500"
down_revision: str | None = "0700"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A digest is compiled from notifications, not from an outbox event.
    op.alter_column("notification", "outbox_id", existing_type=sa.BigInteger(), nullable=True)
    op.add_column("notification", sa.Column("digested_in", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_notification_held",
        "notification",
        ["recipient_user_id", "created_at"],
        unique=False,
        postgresql_where=sa.text("delivery = 'daily_digest' AND digested_in IS NULL"),
    )
    # One digest per recipient per local day, whatever the number of instances.
    op.create_index(
        "uq_notification_digest_day",
        "notification",
        ["recipient_user_id", sa.text("(payload->>'digest_on')")],
        unique=True,
        postgresql_where=sa.text("kind = 'daily_digest'"),
    )


def downgrade() -> None:
    op.drop_index("uq_notification_digest_day", table_name="notification")
    op.drop_index("ix_notification_held", table_name="notification")
    op.drop_column("notification", "digested_in")
    op.execute("DELETE FROM notification WHERE outbox_id IS NULL")
    op.alter_column("notification", "outbox_id", existing_type=sa.BigInteger(), nullable=False)
