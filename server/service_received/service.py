"""Use cases for services received: a worker on the family's team records one; the team reads them as
case content, decided item by item (the recording agency's, in the service's category)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import pagination
from server.access.actor import Act
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.agency.models import Agency
from server.clock import today
from server.errors import BadUserInput, NotFound
from server.service_catalogue import service as catalogue_service
from server.service_catalogue.models import Service
from server.service_received.content import content_columns, item_facts
from server.service_received.models import ServiceReceived
from server.writes import lock_and_require

KIND = Kind.service_received
NOT_FOUND = "No service received with that id, or you may not see it."
MAX_QUANTITY = 10_000


@dataclass(frozen=True)
class ServiceReceivedIn:
    service_id: uuid.UUID
    provider_agency_id: uuid.UUID
    started_on: date
    quantity: int
    ended_on: date | None = None


async def record(
    session: AsyncSession, access: AccessControl, *, family_id: uuid.UUID, data: ServiceReceivedIn
) -> ServiceReceived:
    await lock_and_require(session, access, Act.create, KIND, family_id)
    check_dates_and_quantity(data)
    service = await session.get(Service, data.service_id)
    if service is None:
        raise BadUserInput("Choose a service from the services list.", field="serviceId")
    if await session.get(Agency, data.provider_agency_id) is None:
        raise BadUserInput("Choose the agency that provided the service.", field="providerAgencyId")
    row = ServiceReceived(
        family_id=family_id,
        service_id=service.id,
        provider_agency_id=data.provider_agency_id,
        started_on=data.started_on,
        ended_on=data.ended_on,
        quantity=data.quantity,
        unit_price_pence=await catalogue_service.price_on(session, service.id, data.started_on),
        owning_agency_id=access.actor.agency_id,
        category=service.category,
        recorded_by_user_id=access.actor.user_id,
    )
    session.add(row)
    await session.flush()
    return row


async def get(session: AsyncSession, access: AccessControl, service_received_id: uuid.UUID) -> ServiceReceived:
    row = await session.get(ServiceReceived, service_received_id)
    readable = await access.can_read_found(
        session, KIND, row.family_id if row else None, item_facts(row) if row else None
    )
    if row is None or not readable:
        detail = {"serviceReceivedId": str(service_received_id)}
        access.note_denial(f"{KIND}_read", row.family_id if row else None, detail)
        raise NotFound(NOT_FOUND)
    access.note_read(row.family_id, row.id, KIND, item_facts(row))
    return row


async def list_for_family(
    session: AsyncSession, access: AccessControl, *, family_id: uuid.UUID, first: int = 50, after: str | None = None
) -> pagination.Page[ServiceReceived]:
    """The family's services received that the caller may see, latest start first. Withheld ones are not
    counted."""
    pagination.check_first(first)
    await access.require_visible_family(session, family_id)
    table = ServiceReceived.__table__.c
    conditions = [
        table.family_id == family_id,
        await access.item_filter(session, family_id, content_columns(), kind=KIND),
    ]
    total = (await session.exec(select(sa.func.count()).select_from(ServiceReceived).where(*conditions))).one()
    if after is not None:
        started, row_id = pagination.decode(after, date, uuid.UUID)
        conditions.append(sa.tuple_(table.started_on, table.id) < sa.tuple_(started, row_id))
    statement = (
        select(ServiceReceived)
        .where(*conditions)
        .order_by(col(ServiceReceived.started_on).desc(), col(ServiceReceived.id).desc())
        .limit(first + 1)
    )
    page = pagination.Page.of(list((await session.exec(statement)).all()), first, total=total)
    for row in page.items:
        access.note_read(family_id, row.id, KIND, item_facts(row))
    return page


def cursor(row: ServiceReceived) -> str:
    return pagination.encode(row.started_on, row.id)


def check_dates_and_quantity(data: ServiceReceivedIn) -> None:
    """The checks of a service received's own fields (also the import's: server/service_received/imports.py)."""
    if data.started_on > today():
        raise BadUserInput("Record a service once it has started.", field="startedOn")
    if data.ended_on is not None and data.ended_on < data.started_on:
        raise BadUserInput("A service cannot end before it started.", field="endedOn")
    if not 1 <= data.quantity <= MAX_QUANTITY:
        raise BadUserInput(f"The quantity is from 1 to {MAX_QUANTITY} units.", field="quantity")
