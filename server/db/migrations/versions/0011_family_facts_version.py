"""a family's facts version: every statement that changes what a decision about the family reads (its team, its
consents, its overrides, its members, its deputy leads) moves the family row on, so that a write that took the
family's lock can tell whether the facts it read in the same statement are still the family's (server/writes.py
`shared_by`)

Revision ID: 0011_family_facts_version
Revises: 0010_plan_action_meeting
Create Date: 2026-12-04 22:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_family_facts_version"
down_revision: str | None = "0010_plan_action_meeting"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The family-keyed tables the facts statement reads (server/access/facts.py); tests/access/test_facts_version.py
# checks this list against the statement's plan.
FACTS_TABLES = ("team_membership", "consent", "safeguarding_override", "family_member", "deputy_lead")

# One function per event, for the transition tables each can name. A statement moves each family it touched on
# once, in id order (two such statements lock families in the same order).
_BUMP = """
CREATE FUNCTION taf_family_facts_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM family f
        WHERE f.id IN ({families})
        ORDER BY f.id FOR NO KEY UPDATE;
    UPDATE family SET facts_version = facts_version + 1 WHERE id IN ({families});
    RETURN NULL;
END;
$$
"""
_EVENTS = {
    "inserted": ("INSERT", "NEW TABLE AS changed_new", "SELECT family_id FROM changed_new"),
    "updated": (
        "UPDATE",
        "OLD TABLE AS changed_old NEW TABLE AS changed_new",
        "SELECT family_id FROM changed_new UNION SELECT family_id FROM changed_old",
    ),
    "deleted": ("DELETE", "OLD TABLE AS changed_old", "SELECT family_id FROM changed_old"),
}


def upgrade() -> None:
    op.add_column("family", sa.Column("facts_version", sa.BigInteger(), nullable=False, server_default=sa.text("0")))
    for event, (_, _, families) in _EVENTS.items():
        op.execute(_BUMP.format(event=event, families=families))
    for table in FACTS_TABLES:
        for event, (operation, referencing, _) in _EVENTS.items():
            op.execute(
                f"CREATE TRIGGER {table}_facts_{event} AFTER {operation} ON {table}"
                f" REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION taf_family_facts_{event}()"
            )


def downgrade() -> None:
    for table in FACTS_TABLES:
        for event in _EVENTS:
            op.execute(f"DROP TRIGGER {table}_facts_{event} ON {table}")
    for event in _EVENTS:
        op.execute(f"DROP FUNCTION taf_family_facts_{event}()")
    op.drop_column("family", "facts_version")
