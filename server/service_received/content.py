"""A service received as case content: what the sharing rules read of it (the recording agency owns it,
in its service's category). Never shared with the whole team by agreement, never shown to the family."""

from __future__ import annotations

from server.access.categories import InformationCategory
from server.access.facts import ItemFacts
from server.access.rules import ContentColumns
from server.service_received.models import ServiceReceived


def item_facts(row: ServiceReceived) -> ItemFacts:
    return ItemFacts(owning_agency_id=row.owning_agency_id, category=InformationCategory(row.category).value)


def content_columns() -> ContentColumns:
    table = ServiceReceived.__table__.c
    return ContentColumns(owning_agency_id=table.owning_agency_id, category=table.category)
