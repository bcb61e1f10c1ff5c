"""Use cases for the services list: staff read it with today's prices; administrators add services and
set prices. A new price applies from a day not yet priced (today or later), so it never changes the cost
of a service already received."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Act
from server.access.categories import InformationCategory
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.clock import today
from server.errors import BadUserInput, Conflict, NotFound
from server.service_catalogue.models import Service, ServicePrice, ServiceUnit
from server.validation import required_text

NOT_FOUND = "No service with that id in the services list."
MAX_PRICE_PENCE = 100_000_000  # £1,000,000 a unit: anything above is a typing mistake


@dataclass(frozen=True)
class ServiceIn:
    code: str
    name: str
    unit: ServiceUnit
    category: InformationCategory
    unit_price_pence: int


@dataclass(frozen=True)
class PricedService:
    """A service with the unit price in effect today, and the history of its prices (oldest first)."""

    row: Service
    unit_price_pence: int
    prices: list[ServicePrice]


async def list_services(session: AsyncSession, access: AccessControl) -> list[PricedService]:
    access.require_outside_family(Act.read, Kind.service_catalogue)
    services = (await session.exec(select(Service).order_by(col(Service.name)))).all()
    return await _priced(session, list(services))


async def get(session: AsyncSession, access: AccessControl, service_id: uuid.UUID) -> PricedService:
    access.require_outside_family(Act.read, Kind.service_catalogue)
    row = await session.get(Service, service_id)
    if row is None:
        raise NotFound(NOT_FOUND)
    return (await _priced(session, [row]))[0]


async def add(session: AsyncSession, access: AccessControl, *, data: ServiceIn) -> PricedService:
    access.require_outside_family(Act.create, Kind.service_catalogue)
    code = required_text(data.code, "code", 64)
    name = required_text(data.name, "name", 200)
    taken = select(Service.id).where(sa.or_(Service.code == code, sa.func.lower(Service.name) == name.lower()))
    if (await session.exec(taken)).first() is not None:
        raise Conflict("A service with that code or name is already on the list.")
    row = Service(code=code, name=name, unit=data.unit, category=data.category)
    session.add(row)
    await session.flush()
    session.add(_price(row.id, data.unit_price_pence, today(), access))
    await session.flush()
    return await get(session, access, row.id)


async def set_price(
    session: AsyncSession, access: AccessControl, *, service_id: uuid.UUID, unit_price_pence: int, effective_from: date
) -> PricedService:
    """Add a price from `effective_from` on: today or later, and after every day already priced."""
    access.require_outside_family(Act.update, Kind.service_catalogue)
    _check_price(unit_price_pence)
    row = (await session.exec(select(Service).where(Service.id == service_id).with_for_update())).first()
    if row is None:
        raise NotFound(NOT_FOUND)
    if effective_from < today():
        raise BadUserInput("A new price applies from today or a later day.", field="effectiveFrom")
    latest = (await session.exec(select(sa.func.max(ServicePrice.effective_from)).where(_of(service_id)))).one()
    if latest is not None and effective_from <= latest:
        raise Conflict(f"The price is already set from {latest.isoformat()}: choose a later day.")
    session.add(_price(service_id, unit_price_pence, effective_from, access))
    await session.flush()
    return await get(session, access, service_id)


async def price_on(session: AsyncSession, service_id: uuid.UUID, on: date) -> int:
    """The unit price in effect on a day; before the first price, the first price (the list's earliest)."""
    prices = (
        await session.exec(select(ServicePrice).where(_of(service_id)).order_by(ServicePrice.effective_from))
    ).all()
    if not prices:
        raise NotFound(NOT_FOUND)
    return in_effect(list(prices), on)


async def _priced(session: AsyncSession, services: list[Service]) -> list[PricedService]:
    ids = [row.id for row in services]
    history: dict[uuid.UUID, list[ServicePrice]] = {service_id: [] for service_id in ids}
    if ids:
        statement = select(ServicePrice).where(col(ServicePrice.service_id).in_(ids))
        for price in (await session.exec(statement.order_by(col(ServicePrice.effective_from)))).all():
            history[price.service_id].append(price)
    on = today()
    return [PricedService(row, in_effect(history[row.id], on), history[row.id]) for row in services]


def in_effect(prices: list[ServicePrice], on: date) -> int:
    """The unit price on a day, from a service's prices in date order; before the first, the first."""
    started = [price for price in prices if price.effective_from <= on]
    return (started[-1] if started else prices[0]).unit_price_pence


def _of(service_id: uuid.UUID) -> sa.ColumnElement[bool]:
    return ServicePrice.__table__.c.service_id == service_id


def _check_price(pence: int) -> None:
    if not 0 <= pence <= MAX_PRICE_PENCE:
        raise BadUserInput(f"A unit price is from 0 to {MAX_PRICE_PENCE} pence.", field="unitPricePence")


def _price(service_id: uuid.UUID, pence: int, effective_from: date, access: AccessControl) -> ServicePrice:
    _check_price(pence)
    return ServicePrice(
        service_id=service_id,
        unit_price_pence=pence,
        effective_from=effective_from,
        set_by_user_id=access.actor.user_id,
    )
