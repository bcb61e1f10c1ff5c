"""notifications hold references, not content

A notification now names the case content it is about (subject kind, id, owning agency, category) and
keeps only the event's structure in its payload; the words are rendered when it is read or delivered.
Existing rows are given their subject from the escalation or action they name, and every copy of
content is removed from them, from the daily digests' items, from the outbox and from pending timers.

Revision ID: 1002
Revises: 1001
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "1002"
down_revision: str | None = "1001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONSTRAINT = "ck_notification_subject_whole"


def upgrade() -> None:
    op.add_column("notification", sa.Column("subject_kind", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.add_column("notification", sa.Column("subject_id", sa.Uuid(), nullable=True))
    op.add_column("notification", sa.Column("owning_agency_id", sa.Uuid(), nullable=True))
    op.add_column("notification", sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
    # The subject of each existing notification, from the record it names (the record's facts, not the copy's).
    op.execute(
        "UPDATE notification n SET subject_kind = 'escalation_reason', subject_id = e.id,"
        " owning_agency_id = e.owning_agency_id, category = e.category::text"
        " FROM escalation e WHERE starts_with(n.kind, 'escalation_')"
        " AND e.id::text = n.payload->>'escalation_id'"
    )
    op.execute(
        "UPDATE notification n SET subject_kind = 'plan_action', subject_id = a.id,"
        " owning_agency_id = a.owning_agency_id, category = a.category::text"
        " FROM plan_action a WHERE starts_with(n.kind, 'action_')"
        " AND a.id::text = n.payload->>'action_id'"
    )
    # No copy of content anywhere: not in a notification, a digest's items, the outbox or a timer's event.
    op.execute("UPDATE notification SET payload = payload - 'reason' - 'title' - 'owning_agency_id' - 'category'")
    op.execute(
        "UPDATE notification SET payload = jsonb_set(payload, '{items}', coalesce((SELECT jsonb_agg(item - 'title')"
        " FROM jsonb_array_elements(payload->'items') AS item), '[]'::jsonb))"
        " WHERE kind = 'daily_digest' AND jsonb_typeof(payload->'items') = 'array'"
    )
    op.execute("UPDATE notification_outbox SET payload = payload - 'reason' - 'title'")
    op.execute("UPDATE timer SET event = event - 'reason' - 'title'")
    op.create_check_constraint(
        CONSTRAINT,
        "notification",
        "(subject_kind IS NULL) = (subject_id IS NULL)"
        " AND (subject_kind IS NULL) = (owning_agency_id IS NULL)"
        " AND (subject_kind IS NULL) = (category IS NULL)",
    )


def downgrade() -> None:
    # The earlier code reads these fields of its events: give them back from the records they name.
    op.execute(
        "UPDATE notification_outbox o SET payload = o.payload || jsonb_build_object('reason',"
        " coalesce((SELECT e.reason FROM escalation e WHERE e.id::text = o.payload->>'escalation_id'), ''))"
        " WHERE o.kind = 'escalation_raised'"
    )
    op.execute(
        "UPDATE notification_outbox o SET payload = o.payload || jsonb_build_object('title',"
        " coalesce((SELECT left(a.description, 200) FROM plan_action a WHERE a.id::text = o.payload->>'action_id'),"
        " '')) WHERE starts_with(o.kind, 'action_')"
    )
    op.execute(
        "UPDATE timer t SET event = t.event || jsonb_build_object('title', coalesce((SELECT left(a.description, 200)"
        " FROM plan_action a WHERE a.id::text = t.event->>'action_id'), '')) WHERE starts_with(t.kind, 'action_')"
    )
    op.drop_constraint(CONSTRAINT, "notification", type_="check")
    op.drop_column("notification", "category")
    op.drop_column("notification", "owning_agency_id")
    op.drop_column("notification", "subject_id")
    op.drop_column("notification", "subject_kind")
