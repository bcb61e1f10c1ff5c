"""index safeguarding overrides by (family, created_at): the family's override list and chronology

Found by `make bench` growth at 10x (100,000 families, 30,000 overrides): `SELECT ... FROM
safeguarding_override WHERE family_id = $1 ORDER BY created_at DESC` took 0.9 ms at 1x and 9.5 ms at
10x, because the only index on family_id is partial (revoked_at IS NULL) and this list includes revoked
overrides, so it grew with the table rather than with the family.

Revision ID: 0900
Revises: 0800
Create Date: 2026-11-25 19:25:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0900"
down_revision: str | None = "0800"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_override_family_created", "safeguarding_override", ["family_id", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_override_family_created", table_name="safeguarding_override")
