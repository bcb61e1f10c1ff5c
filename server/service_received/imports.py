"""Services received in an import file (docs/IMPORT.md): the section "services" of each family
(server/caseimport/sections.py). Each entry names a service of the area's services list by its code or its
name, its start and end dates and the quantity; it is checked with this domain's own checks, priced at the
unit price of its start day (as serviceReceivedRecord prices it), and recorded as the lead professional
records the family's assessments: by them, as their agency's case content in the service's category, and
provided by their agency."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.caseimport.document import Problem, Reader
from server.caseimport.rules import FamilyRows, Row
from server.caseimport.writer import insert_all
from server.errors import BadUserInput
from server.service_catalogue.models import Service, ServicePrice
from server.service_catalogue.service import in_effect
from server.service_received.models import ServiceReceived
from server.service_received.service import ServiceReceivedIn, check_dates_and_quantity
from server.team.models import TeamRole

FIELDS = {"service", "startedOn", "endedOn", "quantity"}


@dataclass(frozen=True)
class PricedEntry:
    service: Service
    prices: list[ServicePrice]


class ServicesSection:
    key = "services"

    def __init__(self) -> None:
        self.by_name: dict[str, PricedEntry] = {}
        self.rows: list[Row] = []

    async def prepare(self, session: AsyncSession) -> None:
        """The services list with each service's prices, by code and by name (case-insensitive)."""
        services = list((await session.exec(select(Service))).all())
        prices: dict[uuid.UUID, list[ServicePrice]] = {service.id: [] for service in services}
        statement = select(ServicePrice).order_by(col(ServicePrice.effective_from))
        for price in (await session.exec(statement)).all():
            prices[price.service_id].append(price)
        for service in services:
            entry = PricedEntry(service, prices[service.id])
            self.by_name[service.code.lower()] = self.by_name[service.name.lower()] = entry

    def check(self, row: int, value: Any, family: FamilyRows, problems: list[Problem]) -> None:
        r = Reader(row, problems)
        if not isinstance(value, list):
            r.note(self.key, "Must be a list.")
            return
        lead = next(member for member in family.team if member["role"] == TeamRole.lead_professional)
        closed_at = family.family["closed_at"]
        for n, raw in enumerate(value, 1):
            path = f"{self.key}[{n}]"
            item = r.obj(raw, path)
            r.unknown(item, FIELDS, path)
            found = self._service(r, item, path)
            started_on = r.day(item, "startedOn", path)
            ended_on = r.day(item, "endedOn", path, required=False)
            quantity = item.get("quantity")
            if not isinstance(quantity, int) or isinstance(quantity, bool):
                r.note(f"{path}.quantity", "Must be a whole number.")
                continue
            if found is None or started_on is None:
                continue
            data = ServiceReceivedIn(found.service.id, lead["agency_id"], started_on, quantity, ended_on)
            try:
                check_dates_and_quantity(data)
            except BadUserInput as refusal:
                r.note(f"{path}.{refusal.extensions.get('field')}", refusal.message)
                continue
            if closed_at is not None and started_on > closed_at.date():
                r.note(f"{path}.startedOn", "Nothing is recorded after the case was closed (closedOn).")
                continue
            self.rows.append(_values(family, lead, found, data))

    def _service(self, r: Reader, item: dict, path: str) -> PricedEntry | None:
        name = r.text(item, "service", path)
        if not name:
            return None
        found = self.by_name.get(name.strip().lower())
        if found is None:
            r.note(f"{path}.service", f"No service on the services list has the code or name {name!r}.")
        elif not found.prices:
            r.note(f"{path}.service", f"{found.service.name} has no unit price on the services list.")
            return None
        return found

    @property
    def count(self) -> int:
        return len(self.rows)

    async def write(self, session: AsyncSession) -> int:
        await insert_all(session, ServiceReceived, self.rows)
        return len(self.rows)


def _values(family: FamilyRows, lead: Row, found: PricedEntry, data: ServiceReceivedIn) -> Row:
    return {
        "family_id": family.family["id"],
        "service_id": found.service.id,
        "provider_agency_id": lead["agency_id"],
        "started_on": data.started_on,
        "ended_on": data.ended_on,
        "quantity": data.quantity,
        "unit_price_pence": in_effect(found.prices, data.started_on),
        "owning_agency_id": lead["agency_id"],
        "category": found.service.category,
        "recorded_by_user_id": lead["user_id"],
    }
