"""Baseline: the whole schema in one step.

The first release's chain (0001_foundation ... 1005_retention, whose file names did not give the order it
ran in) was squashed into this one migration before anything was deployed, so no database needs the old
steps. It creates what that chain created: every table with its indexes and constraints, the server
defaults the chain's backfills left behind, the family reference sequence, and the guarantees PostgreSQL
keeps for us (the functions and triggers at the end of this file).

Later migrations are numbered in the order they apply, 0002, 0003, ... after this one: each file's number
is greater than its down_revision's (tests/db/test_migrations.py checks it).

Revision ID: 0001_baseline
Revises:
Create Date: 2026-12-03 01:45:09
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001_baseline"
down_revision: str | None = None
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
LEVELS_OF_NEED = ("universal", "targeted", "specialist", "statutory")
CONTRIBUTION_KINDS = (
    "assessment_note",
    "update",
    "concern",
    "strength",
    "risk_factor",
    "protective_factor",
    "service_offered",
)
OUTCOME_DOMAINS = (
    "behaviour",
    "school_attendance_attainment",
    "family_peer_relationships",
    "confidence_self_esteem",
    "aspirations_employability",
    "living_conditions",
    "mental_physical_health",
    "safety",
)


def choice(name: str, *values: str) -> sa.Enum:
    """A column of one of `values`: varchar(32) with a CHECK constraint called `name`, as the models map enums."""
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.execute(sa.schema.CreateSequence(sa.Sequence("family_reference_seq", start=1001)))
    _families_and_people()
    _sign_in()
    _audit()
    _sharing()
    _meetings()
    _plan()
    _notifications()
    _retention()
    _audit_log_guarantees()
    _append_only_guarantees()
    _minutes_guarantees()


def downgrade() -> None:
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION {function} CASCADE")  # CASCADE: with the triggers that call it
    for table in reversed(TABLES):
        op.drop_table(table)
    op.execute(sa.schema.DropSequence(sa.Sequence("family_reference_seq")))


# Every table, in the order upgrade() creates them (downgrade() drops them in reverse).
TABLES = (
    "agency",
    "family",
    "family_member",
    "app_user",
    "team_membership",
    "session_token",
    "login_attempt",
    "identity_link",
    "sso_sign_in",
    "portal_invitation",
    "idempotency_key",
    "rate_limit_window",
    "audit_event",
    "audit_disclosure_block",
    "contribution",
    "contribution_version",
    "consent",
    "engagement_agreement",
    "sharing_decision",
    "safeguarding_override",
    "data_sharing_agreement",
    "data_sharing_agreement_party",
    "taf_meeting",
    "taf_meeting_invitee",
    "taf_meeting_decision",
    "taf_meeting_change",
    "taf_meeting_minutes_item",
    "taf_meeting_addendum",
    "assessment",
    "assessment_rating",
    "plan_goal",
    "plan_action",
    "plan_history",
    "review",
    "review_goal_progress",
    "outcome_score",
    "escalation",
    "family_transition",
    "notification_outbox",
    "notification",
    "notification_preference",
    "timer",
    "retention_decision",
    "family_tombstone",
)


def _families_and_people() -> None:
    """Agencies, families and their members, users (staff and family) and the team around each family."""
    op.create_table(
        "agency",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            choice(
                "agency_kind",
                "police",
                "health",
                "education",
                "housing",
                "social_care",
                "early_help",
                "youth_justice",
                "voluntary",
                "other",
            ),
            nullable=False,
        ),
        sa.Column("sso_only", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "family",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            choice("family_status", "referral", "assessment", "active", "stepped_up", "stepped_down", "closed"),
            nullable=False,
        ),
        sa.Column("level_of_need", choice("level_of_need", *LEVELS_OF_NEED), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    op.create_index(op.f("ix_family_status"), "family", ["status"], unique=False)
    op.create_table(
        "family_member",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("relationship", sa.String(length=60), nullable=False),
        sa.Column("is_subject_child", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_family_member_family_id"), "family_member", ["family_id"], unique=False)
    op.create_table(
        "app_user",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("kind", choice("user_kind", "staff", "family"), nullable=False),
        sa.Column("role", choice("system_role", "practitioner", "manager", "ig_officer", "admin"), nullable=True),
        sa.Column("agency_id", sa.Uuid(), nullable=True),
        sa.Column("family_member_id", sa.Uuid(), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 'staff' AND agency_id IS NOT NULL AND role IS NOT NULL AND family_member_id IS NULL) OR (kind = 'family' AND family_member_id IS NOT NULL AND agency_id IS NULL AND role IS NULL)",
            name="app_user_kind_shape",
        ),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"]),
        sa.ForeignKeyConstraint(["family_member_id"], ["family_member.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
        sa.UniqueConstraint("family_member_id"),
    )
    op.create_index(op.f("ix_app_user_agency_id"), "app_user", ["agency_id"], unique=False)
    op.create_table(
        "team_membership",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role", choice("team_role", "lead_professional", "contributor"), nullable=False),
        sa.Column("agency_role", sa.String(length=300), nullable=False),
        sa.Column("contact_in_hours", sa.String(length=300), nullable=False),
        sa.Column("contact_out_of_hours", sa.String(length=300), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"]),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_team_membership_agency_active",
        "team_membership",
        ["agency_id"],
        unique=False,
        postgresql_where=sa.text("valid_to IS NULL"),
    )
    op.create_index(
        "ix_team_membership_family_agency_active",
        "team_membership",
        ["family_id", "agency_id"],
        unique=False,
        postgresql_where=sa.text("valid_to IS NULL"),
    )
    op.create_index(op.f("ix_team_membership_family_id"), "team_membership", ["family_id"], unique=False)
    op.create_index(
        "ix_team_membership_user_active",
        "team_membership",
        ["user_id"],
        unique=False,
        postgresql_where=sa.text("valid_to IS NULL"),
    )
    op.create_index(
        "uq_team_membership_active_worker",
        "team_membership",
        ["family_id", "user_id"],
        unique=True,
        postgresql_where=sa.text("valid_to IS NULL"),
    )
    op.create_index(
        "uq_team_membership_one_lead",
        "team_membership",
        ["family_id"],
        unique=True,
        postgresql_where=sa.text("role = 'lead_professional' AND valid_to IS NULL"),
    )


def _sign_in() -> None:
    """Sessions, sign-in throttling, single sign-on, portal invitations, idempotency keys and rate limits."""
    op.create_table(
        "session_token",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(op.f("ix_session_token_user_id"), "session_token", ["user_id"], unique=False)
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("account", sa.String(length=254), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_attempt_account_at", "login_attempt", ["account", "at"], unique=False)
    op.create_index("ix_login_attempt_address_at", "login_attempt", ["address", "at"], unique=False)
    op.create_table(
        "identity_link",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("issuer", "subject", name="uq_identity_link_issuer_subject"),
        sa.UniqueConstraint("user_id", "issuer", name="uq_identity_link_user_issuer"),
    )
    op.create_index(op.f("ix_identity_link_user_id"), "identity_link", ["user_id"], unique=False)
    op.create_table(
        "sso_sign_in",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sa.String(length=40), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("browser_hash", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=100), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("handover_hash", sa.String(length=64), nullable=True),
        sa.Column("handover_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handed_over_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("handover_hash"),
        sa.UniqueConstraint("state_hash"),
    )
    op.create_table(
        "portal_invitation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("family_member_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_user_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.ForeignKeyConstraint(["family_member_id"], ["family_member.id"]),
        sa.ForeignKeyConstraint(["issued_by_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["revoked_by_user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_portal_invitation_family", "portal_invitation", ["family_id", "created_at"], unique=False)
    op.create_index(
        op.f("ix_portal_invitation_family_member_id"), "portal_invitation", ["family_member_id"], unique=False
    )
    op.create_table(
        "idempotency_key",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("result_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "key", name="uq_idempotency_key_user_key"),
    )
    op.create_table(
        "rate_limit_window",
        sa.Column("bucket", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "subject", "window_start"),
    )


def _audit() -> None:
    """The audit log and the marks that keep an event out of subject access disclosures."""
    op.create_table(
        "audit_event",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("outcome", choice("audit_outcome", "allowed", "denied", "failed"), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("detail", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("chain_position", sa.BigInteger(), nullable=False),
        sa.Column("prev_hash", sa.LargeBinary(), nullable=False),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chain_position", name="uq_audit_event_chain_position"),
    )
    op.create_index(op.f("ix_audit_event_actor_user_id"), "audit_event", ["actor_user_id"], unique=False)
    op.create_index("ix_audit_event_family_at", "audit_event", ["family_id", "at"], unique=False)
    op.create_table(
        "audit_disclosure_block",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("audit_event_id", sa.BigInteger(), nullable=False),
        sa.Column("marked_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["audit_event_id"], ["audit_event.id"]),
        sa.ForeignKeyConstraint(["marked_by_user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("audit_event_id"),
    )


def _sharing() -> None:
    """Contributions and their versions, consent, engagement, sharing decisions, safeguarding overrides and
    data-sharing agreements."""
    op.create_table(
        "contribution",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("owning_agency_id", sa.Uuid(), nullable=False),
        sa.Column("author_user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", choice("contribution_kind", *CONTRIBUTION_KINDS), nullable=False),
        sa.Column("category", choice("information_category", *CATEGORIES), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.String(length=20000), nullable=False),
        sa.Column("about_member_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("may_appear_in_family_summary", sa.Boolean(), nullable=False),
        sa.Column("contains_third_party_identities", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.ForeignKeyConstraint(["owning_agency_id"], ["agency.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_contribution_family_category", "contribution", ["family_id", "category"], unique=False)
    op.create_index("ix_contribution_family_created", "contribution", ["family_id", "created_at"], unique=False)
    op.create_table(
        "contribution_version",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("contribution_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("editor_user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", choice("contribution_version_kind", *CONTRIBUTION_KINDS), nullable=False),
        sa.Column("category", choice("contribution_version_category", *CATEGORIES), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.String(length=20000), nullable=False),
        sa.Column("about_member_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("may_appear_in_family_summary", sa.Boolean(), nullable=False),
        sa.Column("contains_third_party_identities", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["contribution_id"], ["contribution.id"]),
        sa.ForeignKeyConstraint(["editor_user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contribution_id", "version", name="uq_contribution_version"),
    )
    op.create_table(
        "consent",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("given_by_member_id", sa.Uuid(), nullable=False),
        sa.Column("capacity", choice("consent_capacity", "self", "parental_responsibility"), nullable=False),
        sa.Column("decision", choice("consent_decision", "given", "refused"), nullable=False),
        sa.Column("categories", postgresql.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("whole_team", sa.Boolean(), nullable=False),
        sa.Column("recipient_agency_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("purpose", sa.String(length=1000), nullable=False),
        sa.Column("evidence_reference", sa.String(length=300), nullable=False),
        sa.Column("recorded_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("withdrawal_reason", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.ForeignKeyConstraint(["given_by_member_id"], ["family_member.id"]),
        sa.ForeignKeyConstraint(["recorded_by_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["withdrawn_by_user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_consent_family_active",
        "consent",
        ["family_id"],
        unique=False,
        postgresql_where=sa.text("withdrawn_at IS NULL"),
    )
    op.create_index("ix_consent_family_created", "consent", ["family_id", "created_at"], unique=False)
    op.create_table(
        "engagement_agreement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("agreed", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.String(length=1000), nullable=False),
        sa.Column("recorded_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["family_member.id"]),
        sa.ForeignKeyConstraint(["recorded_by_user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_engagement_agreement_family_id"), "engagement_agreement", ["family_id"], unique=False)
    op.create_table(
        "sharing_decision",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("owning_agency_id", sa.Uuid(), nullable=False),
        sa.Column("decided_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("categories", postgresql.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("recipient_agency_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("reason", sa.String(length=5000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["decided_by_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.ForeignKeyConstraint(["owning_agency_id"], ["agency.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_sharing_decision_family_id"), "sharing_decision", ["family_id"], unique=False)
    op.create_table(
        "safeguarding_override",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("owning_agency_id", sa.Uuid(), nullable=False),
        sa.Column("decided_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("categories", postgresql.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("recipient_agency_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("justification", sa.String(length=5000), nullable=False),
        sa.Column(
            "lawful_basis",
            choice(
                "lawful_basis",
                "public_task_safeguarding",
                "legal_obligation",
                "vital_interests",
                "recognised_legitimate_interest",
                "legitimate_interests",
            ),
            nullable=False,
        ),
        sa.Column("advice_sought", sa.String(length=1000), nullable=False),
        sa.Column("family_informed", sa.Boolean(), nullable=False),
        sa.Column("not_informed_reason", sa.String(length=1000), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("revocation_reason", sa.String(length=1000), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("review_note", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("family_informed OR coalesce(not_informed_reason, '') <> ''", name="override_informed"),
        sa.ForeignKeyConstraint(["decided_by_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.ForeignKeyConstraint(["owning_agency_id"], ["agency.id"]),
        sa.ForeignKeyConstraint(["reviewed_by_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["revoked_by_user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_override_family_active",
        "safeguarding_override",
        ["family_id"],
        unique=False,
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    op.create_index("ix_override_family_created", "safeguarding_override", ["family_id", "created_at"], unique=False)
    op.create_table(
        "data_sharing_agreement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("categories", postgresql.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("purposes", sa.String(length=2000), nullable=False),
        sa.Column(
            "lawful_basis",
            choice(
                "agreement_lawful_basis", "public_task", "legal_obligation", "legitimate_interests", "vital_interests"
            ),
            nullable=False,
        ),
        sa.Column("lawful_basis_detail", sa.String(length=1000), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("document_reference", sa.String(length=300), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("end_reason", sa.String(length=1000), nullable=True),
        sa.CheckConstraint("starts_on < review_on AND review_on < ends_on", name="ck_agreement_dates_in_order"),
        sa.ForeignKeyConstraint(["created_by_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["ended_by_user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "data_sharing_agreement_party",
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("ig_contact_name", sa.String(length=200), nullable=False),
        sa.Column("ig_contact_email", sa.String(length=320), nullable=False),
        sa.Column("ig_contact_phone", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"]),
        sa.ForeignKeyConstraint(["agreement_id"], ["data_sharing_agreement.id"]),
        sa.PrimaryKeyConstraint("agreement_id", "agency_id"),
    )
    op.create_index(
        op.f("ix_data_sharing_agreement_party_agency_id"), "data_sharing_agreement_party", ["agency_id"], unique=False
    )


def _meetings() -> None:
    """TAF meetings: invitees, decisions, changes, minutes items and addenda."""
    op.create_table(
        "taf_meeting",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("kind", choice("taf_meeting_kind", "initial", "review", "closure", "other"), nullable=False),
        sa.Column("status", choice("taf_meeting_status", "scheduled", "held", "cancelled"), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("call_link", sa.String(length=500), nullable=False),
        sa.Column("chair_user_id", sa.Uuid(), nullable=False),
        sa.Column("agenda", sa.String(length=5000), nullable=False),
        sa.Column("minutes_published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.String(length=1000), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("location <> '' OR call_link <> ''", name="taf_meeting_place"),
        sa.ForeignKeyConstraint(["chair_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_taf_meeting_family_at", "taf_meeting", ["family_id", "scheduled_at"], unique=False)
    op.create_table(
        "taf_meeting_invitee",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("family_member_id", sa.Uuid(), nullable=True),
        sa.Column(
            "attendance", choice("taf_meeting_attendance", "invited", "present", "apologies", "absent"), nullable=False
        ),
        sa.CheckConstraint("(user_id IS NULL) <> (family_member_id IS NULL)", name="taf_meeting_invitee_who"),
        sa.ForeignKeyConstraint(["family_member_id"], ["family_member.id"]),
        sa.ForeignKeyConstraint(["meeting_id"], ["taf_meeting.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "family_member_id", name="uq_taf_meeting_invitee_member"),
        sa.UniqueConstraint("meeting_id", "user_id", name="uq_taf_meeting_invitee_user"),
    )
    op.create_index(op.f("ix_taf_meeting_invitee_meeting_id"), "taf_meeting_invitee", ["meeting_id"], unique=False)
    op.create_table(
        "taf_meeting_decision",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("recorded_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("owning_agency_id", sa.Uuid(), nullable=False),
        sa.Column(
            "category", choice("taf_meeting_decision_category", *CATEGORIES), nullable=False, server_default="other"
        ),
        sa.Column("contains_third_party_identities", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("agreed_with_family", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["taf_meeting.id"]),
        sa.ForeignKeyConstraint(["owning_agency_id"], ["agency.id"], name="fk_taf_meeting_decision_owning_agency"),
        sa.ForeignKeyConstraint(["recorded_by_user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_taf_meeting_decision_meeting_id"), "taf_meeting_decision", ["meeting_id"], unique=False)
    op.create_table(
        "taf_meeting_change",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("kind", choice("taf_meeting_change_kind", "rescheduled", "cancelled"), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("previous_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("new_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changed_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["changed_by_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["meeting_id"], ["taf_meeting.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_taf_meeting_change_meeting_id"), "taf_meeting_change", ["meeting_id"], unique=False)
    op.create_table(
        "taf_meeting_minutes_item",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("heading", sa.String(length=200), nullable=False),
        sa.Column("text", sa.String(length=20000), nullable=False),
        sa.Column("owning_agency_id", sa.Uuid(), nullable=False),
        sa.Column("category", choice("taf_meeting_minutes_item_category", *CATEGORIES), nullable=False),
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
    op.create_table(
        "taf_meeting_addendum",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.String(length=5000), nullable=False),
        sa.Column("author_user_id", sa.Uuid(), nullable=False),
        sa.Column("owning_agency_id", sa.Uuid(), nullable=False),
        sa.Column(
            "category", choice("taf_meeting_addendum_category", *CATEGORIES), nullable=False, server_default="other"
        ),
        sa.Column("contains_third_party_identities", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["meeting_id"], ["taf_meeting.id"]),
        sa.ForeignKeyConstraint(["owning_agency_id"], ["agency.id"], name="fk_taf_meeting_addendum_owning_agency"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_taf_meeting_addendum_meeting_id"), "taf_meeting_addendum", ["meeting_id"], unique=False)


def _plan() -> None:
    """Assessments, the plan's goals and actions with their history, reviews, escalations and transitions."""
    op.create_table(
        "assessment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("stage", choice("assessment_stage", "entry", "review", "exit"), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("level_of_need", choice("assessment_level_of_need", *LEVELS_OF_NEED), nullable=False),
        sa.Column("strengths", sa.String(length=10000), nullable=False),
        sa.Column("needs", sa.String(length=10000), nullable=False),
        sa.Column("child_views", sa.String(length=10000), nullable=False),
        sa.Column("family_views", sa.String(length=10000), nullable=False),
        sa.Column("protective_factors", sa.String(length=10000), nullable=False),
        sa.Column("resilience_indicators", postgresql.ARRAY(sa.String(length=64)), nullable=False),
        sa.Column("author_user_id", sa.Uuid(), nullable=False),
        sa.Column("owning_agency_id", sa.Uuid(), nullable=False),
        sa.Column("category", choice("assessment_category", *CATEGORIES), nullable=False, server_default="other"),
        sa.Column("contains_third_party_identities", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.ForeignKeyConstraint(["owning_agency_id"], ["agency.id"], name="fk_assessment_owning_agency"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_assessment_family_stage", "assessment", ["family_id", "stage", "assessed_on"], unique=False)
    op.create_table(
        "assessment_rating",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("factor", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=True),
        sa.Column(
            "rating",
            choice("risk_rating", "not_a_concern", "low", "medium", "high", "no_longer_a_risk"),
            nullable=False,
        ),
        sa.Column("owning_agency_id", sa.Uuid(), nullable=False),
        sa.Column("category", choice("assessment_rating_category", *CATEGORIES), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["family_member.id"]),
        sa.ForeignKeyConstraint(["owning_agency_id"], ["agency.id"], name="fk_assessment_rating_owning_agency"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_assessment_rating_assessment_id"), "assessment_rating", ["assessment_id"], unique=False)
    op.create_index(
        "uq_assessment_rating_factor",
        "assessment_rating",
        [
            "assessment_id",
            "factor",
            sa.literal_column("coalesce(member_id, '00000000-0000-0000-0000-000000000000'::uuid)"),
        ],
        unique=True,
    )
    op.create_table(
        "plan_goal",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("in_family_words", sa.String(length=1000), nullable=False),
        sa.Column("agreed_with_family", sa.Boolean(), nullable=False),
        sa.Column("agreed_on", sa.Date(), nullable=True),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column("outcome_domain", choice("plan_goal_domain", *OUTCOME_DOMAINS), nullable=False),
        sa.Column(
            "status",
            choice("plan_goal_status", "open", "achieved", "partly_achieved", "not_achieved", "withdrawn"),
            nullable=False,
        ),
        sa.Column("owning_agency_id", sa.Uuid(), nullable=False),
        sa.Column("category", choice("plan_goal_category", *CATEGORIES), nullable=False, server_default="other"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.ForeignKeyConstraint(["owning_agency_id"], ["agency.id"], name="fk_plan_goal_owning_agency"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_plan_goal_family_id"), "plan_goal", ["family_id"], unique=False)
    op.create_table(
        "plan_action",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("goal_id", sa.Uuid(), nullable=True),
        sa.Column("meeting_id", sa.Uuid(), nullable=True),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("owning_agency_id", sa.Uuid(), nullable=False),
        sa.Column("owner_user_id", sa.Uuid(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", choice("plan_action_status", "open", "in_progress", "done", "cancelled"), nullable=False),
        sa.Column("category", choice("plan_action_category", *CATEGORIES), nullable=False, server_default="other"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.ForeignKeyConstraint(["goal_id"], ["plan_goal.id"]),
        sa.ForeignKeyConstraint(["meeting_id"], ["taf_meeting.id"]),
        sa.ForeignKeyConstraint(["owner_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["owning_agency_id"], ["agency.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_plan_action_family_due", "plan_action", ["family_id", "due_date"], unique=False)
    op.create_table(
        "plan_history",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("editor_user_id", sa.Uuid(), nullable=False),
        sa.Column("snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["editor_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("entity_id", "version", name="uq_plan_history_version"),
    )
    op.create_index("ix_plan_history_family", "plan_history", ["family_id", "created_at"], unique=False)
    op.create_table(
        "review",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=True),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.String(length=10000), nullable=False),
        sa.Column("author_user_id", sa.Uuid(), nullable=False),
        sa.Column("owning_agency_id", sa.Uuid(), nullable=False),
        sa.Column("category", choice("review_category", *CATEGORIES), nullable=False, server_default="other"),
        sa.Column("contains_third_party_identities", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.ForeignKeyConstraint(["meeting_id"], ["taf_meeting.id"]),
        sa.ForeignKeyConstraint(["owning_agency_id"], ["agency.id"], name="fk_review_owning_agency"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_review_family_on", "review", ["family_id", "reviewed_on"], unique=False)
    op.create_table(
        "review_goal_progress",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("goal_id", sa.Uuid(), nullable=False),
        sa.Column("progress", sa.String(length=2000), nullable=False),
        sa.ForeignKeyConstraint(["goal_id"], ["plan_goal.id"]),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("review_id", "goal_id", name="uq_review_goal_progress"),
    )
    op.create_index(op.f("ix_review_goal_progress_review_id"), "review_goal_progress", ["review_id"], unique=False)
    op.create_table(
        "outcome_score",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("domain", choice("outcome_score_domain", *OUTCOME_DOMAINS), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 10", name="outcome_score_range"),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("review_id", "domain", name="uq_outcome_score_domain"),
    )
    op.create_index(op.f("ix_outcome_score_review_id"), "outcome_score", ["review_id"], unique=False)
    op.create_table(
        "escalation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("level", choice("escalation_level", "concern", "urgent", "immediate_danger"), nullable=False),
        sa.Column("category", choice("escalation_category", *CATEGORIES), nullable=False),
        sa.Column("owning_agency_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=5000), nullable=False),
        sa.Column("raised_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ack_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_user_id", sa.Uuid(), nullable=True),
        sa.Column(
            "outcome",
            choice(
                "escalation_outcome",
                "managed_within_plan",
                "referral_childrens_social_care",
                "referral_police",
                "step_up",
                "no_further_action",
            ),
            nullable=True,
        ),
        sa.Column("outcome_note", sa.String(length=5000), nullable=True),
        sa.ForeignKeyConstraint(["acknowledged_by_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.ForeignKeyConstraint(["owning_agency_id"], ["agency.id"]),
        sa.ForeignKeyConstraint(["raised_by_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["resolved_by_user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_escalation_family_raised", "escalation", ["family_id", "raised_at"], unique=False)
    op.create_index(
        "ix_escalation_unacknowledged",
        "escalation",
        ["ack_due_at"],
        unique=False,
        postgresql_where=sa.text("acknowledged_at IS NULL"),
    )
    op.create_table(
        "family_transition",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind", choice("family_transition_kind", "step_up", "step_down", "closure", "reopening"), nullable=False
        ),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=5000), nullable=False),
        sa.Column("receiving_team", sa.String(length=300), nullable=False),
        sa.Column(
            "outcome",
            choice(
                "closure_outcome",
                "goals_achieved",
                "partly_achieved",
                "stepped_down_to_universal",
                "stepped_up_to_statutory",
                "family_disengaged",
                "moved_away",
                "other",
            ),
            nullable=True,
        ),
        sa.Column("support_continuing", sa.String(length=5000), nullable=False),
        sa.Column("contact_if_difficulties", sa.String(length=2000), nullable=False),
        sa.Column("family_feedback", sa.String(length=5000), nullable=False),
        sa.Column("recorded_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.ForeignKeyConstraint(["recorded_by_user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_family_transition_family_id"), "family_transition", ["family_id"], unique=False)


def _notifications() -> None:
    """The outbox, each recipient's notifications, their preferences and timers."""
    op.create_table(
        "notification_outbox",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_notification_outbox_pending",
        "notification_outbox",
        ["id"],
        unique=False,
        postgresql_where=sa.text("dispatched_at IS NULL"),
    )
    op.create_table(
        "notification",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("outbox_id", sa.BigInteger(), nullable=True),
        sa.Column("recipient_user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("delivery", sa.String(length=16), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("subject_kind", sa.String(length=64), nullable=True),
        sa.Column("subject_id", sa.Uuid(), nullable=True),
        sa.Column("owning_agency_id", sa.Uuid(), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("digested_in", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "(subject_kind IS NULL) = (subject_id IS NULL) AND (subject_kind IS NULL) = (owning_agency_id IS NULL) AND (subject_kind IS NULL) = (category IS NULL)",
            name="ck_notification_subject_whole",
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("outbox_id", "recipient_user_id", name="uq_notification_outbox_recipient"),
    )
    op.create_index(
        "ix_notification_held",
        "notification",
        ["recipient_user_id", "created_at"],
        unique=False,
        postgresql_where=sa.text("delivery = 'daily_digest' AND digested_in IS NULL"),
    )
    op.create_index("ix_notification_recipient_id", "notification", ["recipient_user_id", "id"], unique=False)
    op.create_index(
        "ix_notification_recipient_unread",
        "notification",
        ["recipient_user_id"],
        unique=False,
        postgresql_where=sa.text("read_at IS NULL"),
    )
    op.create_index(
        "uq_notification_digest_day",
        "notification",
        ["recipient_user_id", sa.literal_column("(payload->>'digest_on')")],
        unique=True,
        postgresql_where=sa.text("kind = 'daily_digest'"),
    )
    op.create_table(
        "notification_preference",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("delivery", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "kind"),
    )
    op.create_table(
        "timer",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "subject_id", "due_at", name="uq_timer_kind_subject_due"),
    )
    op.create_index(
        "ix_timer_pending_due", "timer", ["due_at"], unique=False, postgresql_where=sa.text("fired_at IS NULL")
    )


def _retention() -> None:
    """Retention decisions and the tombstones of erased families."""
    op.create_table(
        "retention_decision",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("kind", choice("retention_decision_kind", "extended", "legal_hold", "hold_removed"), nullable=False),
        sa.Column("retain_until", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("decided_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["decided_by_user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_retention_decision_family", "retention_decision", ["family_id", "created_at"], unique=False)
    op.create_table(
        "family_tombstone",
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=False),
        sa.Column("retention_due_on", sa.Date(), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erased_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.ForeignKeyConstraint(["erased_by_user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("family_id"),
        sa.UniqueConstraint("reference"),
    )


# The database's own guarantees: they hold for every writer, the application's role included.

AUDIT_APPEND_ONLY = """
CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$
"""

# What is hashed of each event: every field, in a form that does not depend on session settings
# (time as integer microseconds since 1970; jsonb's text form has a canonical key order).
AUDIT_CONTENT = """
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
AUDIT_CHAIN = """
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

# Which family a row of an append-only table belongs to, from the row as it was: a DELETE gets through
# only for the family named by the transaction's `taf.erasing_family` setting, once its tombstone exists
# (server/retention/erasure.py writes it first).
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
CREATE FUNCTION taf_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE FUNCTION contribution_version_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND taf_erasing(TG_TABLE_NAME, to_jsonb(OLD)) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'contribution_version is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$
"""

# Snapshots and history are never rewritten (family_tombstone included); erasure aside, as above.
APPEND_ONLY_TABLES = (
    "plan_history",
    "assessment",
    "assessment_rating",
    "review",
    "review_goal_progress",
    "outcome_score",
    "taf_meeting_addendum",
    "taf_meeting_change",
    "family_tombstone",
)

MINUTES_FIXED = """
CREATE FUNCTION taf_meeting_minutes_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
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

MINUTES_ITEMS_FIXED = """
CREATE FUNCTION taf_meeting_minutes_items_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
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

# Every function above, by signature, for downgrade().
FUNCTIONS = (
    "audit_event_append_only()",
    "audit_event_chain()",
    "audit_event_content(audit_event)",
    "taf_append_only()",
    "contribution_version_append_only()",
    "taf_erasing(text, jsonb)",
    "taf_meeting_minutes_fixed()",
    "taf_meeting_minutes_items_fixed()",
)


def _trigger(name: str, when: str, table: str, function: str, *, each: str = "ROW") -> None:
    op.execute(f"CREATE TRIGGER {name} {when} ON {table} FOR EACH {each} EXECUTE FUNCTION {function}()")


def _audit_log_guarantees() -> None:
    """The audit log is append-only for every role, and each event is chained to the one before by hash."""
    op.execute(AUDIT_APPEND_ONLY)
    _trigger("audit_event_no_update_or_delete", "BEFORE UPDATE OR DELETE", "audit_event", "audit_event_append_only")
    _trigger("audit_event_no_truncate", "BEFORE TRUNCATE", "audit_event", "audit_event_append_only", each="STATEMENT")
    op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM PUBLIC")
    op.execute(AUDIT_CONTENT)
    op.execute(AUDIT_CHAIN)
    _trigger("audit_event_chain", "BEFORE INSERT", "audit_event", "audit_event_chain")


def _append_only_guarantees() -> None:
    """Version history, snapshots and history rows are never rewritten, and removed only by erasure."""
    op.execute(ERASING)
    op.execute(APPEND_ONLY)
    for table in APPEND_ONLY_TABLES:
        _trigger(f"{table}_append_only", "BEFORE UPDATE OR DELETE", table, "taf_append_only")
    op.execute(VERSIONS_APPEND_ONLY)
    _trigger(
        "contribution_version_immutable",
        "BEFORE UPDATE OR DELETE",
        "contribution_version",
        "contribution_version_append_only",
    )


def _minutes_guarantees() -> None:
    """Published minutes never change: corrections are addenda."""
    op.execute(MINUTES_FIXED)
    _trigger("taf_meeting_minutes_fixed", "BEFORE UPDATE", "taf_meeting", "taf_meeting_minutes_fixed")
    op.execute(MINUTES_ITEMS_FIXED)
    _trigger(
        "taf_meeting_minutes_items_fixed",
        "BEFORE INSERT OR UPDATE OR DELETE",
        "taf_meeting_minutes_item",
        "taf_meeting_minutes_items_fixed",
    )
