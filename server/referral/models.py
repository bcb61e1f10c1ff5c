"""Referrals: who referred a family, why, with what consent, and the threshold decision on it.

The reason, the presenting needs and the decision's rationale are the recording agency's case content in
the category it chose (policies/policy.csv, kind referral_reason); the rest of the referral (who referred,
when, the decision's level and outcome, the waits) is seen by the family's team."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.access.categories import InformationCategory
from server.db.columns import created_at_field, enum_field, id_field
from server.family.models import LevelOfNeed


class ReferralConsent(StrEnum):
    """Whether the family agreed to being referred."""

    given = "given"
    refused = "refused"
    not_sought = "not_sought"  # e.g. where asking would put a child at risk


class ReferralOutcome(StrEnum):
    accepted = "accepted"
    redirected = "redirected"
    no_further_action = "no_further_action"


class Referral(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_referral_family_received", "family_id", "received_on"),)

    id: uuid.UUID = id_field()
    family_id: uuid.UUID = Field(foreign_key="family.id")
    version: int = 1
    received_on: date
    referrer_name: str = Field(max_length=200)
    referrer_organisation: str = Field(max_length=200)
    referrer_role: str = Field(default="", max_length=200)
    referrer_contact: str = Field(default="", max_length=300)
    consent: ReferralConsent = enum_field(ReferralConsent, name="referral_consent")
    consent_given_by: str = Field(default="", max_length=200)  # the family member who agreed (or refused)
    # Case content: the recording agency's, in the category it chose.
    reason: str = Field(max_length=5000)
    presenting_needs: str = Field(max_length=5000)
    owning_agency_id: uuid.UUID = Field(foreign_key="agency.id")
    category: InformationCategory = enum_field(InformationCategory, name="referral_category")
    recorded_by_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()
    # The threshold decision, once made.
    decided_level: LevelOfNeed | None = enum_field(LevelOfNeed, name="referral_decided_level", nullable=True)
    decided_on: date | None = None
    decided_by_user_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    decision_reason: str | None = Field(default=None, max_length=5000)  # case content, with the reason
    outcome: ReferralOutcome | None = enum_field(ReferralOutcome, name="referral_outcome", nullable=True)
    redirected_to: str = Field(default="", max_length=300)
    first_contact_on: date | None = None
    # A re-referral: the closed case this referral follows (this family's own earlier closure, or a closed
    # family sharing a member with it). Erasing that family unlinks it, never blocks it.
    earlier_family_id: uuid.UUID | None = Field(default=None, foreign_key="family.id", ondelete="SET NULL")
    earlier_closure_id: uuid.UUID | None = Field(default=None, foreign_key="family_transition.id", ondelete="SET NULL")
    updated_at: datetime = created_at_field()
