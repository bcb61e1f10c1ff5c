"""every kind of case content carries the facts the sharing rules read

Assessments, their ratings, reviews, meeting decisions and addenda, plan goals and actions get an owning
agency and an information category; minutes become items, each one agency's content in one category.
Existing rows are filled in from what they already say: the author's agency owns what they wrote, a
rating takes its factor's category (policies/assessment_factors.csv), other text is `other`.

Revision ID: 1000
Revises: 0900
Create Date: 2026-12-02 20:40:00
"""

import csv
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "1000"
down_revision: str | None = "0900"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CATEGORIES = (
    "health",
    "mental_health",
    "education",
    "police",
    "youth_justice",
    "housing",
    "social_care",
    "substance_misuse",
    "domestic_abuse",
    "family_history",
    "finance",
    "other",
)
# table -> (the column naming the author, whether it gets a third-party flag); append-only tables marked.
OWNED = {
    "assessment": ("author_user_id", True),
    "review": ("author_user_id", True),
    "taf_meeting_decision": ("recorded_by_user_id", True),
    "taf_meeting_addendum": ("author_user_id", True),
    "plan_goal": ("created_by_user_id", False),
}
APPEND_ONLY = {"assessment", "assessment_rating", "review", "taf_meeting_addendum"}

MINUTES_ITEMS_FIXED = """
CREATE FUNCTION taf_meeting_minutes_items_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
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


def _category(table: str, default: str | None = "other", *, nullable: bool = False) -> sa.Column:
    kind = sa.Enum(*CATEGORIES, name=f"{table}_category", native_enum=False, create_constraint=True, length=32)
    return sa.Column("category", kind, nullable=nullable, server_default=default)


def _factor_categories() -> dict[str, str]:
    path = Path(__file__).resolve().parents[4] / "policies" / "assessment_factors.csv"
    lines = [line for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]
    return {row["code"]: row["category"] for row in csv.DictReader(lines)}


def _with_triggers_off(table: str, statement: str) -> None:
    if table in APPEND_ONLY:
        op.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
    op.execute(statement)
    if table in APPEND_ONLY:
        op.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")


def _own(table: str, author_column: str, third_party: bool) -> None:
    op.add_column(table, sa.Column("owning_agency_id", sa.Uuid(), nullable=True))
    op.add_column(table, _category(table))
    if third_party:
        op.add_column(
            table, sa.Column("contains_third_party_identities", sa.Boolean(), nullable=False, server_default="false")
        )
    _with_triggers_off(
        table,
        f"UPDATE {table} t SET owning_agency_id = u.agency_id FROM app_user u WHERE u.id = t.{author_column}",  # noqa: S608 (constant names)
    )
    op.alter_column(table, "owning_agency_id", nullable=False)
    op.create_foreign_key(f"fk_{table}_owning_agency", table, "agency", ["owning_agency_id"], ["id"])


def _rating_facts() -> None:
    op.add_column("assessment_rating", sa.Column("owning_agency_id", sa.Uuid(), nullable=True))
    op.add_column("assessment_rating", _category("assessment_rating", default=None, nullable=True))
    cases = " ".join(f"WHEN '{code}' THEN '{category}'" for code, category in sorted(_factor_categories().items()))
    _with_triggers_off(
        "assessment_rating",
        "UPDATE assessment_rating r SET owning_agency_id = a.owning_agency_id,"  # noqa: S608 (codes from our file)
        f" category = CASE r.factor {cases} ELSE 'other' END FROM assessment a WHERE a.id = r.assessment_id",
    )
    op.alter_column("assessment_rating", "owning_agency_id", nullable=False)
    op.alter_column("assessment_rating", "category", nullable=False)
    op.create_foreign_key(
        "fk_assessment_rating_owning_agency", "assessment_rating", "agency", ["owning_agency_id"], ["id"]
    )


def _minutes_items() -> None:
    op.create_table(
        "taf_meeting_minutes_item",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("heading", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
        sa.Column("owning_agency_id", sa.Uuid(), nullable=False),
        _category("taf_meeting_minutes_item", default=None),
        sa.Column("contains_third_party_identities", sa.Boolean(), nullable=False),
        sa.Column("about_member_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("author_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.ForeignKeyConstraint(["meeting_id"], ["taf_meeting.id"]),
        sa.ForeignKeyConstraint(["owning_agency_id"], ["agency.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_taf_meeting_minutes_item_family_id"), "taf_meeting_minutes_item", ["family_id"], unique=False
    )
    op.create_index(
        "ix_taf_meeting_minutes_item_meeting", "taf_meeting_minutes_item", ["meeting_id", "position"], unique=False
    )
    op.execute(
        "INSERT INTO taf_meeting_minutes_item (id, meeting_id, family_id, position, heading, text, owning_agency_id,"
        " category, contains_third_party_identities, about_member_ids, author_user_id, created_at)"
        " SELECT gen_random_uuid(), m.id, m.family_id, 0, '', m.minutes, u.agency_id, 'other', false, '{}',"
        " m.chair_user_id, m.updated_at FROM taf_meeting m JOIN app_user u ON u.id = m.chair_user_id"
        " WHERE m.minutes <> ''"
    )
    op.execute(MINUTES_ITEMS_FIXED)
    op.execute(
        "CREATE TRIGGER taf_meeting_minutes_items_fixed BEFORE INSERT OR UPDATE OR DELETE"
        " ON taf_meeting_minutes_item FOR EACH ROW EXECUTE FUNCTION taf_meeting_minutes_items_fixed()"
    )


def upgrade() -> None:
    for table, (author_column, third_party) in OWNED.items():
        _own(table, author_column, third_party)
    _rating_facts()
    op.add_column("plan_action", _category("plan_action"))
    op.add_column(
        "taf_meeting_decision", sa.Column("agreed_with_family", sa.Boolean(), nullable=False, server_default="true")
    )
    _minutes_items()


def downgrade() -> None:
    op.execute("DROP TRIGGER taf_meeting_minutes_items_fixed ON taf_meeting_minutes_item")
    op.execute("DROP FUNCTION taf_meeting_minutes_items_fixed()")
    op.drop_index("ix_taf_meeting_minutes_item_meeting", table_name="taf_meeting_minutes_item")
    op.drop_index(op.f("ix_taf_meeting_minutes_item_family_id"), table_name="taf_meeting_minutes_item")
    op.drop_table("taf_meeting_minutes_item")
    op.drop_column("taf_meeting_decision", "agreed_with_family")
    op.drop_column("plan_action", "category")
    for table in ("assessment_rating", *OWNED):
        op.drop_constraint(f"fk_{table}_owning_agency", table, type_="foreignkey")
        op.drop_column(table, "owning_agency_id")
        op.drop_column(table, "category")
        if OWNED.get(table, ("", False))[1]:
            op.drop_column(table, "contains_third_party_identities")
