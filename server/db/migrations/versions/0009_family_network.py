"""family network: people outside the household the family names, who can be invited to a family group
conference (a new meeting kind); goals of the plan the family made at its conference

Revision ID: 0009_family_network
Revises: 0008_panels
Create Date: 2026-12-03 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009_family_network"
down_revision: str | None = "0008_panels"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MEETING_KINDS = ("initial", "review", "closure", "other")
CONFERENCE = "family_group_conference"


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "family_network_member",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("full_name", _text(200), nullable=False),
        sa.Column("relationship", _text(60), nullable=False),
        sa.Column("named_by_member_id", sa.Uuid(), nullable=False),
        sa.Column("phone", _text(40), nullable=False),
        sa.Column("email", _text(254), nullable=False),
        sa.Column("address", _text(300), nullable=False),
        sa.Column("recorded_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.ForeignKeyConstraint(["named_by_member_id"], ["family_member.id"]),
        sa.ForeignKeyConstraint(["recorded_by_user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_family_network_member_family_id", "family_network_member", ["family_id"], unique=False)
    _meeting_kinds((*MEETING_KINDS, CONFERENCE))
    op.add_column("taf_meeting_invitee", sa.Column("network_member_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        "taf_meeting_invitee_network_member_id_fkey",
        "taf_meeting_invitee",
        "family_network_member",
        ["network_member_id"],
        ["id"],
    )
    op.create_unique_constraint(
        "uq_taf_meeting_invitee_network_member", "taf_meeting_invitee", ["meeting_id", "network_member_id"]
    )
    op.drop_constraint("taf_meeting_invitee_who", "taf_meeting_invitee", type_="check")
    op.create_check_constraint(
        "taf_meeting_invitee_who",
        "taf_meeting_invitee",
        "num_nonnulls(user_id, family_member_id, network_member_id) = 1",
    )
    op.add_column("plan_goal", sa.Column("conference_id", sa.Uuid(), nullable=True))
    op.create_foreign_key("plan_goal_conference_id_fkey", "plan_goal", "taf_meeting", ["conference_id"], ["id"])


def _meeting_kinds(kinds: tuple[str, ...]) -> None:
    op.drop_constraint("taf_meeting_kind", "taf_meeting", type_="check")
    op.create_check_constraint("taf_meeting_kind", "taf_meeting", sa.column("kind").in_(kinds))


def downgrade() -> None:
    op.drop_constraint("plan_goal_conference_id_fkey", "plan_goal", type_="foreignkey")
    op.drop_column("plan_goal", "conference_id")
    op.execute("DELETE FROM taf_meeting_invitee WHERE network_member_id IS NOT NULL")
    op.drop_constraint("taf_meeting_invitee_who", "taf_meeting_invitee", type_="check")
    op.create_check_constraint(
        "taf_meeting_invitee_who", "taf_meeting_invitee", "(user_id IS NULL) <> (family_member_id IS NULL)"
    )
    op.drop_constraint("uq_taf_meeting_invitee_network_member", "taf_meeting_invitee", type_="unique")
    op.drop_constraint("taf_meeting_invitee_network_member_id_fkey", "taf_meeting_invitee", type_="foreignkey")
    op.drop_column("taf_meeting_invitee", "network_member_id")
    op.execute(f"UPDATE taf_meeting SET kind = 'other' WHERE kind = '{CONFERENCE}'")  # noqa: S608 (a constant)
    _meeting_kinds(MEETING_KINDS)
    op.drop_index("ix_family_network_member_family_id", table_name="family_network_member")
    op.drop_table("family_network_member")
