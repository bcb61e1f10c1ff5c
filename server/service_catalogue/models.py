"""The area's list of services a family can receive, and each service's unit price over time.

Prices are kept as a history (service_price): a price applies from its `effective_from` day until the next
one, so a change of price never changes what an earlier service received cost. A service received keeps
the unit price in effect on its start day (server/service_received/), so the outcomes report sums stored
costs and never looks a price up again."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.access.categories import InformationCategory
from server.db.columns import created_at_field, enum_field, id_field


class ServiceUnit(StrEnum):
    """What one unit of a service is: the quantity of a service received counts these."""

    session = "session"
    hour = "hour"
    day = "day"
    night = "night"
    week = "week"
    conference = "conference"


class Service(SQLModel, table=True):
    """One entry of the services list. Its category is the information category of knowing that a family
    received it (a substance misuse programme is substance misuse information)."""

    __tablename__ = "catalogue_service"

    id: uuid.UUID = id_field()
    code: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200, unique=True)
    unit: ServiceUnit = enum_field(ServiceUnit, name="service_unit")
    category: InformationCategory = enum_field(InformationCategory, name="service_category")
    created_at: datetime = created_at_field()


class ServicePrice(SQLModel, table=True):
    """A unit price from a day on. Rows are added, never changed: the history of what a unit cost."""

    __tablename__ = "service_price"
    __table_args__ = (
        sa.UniqueConstraint("service_id", "effective_from", name="uq_service_price_day"),
        sa.CheckConstraint("unit_price_pence >= 0", name="ck_service_price_not_negative"),
    )

    id: uuid.UUID = id_field()
    service_id: uuid.UUID = Field(foreign_key="catalogue_service.id", index=True)
    unit_price_pence: int
    effective_from: date
    set_by_user_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")  # null: the seeded list
    created_at: datetime = created_at_field()
