"""the pairs each data-sharing agreement lets each of its parties be shown, kept by the database: rule
shared_by_consent's SQL form looks an item's "agency category" up in them (server/access/facts.py), where every
compiled read made the ~700 pairs of the bench's agreement anew (bench/README.md)

Revision ID: 0012_agreement_pairs
Revises: 0011_family_facts_version
Create Date: 2026-12-05 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0012_agreement_pairs"
down_revision: str | None = "0011_family_facts_version"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The pairs of the agreements `ids`, worked out again from the agreement tables: each party's are every other
# party with every category of the agreement (whether it is in force is read with them, from the agreement).
_PAIRS_OF = """
CREATE FUNCTION taf_agreement_pairs_of(ids uuid[]) RETURNS void LANGUAGE sql AS $$
    DELETE FROM agreement_pairs WHERE agreement_id = ANY (ids);
    INSERT INTO agreement_pairs (agreement_id, agency_id, pairs)
    SELECT mine.agreement_id, mine.agency_id, jsonb_object_agg(other.agency_id::text || ' ' || category, true)
    FROM data_sharing_agreement_party mine
    JOIN data_sharing_agreement a ON a.id = mine.agreement_id
    JOIN data_sharing_agreement_party other ON other.agreement_id = a.id AND other.agency_id <> mine.agency_id
    CROSS JOIN unnest(a.categories) AS category
    WHERE a.id = ANY (ids)
    GROUP BY mine.agreement_id, mine.agency_id;
$$
"""
# After every statement that changes an agreement or its parties, for the agreements it touched.
_KEEP = """
CREATE FUNCTION taf_agreement_pairs_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM taf_agreement_pairs_of(ARRAY({agreements}));
    RETURN NULL;
END;
$$
"""
_EVENTS = {
    "inserted": ("INSERT", "NEW TABLE AS changed_new", "SELECT {id} FROM changed_new"),
    "updated": (
        "UPDATE",
        "OLD TABLE AS changed_old NEW TABLE AS changed_new",
        "SELECT {id} FROM changed_new UNION SELECT {id} FROM changed_old",
    ),
    "deleted": ("DELETE", "OLD TABLE AS changed_old", "SELECT {id} FROM changed_old"),
}
# Each table, and the column naming the agreement in it.
_TABLES = {"data_sharing_agreement": "id", "data_sharing_agreement_party": "agreement_id"}
# The pairs of several agreements in force for one agency, as one object (rule shared_by_consent reads one).
_UNION = "CREATE AGGREGATE taf_jsonb_union(jsonb) (SFUNC = jsonb_concat, STYPE = jsonb, INITCOND = '{}')"


def upgrade() -> None:
    op.create_table(
        "agreement_pairs",
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("pairs", JSONB(), nullable=False),
        sa.ForeignKeyConstraint(["agreement_id"], ["data_sharing_agreement.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("agreement_id", "agency_id"),
    )
    op.create_index(op.f("ix_agreement_pairs_agency_id"), "agreement_pairs", ["agency_id"], unique=False)
    op.execute(_PAIRS_OF)
    op.execute(_UNION)
    for table, column in _TABLES.items():
        for event, (operation, referencing, agreements) in _EVENTS.items():
            function = f"{table}_{event}"
            op.execute(_KEEP.format(event=function, agreements=agreements.format(id=column)))
            op.execute(
                f"CREATE TRIGGER {table}_pairs_{event} AFTER {operation} ON {table}"
                f" REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION taf_agreement_pairs_{function}()"
            )
    op.execute("SELECT taf_agreement_pairs_of(ARRAY(SELECT id FROM data_sharing_agreement))")


def downgrade() -> None:
    for table in _TABLES:
        for event in _EVENTS:
            op.execute(f"DROP TRIGGER {table}_pairs_{event} ON {table}")
            op.execute(f"DROP FUNCTION taf_agreement_pairs_{table}_{event}()")
    op.execute("DROP AGGREGATE taf_jsonb_union(jsonb)")
    op.execute("DROP FUNCTION taf_agreement_pairs_of(uuid[])")
    op.drop_index(op.f("ix_agreement_pairs_agency_id"), table_name="agreement_pairs")
    op.drop_table("agreement_pairs")
