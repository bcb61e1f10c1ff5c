from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.clock import utcnow
from server.db.columns import created_at_field, enum_field, id_field


class AgencyKind(StrEnum):
    police = "police"
    health = "health"
    education = "education"
    housing = "housing"
    social_care = "social_care"
    early_help = "early_help"
    youth_justice = "youth_justice"
    voluntary = "voluntary"
    adult_services = "adult_services"  # adult social care, adult mental health and substance misuse services
    probation = "probation"
    employment_support = "employment_support"  # Jobcentre Plus and employment support programmes
    other = "other"


class Agency(SQLModel, table=True):
    id: uuid.UUID = id_field()
    name: str = Field(max_length=200, unique=True)
    kind: AgencyKind = enum_field(AgencyKind, name="agency_kind")
    # Its staff sign in only through their organisation's OpenID Connect provider, never with a password.
    sso_only: bool = False
    created_at: datetime = created_at_field()
    version: int = 1  # optimistic concurrency for administrators' edits (server/db/versioning.py)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
