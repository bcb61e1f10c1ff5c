"""retention at closure: IG officers' decisions, tombstones of erased families, and erasure through the
append-only triggers

The append-only tables keep refusing UPDATE and DELETE to everyone. Their trigger functions now let a
DELETE through only for rows of the family named by the transaction's `taf.erasing_family` setting, and
only once that family's tombstone exists (server/retention/erasure.py writes it first); tombstones
themselves are append-only. No trigger is disabled.

Revision ID: 1005
Revises: 1004
Create Date: 2026-12-04 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "1005"
down_revision: str | None = "1004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Which family a row of an append-only table belongs to, from the row as it was.
ERASING = """
CREATE FUNCTION taf_erasing(table_name text, old_row jsonb) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
DECLARE
    erasing text := current_setting('taf.erasing_family', true);
    owner uuid;
BEGIN
    IF erasing IS NULL OR erasing = '' THEN
        RETURN false;
    END IF;
    IF table_name IN ('plan_history', 'assessment', 'review', 'taf_meeting_minutes_item') THEN
        owner := (old_row->>'family_id')::uuid;
    ELSIF table_name = 'contribution_version' THEN
        SELECT c.family_id INTO owner FROM contribution c WHERE c.id = (old_row->>'contribution_id')::uuid;
    ELSIF table_name = 'assessment_rating' THEN
        SELECT a.family_id INTO owner FROM assessment a WHERE a.id = (old_row->>'assessment_id')::uuid;
    ELSIF table_name IN ('review_goal_progress', 'outcome_score') THEN
        SELECT r.family_id INTO owner FROM review r WHERE r.id = (old_row->>'review_id')::uuid;
    ELSIF table_name IN ('taf_meeting_addendum', 'taf_meeting_change') THEN
        SELECT m.family_id INTO owner FROM taf_meeting m WHERE m.id = (old_row->>'meeting_id')::uuid;
    END IF;
    RETURN owner IS NOT NULL AND owner::text = erasing
        AND EXISTS (SELECT 1 FROM family_tombstone t WHERE t.family_id = owner);
END;
$$
"""

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION taf_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND taf_erasing(TG_TABLE_NAME, to_jsonb(OLD)) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$
"""

VERSIONS_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION contribution_version_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND taf_erasing(TG_TABLE_NAME, to_jsonb(OLD)) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'contribution_version is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$
"""

MINUTES_ITEMS_FIXED = """
CREATE OR REPLACE FUNCTION taf_meeting_minutes_items_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND taf_erasing(TG_TABLE_NAME, to_jsonb(OLD)) THEN
        RETURN OLD;
    END IF;
    IF EXISTS (SELECT 1 FROM taf_meeting m WHERE m.id = COALESCE(NEW.meeting_id, OLD.meeting_id)
               AND m.minutes_published_at IS NOT NULL) THEN
        RAISE EXCEPTION 'published minutes cannot change; add an addendum'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN COALESCE(NEW, OLD);
END;
$$
"""

# As migrations 0200, 0002 and 1000 wrote them.
APPEND_ONLY_BEFORE = """
CREATE OR REPLACE FUNCTION taf_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$
"""

VERSIONS_APPEND_ONLY_BEFORE = """
CREATE OR REPLACE FUNCTION contribution_version_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'contribution_version is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$
"""

MINUTES_ITEMS_FIXED_BEFORE = """
CREATE OR REPLACE FUNCTION taf_meeting_minutes_items_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM taf_meeting m WHERE m.id = COALESCE(NEW.meeting_id, OLD.meeting_id)
               AND m.minutes_published_at IS NOT NULL) THEN
        RAISE EXCEPTION 'published minutes cannot change; add an addendum'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN COALESCE(NEW, OLD);
END;
$$
"""


def upgrade() -> None:
    op.create_table(
        "retention_decision",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "extended",
                "legal_hold",
                "hold_removed",
                name="retention_decision_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("retain_until", sa.Date(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("decided_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["decided_by_user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_retention_decision_family", "retention_decision", ["family_id", "created_at"], unique=False)
    op.create_table(
        "family_tombstone",
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=False),
        sa.Column("retention_due_on", sa.Date(), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erased_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.ForeignKeyConstraint(["erased_by_user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("family_id"),
        sa.UniqueConstraint("reference"),
    )
    op.execute(ERASING)
    op.execute(APPEND_ONLY)
    op.execute(VERSIONS_APPEND_ONLY)
    op.execute(MINUTES_ITEMS_FIXED)
    op.execute(
        "CREATE TRIGGER family_tombstone_append_only BEFORE UPDATE OR DELETE ON family_tombstone"
        " FOR EACH ROW EXECUTE FUNCTION taf_append_only()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER family_tombstone_append_only ON family_tombstone")
    op.execute(MINUTES_ITEMS_FIXED_BEFORE)
    op.execute(VERSIONS_APPEND_ONLY_BEFORE)
    op.execute(APPEND_ONLY_BEFORE)
    op.execute("DROP FUNCTION taf_erasing(text, jsonb)")
    op.drop_table("family_tombstone")
    op.drop_index("ix_retention_decision_family", table_name="retention_decision")
    op.drop_table("retention_decision")
