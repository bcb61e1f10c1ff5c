"""minutes are items only: drop taf_meeting.minutes

Migration 1000 copied each meeting's minutes text into one minutes item; the service now writes items
only. Text saved as minutes after 1000 ran (by a server of that release) is copied the same way first,
so nothing is lost. Published minutes stay fixed: the meeting's trigger now guards the publication
time, and taf_meeting_minutes_items_fixed (1000) guards the items of published minutes.

Revision ID: 1001
Revises: 1000
Create Date: 2026-12-02 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "1001"
down_revision: str | None = "1000"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MINUTES_FIXED = """
CREATE OR REPLACE FUNCTION taf_meeting_minutes_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.minutes_published_at IS NOT NULL
        AND NEW.minutes_published_at IS DISTINCT FROM OLD.minutes_published_at THEN
        RAISE EXCEPTION 'published minutes cannot change; add an addendum'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$
"""

# As migration 0200 wrote it.
MINUTES_TEXT_FIXED = """
CREATE OR REPLACE FUNCTION taf_meeting_minutes_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.minutes_published_at IS NOT NULL AND (NEW.minutes IS DISTINCT FROM OLD.minutes
        OR NEW.minutes_published_at IS DISTINCT FROM OLD.minutes_published_at) THEN
        RAISE EXCEPTION 'published minutes cannot change; add an addendum'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$
"""

ITEMS_TRIGGER = "ALTER TABLE taf_meeting_minutes_item {} TRIGGER taf_meeting_minutes_items_fixed"


def upgrade() -> None:
    op.execute(ITEMS_TRIGGER.format("DISABLE"))
    op.execute(
        "INSERT INTO taf_meeting_minutes_item (id, meeting_id, family_id, position, heading, text, owning_agency_id,"
        " category, contains_third_party_identities, about_member_ids, author_user_id, created_at)"
        " SELECT gen_random_uuid(), m.id, m.family_id, 0, '', left(m.minutes, 20000), u.agency_id, 'other', false,"
        " '{}', m.chair_user_id, m.updated_at FROM taf_meeting m JOIN app_user u ON u.id = m.chair_user_id"
        " WHERE m.minutes <> ''"
        " AND NOT EXISTS (SELECT 1 FROM taf_meeting_minutes_item i WHERE i.meeting_id = m.id)"
    )
    op.execute(ITEMS_TRIGGER.format("ENABLE"))
    op.execute(MINUTES_FIXED)
    op.drop_column("taf_meeting", "minutes")


def downgrade() -> None:
    op.add_column(
        "taf_meeting",
        sa.Column("minutes", sqlmodel.sql.sqltypes.AutoString(length=50000), nullable=False, server_default=""),
    )
    # Each meeting's items as one text, in order, before the old trigger guards the column again.
    op.execute(
        "UPDATE taf_meeting m SET minutes = left(t.text, 50000) FROM ("
        " SELECT meeting_id, string_agg(CASE WHEN heading <> '' THEN heading || E'\\n' ELSE '' END || text,"
        " E'\\n\\n' ORDER BY position, created_at) AS text FROM taf_meeting_minutes_item GROUP BY meeting_id"
        ") t WHERE t.meeting_id = m.id"
    )
    op.alter_column("taf_meeting", "minutes", server_default=None)
    op.execute(MINUTES_TEXT_FIXED)
