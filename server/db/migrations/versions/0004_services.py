"""the services list with unit prices over time, and the services each family received

Seeds the services list with the services the evaluations of edge-of-care and family intervention work
name, at illustrative unit prices (in pence) that an administrator replaces with the area's own; the seeded
prices apply from 2000-01-01, so services received before any price change are costed.

Revision ID: 0004_services
Revises: 0003_care
Create Date: 2026-12-03 02:00:00
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004_services"
down_revision: str | None = "0003_care"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNITS = ("session", "hour", "day", "night", "week", "conference")
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
# code, name, unit, category, unit price in pence
SERVICES = (
    ("intensive_family_support", "Intensive family support", "week", "social_care", 35_000),
    ("family_intervention_project", "Family intervention project (FIP)", "week", "social_care", 40_000),
    ("respite_short_breaks", "Respite and short breaks", "night", "social_care", 15_000),
    ("family_group_conference", "Family group conference", "conference", "social_care", 120_000),
    ("parenting_programme", "Parenting programme", "session", "family_history", 9_000),
    ("mentoring", "Mentoring", "session", "other", 4_000),
    ("multi_systemic_therapy", "Multi-systemic therapy (MST)", "week", "mental_health", 65_000),
    ("camhs_appointment", "CAMHS appointment", "session", "mental_health", 20_000),
    ("substance_misuse_programme", "Substance misuse programme", "session", "substance_misuse", 12_000),
    ("domestic_abuse_support", "Domestic abuse support (IDVA)", "week", "domestic_abuse", 10_000),
    ("youth_offending_intervention", "Youth offending team intervention", "session", "youth_justice", 15_000),
    ("school_attendance_support", "School attendance support", "session", "education", 5_000),
    ("housing_support", "Housing support", "week", "housing", 8_000),
    ("debt_and_benefits_advice", "Debt and benefits advice", "session", "finance", 6_000),
)


def _enum(name: str, values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    service = op.create_table(
        "catalogue_service",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("unit", _enum("service_unit", UNITS), nullable=False),
        sa.Column("category", _enum("service_category", CATEGORIES), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
        sa.UniqueConstraint("name"),
    )
    price = op.create_table(
        "service_price",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("unit_price_pence", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("set_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("unit_price_pence >= 0", name="ck_service_price_not_negative"),
        sa.ForeignKeyConstraint(["service_id"], ["catalogue_service.id"]),
        sa.ForeignKeyConstraint(["set_by_user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("service_id", "effective_from", name="uq_service_price_day"),
    )
    op.create_index(op.f("ix_service_price_service_id"), "service_price", ["service_id"], unique=False)
    op.create_table(
        "service_received",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("provider_agency_id", sa.Uuid(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_pence", sa.Integer(), nullable=False),
        sa.Column("owning_agency_id", sa.Uuid(), nullable=False),
        sa.Column("category", _enum("service_received_category", CATEGORIES), nullable=False),
        sa.Column("recorded_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity > 0", name="ck_service_received_quantity"),
        sa.CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ck_service_received_dates"),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.ForeignKeyConstraint(["service_id"], ["catalogue_service.id"]),
        sa.ForeignKeyConstraint(["provider_agency_id"], ["agency.id"]),
        sa.ForeignKeyConstraint(["owning_agency_id"], ["agency.id"]),
        sa.ForeignKeyConstraint(["recorded_by_user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_service_received_family_started", "service_received", ["family_id", "started_on"], unique=False)
    _seed(service, price)


def _seed(service: sa.Table, price: sa.Table) -> None:
    now, since = datetime.now(UTC), date(2000, 1, 1)
    services, prices = [], []
    for code, name, unit, category, pence in SERVICES:
        service_id = uuid.uuid4()
        services.append(
            {"id": service_id, "code": code, "name": name, "unit": unit, "category": category, "created_at": now}
        )
        prices.append(
            {"id": uuid.uuid4(), "service_id": service_id, "unit_price_pence": pence, "effective_from": since,
             "set_by_user_id": None, "created_at": now}
        )  # fmt: skip
    op.bulk_insert(service, services)
    op.bulk_insert(price, prices)


def downgrade() -> None:
    op.drop_index("ix_service_received_family_started", table_name="service_received")
    op.drop_table("service_received")
    op.drop_index(op.f("ix_service_price_service_id"), table_name="service_price")
    op.drop_table("service_price")
    op.drop_table("catalogue_service")
