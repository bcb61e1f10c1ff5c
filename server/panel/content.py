"""The facts the sharing rules read of a panel decision's rationale (kind panel_rationale): the recording
agency as owner, the category it chose, and whether it names people outside the family."""

from __future__ import annotations

from server.access.categories import InformationCategory
from server.access.facts import ItemFacts
from server.access.rules import ContentColumns
from server.panel.models import PanelDecision


def rationale_facts(row: PanelDecision) -> ItemFacts:
    assert row.owning_agency_id is not None and row.category is not None  # decided
    return ItemFacts(
        owning_agency_id=row.owning_agency_id,
        category=InformationCategory(row.category).value,
        third_party=row.names_third_party,
    )


def rationale_columns() -> ContentColumns:
    table = PanelDecision.__table__.c
    return ContentColumns(table.owning_agency_id, table.category, third_party=table.names_third_party)
