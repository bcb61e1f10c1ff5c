"""audit events' detail stored without compression: a read event's detail (server/audit/read_detail.py) is written
before its request is answered, and compressing it with pglz took about as long as everything else of its INSERT
(bench/README.md); written compactly it is smaller uncompressed than the earlier form was compressed

Revision ID: 0013_audit_detail_uncompressed
Revises: 0012_agreement_pairs
Create Date: 2026-12-05 14:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013_audit_detail_uncompressed"
down_revision: str | None = "0012_agreement_pairs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Only how new values are stored: a value already written is not rewritten (the chain's hashes cover the
# detail's text, which its storage does not change).
def upgrade() -> None:
    op.execute("ALTER TABLE audit_event ALTER COLUMN detail SET STORAGE EXTERNAL")


def downgrade() -> None:
    op.execute("ALTER TABLE audit_event ALTER COLUMN detail SET STORAGE EXTENDED")
