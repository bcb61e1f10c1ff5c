"""index consent records by (family, created_at): the family's consent list and chronology

Found by `make bench` (bench/results/bench.md): `SELECT ... FROM consent WHERE family_id = $1 ORDER BY
created_at DESC` read all 100,000 consent rows (21 ms) twice per family page; the only index on
family_id was partial (withdrawn_at IS NULL) and this list includes withdrawn consents.

Revision ID: 0800
Revises: 0500
Create Date: 2026-11-25 18:25:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0800"
down_revision: str | None = "0500"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_consent_family_created", "consent", ["family_id", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_consent_family_created", table_name="consent")
