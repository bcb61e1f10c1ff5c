"""consent-based sharing: contributions, consent, safeguarding overrides

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 15:34:51.337431
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


VERSIONS_APPEND_ONLY = """
CREATE FUNCTION contribution_version_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'contribution_version is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$
"""


def upgrade() -> None:
    op.create_table(
        "audit_disclosure_block",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("audit_event_id", sa.BigInteger(), nullable=False),
        sa.Column("marked_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_event_id"],
            ["audit_event.id"],
        ),
        sa.ForeignKeyConstraint(
            ["marked_by_user_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("audit_event_id"),
    )
    op.create_table(
        "consent",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("given_by_member_id", sa.Uuid(), nullable=False),
        sa.Column(
            "capacity",
            sa.Enum(
                "self",
                "parental_responsibility",
                name="consent_capacity",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "decision",
            sa.Enum(
                "given",
                "refused",
                name="consent_decision",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("categories", postgresql.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("whole_team", sa.Boolean(), nullable=False),
        sa.Column("recipient_agency_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("evidence_reference", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("recorded_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("withdrawal_reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["family.id"],
        ),
        sa.ForeignKeyConstraint(
            ["given_by_member_id"],
            ["family_member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_user_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_consent_family_active",
        "consent",
        ["family_id"],
        unique=False,
        postgresql_where=sa.text("withdrawn_at IS NULL"),
    )
    op.create_table(
        "contribution",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("owning_agency_id", sa.Uuid(), nullable=False),
        sa.Column("author_user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "assessment_note",
                "update",
                "concern",
                "strength",
                "risk_factor",
                "protective_factor",
                "service_offered",
                name="contribution_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "category",
            sa.Enum(
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
                name="information_category",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
        sa.Column("about_member_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("may_appear_in_family_summary", sa.Boolean(), nullable=False),
        sa.Column("contains_third_party_identities", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_user_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["family.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owning_agency_id"],
            ["agency.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_contribution_family_category", "contribution", ["family_id", "category"], unique=False)
    op.create_index("ix_contribution_family_created", "contribution", ["family_id", "created_at"], unique=False)
    op.create_table(
        "engagement_agreement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("agreed", sa.Boolean(), nullable=False),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("recorded_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["family.id"],
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["family_member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_engagement_agreement_family_id"), "engagement_agreement", ["family_id"], unique=False)
    op.create_table(
        "safeguarding_override",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("owning_agency_id", sa.Uuid(), nullable=False),
        sa.Column("decided_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("categories", postgresql.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("recipient_agency_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("justification", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
        sa.Column(
            "lawful_basis",
            sa.Enum(
                "public_task_safeguarding",
                "legal_obligation",
                "vital_interests",
                "recognised_legitimate_interest",
                "legitimate_interests",
                name="lawful_basis",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("advice_sought", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("family_informed", sa.Boolean(), nullable=False),
        sa.Column("not_informed_reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("revocation_reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("review_note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("family_informed OR coalesce(not_informed_reason, '') <> ''", name="override_informed"),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["family.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owning_agency_id"],
            ["agency.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_user_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_user_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_override_family_active",
        "safeguarding_override",
        ["family_id"],
        unique=False,
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    op.create_table(
        "sharing_decision",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("owning_agency_id", sa.Uuid(), nullable=False),
        sa.Column("decided_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("categories", postgresql.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("recipient_agency_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["family.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owning_agency_id"],
            ["agency.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_sharing_decision_family_id"), "sharing_decision", ["family_id"], unique=False)
    op.create_table(
        "contribution_version",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("contribution_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("editor_user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "assessment_note",
                "update",
                "concern",
                "strength",
                "risk_factor",
                "protective_factor",
                "service_offered",
                name="contribution_version_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "category",
            sa.Enum(
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
                name="contribution_version_category",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
        sa.Column("about_member_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("may_appear_in_family_summary", sa.Boolean(), nullable=False),
        sa.Column("contains_third_party_identities", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contribution.id"],
        ),
        sa.ForeignKeyConstraint(
            ["editor_user_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contribution_id", "version", name="uq_contribution_version"),
    )
    # Version history is immutable: an edit adds a version, nothing rewrites or removes one.
    op.execute(VERSIONS_APPEND_ONLY)
    op.execute(
        "CREATE TRIGGER contribution_version_immutable BEFORE UPDATE OR DELETE ON contribution_version"
        " FOR EACH ROW EXECUTE FUNCTION contribution_version_append_only()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER contribution_version_immutable ON contribution_version")
    op.execute("DROP FUNCTION contribution_version_append_only()")
    op.drop_table("contribution_version")
    op.drop_index(op.f("ix_sharing_decision_family_id"), table_name="sharing_decision")
    op.drop_table("sharing_decision")
    op.drop_index(
        "ix_override_family_active",
        table_name="safeguarding_override",
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    op.drop_table("safeguarding_override")
    op.drop_index(op.f("ix_engagement_agreement_family_id"), table_name="engagement_agreement")
    op.drop_table("engagement_agreement")
    op.drop_index("ix_contribution_family_created", table_name="contribution")
    op.drop_index("ix_contribution_family_category", table_name="contribution")
    op.drop_table("contribution")
    op.drop_index("ix_consent_family_active", table_name="consent", postgresql_where=sa.text("withdrawn_at IS NULL"))
    op.drop_table("consent")
    op.drop_table("audit_disclosure_block")
