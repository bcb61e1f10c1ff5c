"""The services list in the API: `services` for staff (ids, names, units and today's unit prices), and the
administrators' mutations that add a service and set a price."""

from __future__ import annotations

from datetime import date

import strawberry

from server.api.mutation import mutate
from server.api.scalars import Info, parse_id
from server.api.types import InformationCategoryType
from server.clock import today
from server.service_catalogue import service as catalogue_service
from server.service_catalogue.models import ServicePrice, ServiceUnit
from server.service_catalogue.service import PricedService, ServiceIn

ServiceUnitType = strawberry.enum(
    ServiceUnit, name="ServiceUnit", description="What one unit of a service is: a session, an hour, a week, ..."
)


@strawberry.type(name="ServicePrice", description="A unit price, in effect from a day until the next price.")
class ServicePriceType:
    unit_price_pence: int
    effective_from: date

    @classmethod
    def from_row(cls, row: ServicePrice) -> ServicePriceType:
        return cls(unit_price_pence=row.unit_price_pence, effective_from=row.effective_from)


@strawberry.type(name="Service", description="A service on the area's services list.")
class ServiceType:
    id: strawberry.ID
    code: str = strawberry.field(description="A stable short name (for imports and exports).")
    name: str
    unit: ServiceUnitType  # type: ignore[valid-type]
    category: InformationCategoryType = strawberry.field(  # type: ignore[valid-type]
        description="The information category of knowing that a family received it: a service received is"
        " case content in this category."
    )
    unit_price_pence: int = strawberry.field(description="The price of one unit today, in pence.")
    prices: list[ServicePriceType] = strawberry.field(description="Every price it has had, oldest first.")

    @classmethod
    def from_service(cls, found: PricedService) -> ServiceType:
        row = found.row
        return cls(
            id=strawberry.ID(str(row.id)),
            code=row.code,
            name=row.name,
            unit=row.unit,
            category=row.category,
            unit_price_pence=found.unit_price_pence,
            prices=[ServicePriceType.from_row(price) for price in found.prices],
        )


@strawberry.input(description="A service to add to the list.")
class ServiceAddInput:
    code: str = strawberry.field(description="Up to 64 characters, unique.")
    name: str = strawberry.field(description="Up to 200 characters, unique.")
    unit: ServiceUnitType  # type: ignore[valid-type]
    category: InformationCategoryType  # type: ignore[valid-type]
    unit_price_pence: int = strawberry.field(description="From today, in pence (0 to 100,000,000).")


@strawberry.input(description="A new unit price for a service.")
class ServicePriceSetInput:
    service_id: strawberry.ID
    unit_price_pence: int = strawberry.field(description="In pence (0 to 100,000,000).")
    effective_from: date | None = strawberry.field(
        default=None,
        description="The first day it applies: today (the default) or later, and after every day already priced"
        " (CONFLICT otherwise). Services received before it keep the price of their start day.",
    )


@strawberry.type
class ServiceCatalogueQuery:
    @strawberry.field(description="The area's services list, by name, with today's unit prices. Staff only.")
    async def services(self, info: Info) -> list[ServiceType]:
        async with info.context.read() as session:
            found = await catalogue_service.list_services(session, info.context.access)
        return [ServiceType.from_service(service) for service in found]


@strawberry.type
class ServiceCatalogueMutation:
    @strawberry.mutation(description="Administrators: add a service to the list, priced from today.")
    async def service_add(self, info: Info, input: ServiceAddInput) -> ServiceType:
        data = ServiceIn(
            code=input.code,
            name=input.name,
            unit=input.unit,
            category=input.category,
            unit_price_pence=input.unit_price_pence,
        )
        found = await mutate(
            info,
            lambda session, access: catalogue_service.add(session, access, data=data),
            audit=lambda added: {"serviceId": str(added.row.id)},
        )
        return ServiceType.from_service(found)

    @strawberry.mutation(
        description="Administrators: set a service's unit price from a day on. Costs already recorded never change."
    )
    async def service_price_set(self, info: Info, input: ServicePriceSetInput) -> ServiceType:
        service_id = parse_id(input.service_id, "serviceId")
        found = await mutate(
            info,
            lambda session, access: catalogue_service.set_price(
                session,
                access,
                service_id=service_id,
                unit_price_pence=input.unit_price_pence,
                effective_from=input.effective_from or today(),
            ),
            audit=lambda priced: {"serviceId": str(service_id), "unitPricePence": input.unit_price_pence},
        )
        return ServiceType.from_service(found)
