"""Services received in the API: a family's list (case content, decided item by item), one by id, and
recording one."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

import strawberry

from server.agency.api import AgencyType
from server.api.mutation import mutate
from server.api.pagination import After, First, PageInfo
from server.api.scalars import Info, idempotency_key_field, parse_id
from server.api.types import InformationCategoryType, pounds
from server.service_catalogue.api import ServiceUnitType
from server.service_received import service as received_service
from server.service_received.models import ServiceReceived
from server.service_received.service import ServiceReceivedIn


@strawberry.type(
    name="ServiceReceived",
    description="A service a family received. Case content of the recording agency in the service's category:"
    " only those the caller may read are listed, and one they may not read is NOT_FOUND.",
)
class ServiceReceivedType:
    id: strawberry.ID
    family_id: strawberry.ID
    service_id: strawberry.ID
    service_name: str
    unit: ServiceUnitType  # type: ignore[valid-type]
    category: InformationCategoryType  # type: ignore[valid-type]
    provider_agency: AgencyType = strawberry.field(description="The agency that provided the service.")
    owning_agency: AgencyType = strawberry.field(description="The agency that recorded it (whose information it is).")
    started_on: date
    ended_on: date | None
    quantity: int = strawberry.field(description="Units of the service (sessions, weeks, nights, ...).")
    unit_price_pence: int = strawberry.field(description="The unit price in effect on the start day.")
    cost: Decimal = strawberry.field(description="quantity x unit price, in pounds (two decimal places).")
    recorded_at: datetime

    @classmethod
    async def many(cls, info: Info, rows: Sequence[ServiceReceived]) -> list[ServiceReceivedType]:
        loaders = info.context.loaders
        services, providers, owners = await asyncio.gather(
            loaders.service_by_id.load_many([row.service_id for row in rows]),
            loaders.agency_by_id.load_many([row.provider_agency_id for row in rows]),
            loaders.agency_by_id.load_many([row.owning_agency_id for row in rows]),
        )
        return [
            cls(
                id=strawberry.ID(str(row.id)),
                family_id=strawberry.ID(str(row.family_id)),
                service_id=strawberry.ID(str(row.service_id)),
                service_name=service.name,
                unit=service.unit,
                category=row.category,
                provider_agency=AgencyType.from_row(provider),
                owning_agency=AgencyType.from_row(owner),
                started_on=row.started_on,
                ended_on=row.ended_on,
                quantity=row.quantity,
                unit_price_pence=row.unit_price_pence,
                cost=pounds(row.quantity * row.unit_price_pence),
                recorded_at=row.created_at,
            )
            for row, service, provider, owner in zip(rows, services, providers, owners, strict=True)
        ]


@strawberry.type(name="ServiceReceivedConnection")
class ServiceReceivedConnection:
    nodes: list[ServiceReceivedType]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Services received that the caller may see.")


@strawberry.input(description="A service a family received, from the services list.")
class ServiceReceivedRecordInput:
    family_id: strawberry.ID
    service_id: strawberry.ID
    provider_agency_id: strawberry.ID = strawberry.field(description="The agency that provided it.")
    started_on: date = strawberry.field(description="Today or earlier.")
    quantity: int = strawberry.field(description="Units of the service, 1 to 10,000.")
    ended_on: date | None = strawberry.field(default=None, description="Null while it goes on; not before startedOn.")
    idempotency_key: str | None = idempotency_key_field()


async def _one(session, access, row_id) -> ServiceReceived:
    return await received_service.get(session, access, row_id)


@strawberry.type
class ServiceReceivedQuery:
    @strawberry.field(description="The services a family received that the caller may see, latest start first.")
    async def family_services_received(
        self, info: Info, family_id: strawberry.ID, first: First = 50, after: After = None
    ) -> ServiceReceivedConnection:
        async with info.context.read() as session:
            page = await received_service.list_for_family(
                session, info.context.access, family_id=parse_id(family_id, "familyId"), first=first, after=after
            )
        return ServiceReceivedConnection(
            nodes=await ServiceReceivedType.many(info, page.items),
            page_info=PageInfo.of(page, received_service.cursor),
            total_count=page.total,  # type: ignore[arg-type]
        )

    @strawberry.field(description="One service received, if the caller may read it (NOT_FOUND otherwise).")
    async def service_received(self, info: Info, id: strawberry.ID) -> ServiceReceivedType:
        async with info.context.read() as session:
            row = await received_service.get(session, info.context.access, parse_id(id, "id"))
        return (await ServiceReceivedType.many(info, [row]))[0]


@strawberry.type
class ServiceReceivedMutation:
    @strawberry.mutation(
        description="Record a service the family received. Workers on the family's team; its cost uses the unit"
        " price in effect on the start day."
    )
    async def service_received_record(self, info: Info, input: ServiceReceivedRecordInput) -> ServiceReceivedType:
        family_id = parse_id(input.family_id, "familyId")
        data = ServiceReceivedIn(
            service_id=parse_id(input.service_id, "serviceId"),
            provider_agency_id=parse_id(input.provider_agency_id, "providerAgencyId"),
            started_on=input.started_on,
            ended_on=input.ended_on,
            quantity=input.quantity,
        )
        row = await mutate(
            info,
            lambda session, access: received_service.record(session, access, family_id=family_id, data=data),
            family_id=family_id,
            audit=lambda created: {"serviceReceivedId": str(created.id)},
            idempotency_key=input.idempotency_key,
            replay=_one,
        )
        return (await ServiceReceivedType.many(info, [row]))[0]
