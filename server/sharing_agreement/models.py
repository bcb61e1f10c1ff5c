"""Data-sharing agreements: what makes sharing by consent lawful between two agencies.

A family's consent says that the family agrees; the agreement between the agencies says that they have
agreed, as organisations, how they share, for what purposes and on what lawful basis. Sharing by consent
between two agencies needs both (server/access/rules.py `shared_by_consent`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from server.db.columns import category_array, created_at_field, enum_field, id_field


class AgreementLawfulBasis(StrEnum):
    """The UK GDPR Article 6 basis the parties share on; the Article 9 condition and the statutes go in
    the agreement's lawful_basis_detail."""

    public_task = "public_task"  # Art 6(1)(e): a statutory function (Children Act 1989 and 2004, ...)
    legal_obligation = "legal_obligation"  # Art 6(1)(c)
    legitimate_interests = "legitimate_interests"  # Art 6(1)(f): voluntary and private bodies
    vital_interests = "vital_interests"  # Art 6(1)(d)


class AgreementStatus(StrEnum):
    not_started = "not_started"
    active = "active"
    ended = "ended"  # ended early by an information-governance officer
    expired = "expired"  # past its end date


class DataSharingAgreement(SQLModel, table=True):
    """Active from starts_on to ends_on (whole days, UTC, both included) unless ended early."""

    __tablename__ = "data_sharing_agreement"
    __table_args__ = (
        sa.CheckConstraint("starts_on < review_on AND review_on < ends_on", name="ck_agreement_dates_in_order"),
    )

    id: uuid.UUID = id_field()
    title: str = Field(max_length=200)
    categories: list[str] = Field(sa_type=category_array())
    purposes: str = Field(max_length=2000)
    lawful_basis: AgreementLawfulBasis = enum_field(AgreementLawfulBasis, name="agreement_lawful_basis")
    lawful_basis_detail: str = Field(default="", max_length=1000)
    starts_on: date
    review_on: date
    ends_on: date
    document_reference: str = Field(max_length=300)
    version: int = 1
    created_by_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
    ended_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    ended_by_user_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    end_reason: str | None = Field(default=None, max_length=1000)


class DataSharingAgreementParty(SQLModel, table=True):
    """One agency that signed an agreement, and who answers for information governance there."""

    __tablename__ = "data_sharing_agreement_party"

    agreement_id: uuid.UUID = Field(foreign_key="data_sharing_agreement.id", primary_key=True)
    # The facts statement looks agreements up by the reader's agency.
    agency_id: uuid.UUID = Field(foreign_key="agency.id", primary_key=True, index=True)
    ig_contact_name: str = Field(max_length=200)
    ig_contact_email: str = Field(max_length=320)
    ig_contact_phone: str = Field(default="", max_length=50)


class AgreementPairs(SQLModel, table=True):
    """What an agreement lets one of its parties be shown, as rule shared_by_consent looks it up in SQL: the
    "agency category" pairs of every other party and every category of the agreement, as the keys of a jsonb
    object. Kept by the database from the agreement tables (triggers of migration 0012), never written by the
    app: a compiled read then looks the pairs up instead of making ~700 of them for every statement
    (server/access/facts.py, bench/README.md)."""

    __tablename__ = "agreement_pairs"

    agreement_id: uuid.UUID = Field(
        sa_column=sa.Column(sa.Uuid(), sa.ForeignKey("data_sharing_agreement.id", ondelete="CASCADE"), primary_key=True)
    )
    agency_id: uuid.UUID = Field(
        sa_column=sa.Column(sa.Uuid(), sa.ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True, index=True)
    )
    pairs: dict[str, Any] = Field(sa_type=JSONB)
