"""audit chain: each audit event is chained to the previous one by a SHA-256 hash

Revision ID: 0300
Revises: 0100
Create Date: 2026-11-25 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0300"
down_revision: str | None = "0100"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What is hashed of each event: every field, in a form that does not depend on session settings
# (time as integer microseconds since 1970; jsonb's text form has a canonical key order).
CONTENT_FUNCTION = """
CREATE FUNCTION audit_event_content(e audit_event) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT convert_to(concat_ws('|',
        e.chain_position,
        (extract(epoch FROM e.at) * 1000000)::bigint,
        coalesce(e.actor_user_id::text, ''),
        e.action,
        e.outcome,
        coalesce(e.family_id::text, ''),
        coalesce(e.address, ''),
        e.detail::text), 'UTF8')
$$
"""

# Chaining happens in the database, under one lock, so that no writer (ours or anyone's) can add an
# event outside the chain, and chain order is commit order.
CHAIN_FUNCTION = """
CREATE FUNCTION audit_event_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_position bigint;
    last_hash bytea;
BEGIN
    PERFORM pg_advisory_xact_lock(727004);
    SELECT chain_position, hash INTO last_position, last_hash
        FROM audit_event ORDER BY chain_position DESC LIMIT 1;
    NEW.chain_position := coalesce(last_position, 0) + 1;
    NEW.prev_hash := coalesce(last_hash, '\\x'::bytea);
    NEW.hash := sha256(NEW.prev_hash || audit_event_content(NEW));
    RETURN NEW;
END;
$$
"""

BACKFILL = """
DO $$
DECLARE
    event audit_event;
    position bigint := 0;
    previous bytea := '\\x'::bytea;
BEGIN
    FOR event IN SELECT * FROM audit_event ORDER BY id LOOP
        position := position + 1;
        event.chain_position := position;
        event.prev_hash := previous;
        event.hash := sha256(previous || audit_event_content(event));
        UPDATE audit_event SET chain_position = event.chain_position, prev_hash = event.prev_hash,
            hash = event.hash WHERE id = event.id;
        previous := event.hash;
    END LOOP;
END
$$
"""


def upgrade() -> None:
    op.add_column("audit_event", sa.Column("chain_position", sa.BigInteger(), nullable=True))
    op.add_column("audit_event", sa.Column("prev_hash", sa.LargeBinary(), nullable=True))
    op.add_column("audit_event", sa.Column("hash", sa.LargeBinary(), nullable=True))
    op.execute(CONTENT_FUNCTION)
    op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_or_delete")
    op.execute(BACKFILL)
    op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update_or_delete")
    op.alter_column("audit_event", "chain_position", nullable=False)
    op.alter_column("audit_event", "prev_hash", nullable=False)
    op.alter_column("audit_event", "hash", nullable=False)
    op.create_unique_constraint("uq_audit_event_chain_position", "audit_event", ["chain_position"])
    op.execute(CHAIN_FUNCTION)
    op.execute(
        "CREATE TRIGGER audit_event_chain BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_event_chain()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_event_chain ON audit_event")
    op.execute("DROP FUNCTION audit_event_chain()")
    op.drop_constraint("uq_audit_event_chain_position", "audit_event", type_="unique")
    op.execute("DROP FUNCTION audit_event_content(audit_event)")
    op.drop_column("audit_event", "hash")
    op.drop_column("audit_event", "prev_hash")
    op.drop_column("audit_event", "chain_position")
