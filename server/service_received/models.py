"""Services a family received: from the area's services list, with dates, quantity and the agency that
provided it. Which services a family received is case content (a substance misuse programme says as much
as a health record): each row carries the facts the sharing rules read, the recording agency as owner and
the service's category."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.access.categories import InformationCategory
from server.db.columns import created_at_field, enum_field, id_field


class ServiceReceived(SQLModel, table=True):
    __tablename__ = "service_received"
    __table_args__ = (
        sa.Index("ix_service_received_family_started", "family_id", "started_on"),
        sa.CheckConstraint("quantity > 0", name="ck_service_received_quantity"),
        sa.CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ck_service_received_dates"),
    )

    id: uuid.UUID = id_field()
    family_id: uuid.UUID = Field(foreign_key="family.id")
    service_id: uuid.UUID = Field(foreign_key="catalogue_service.id")
    provider_agency_id: uuid.UUID = Field(foreign_key="agency.id")
    started_on: date
    ended_on: date | None = None
    quantity: int  # units of the service (sessions, weeks, nights, ...)
    # The unit price in effect on the start day, kept so a later change of price never changes this cost.
    unit_price_pence: int
    # Case content of the recording agency, in the service's information category.
    owning_agency_id: uuid.UUID = Field(foreign_key="agency.id")
    category: InformationCategory = enum_field(InformationCategory, name="service_received_category")
    recorded_by_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()
