"""What a meeting records as case content, and what the sharing rules read of it.

A minutes item belongs to the agency whose information it is (the chair's own, or the agency whose
update the chair recorded), in the item's category. A decision belongs to the agency of whoever
recorded it; one agreed with the family is the whole team's unless a refusal withholds its category.
An addendum belongs to its author's agency. None of them is marked for the family summary: the portal
shows the date of the next meeting, never what was said at one (policies/README.md).
"""

from __future__ import annotations

import sqlalchemy as sa

from server.access.categories import InformationCategory
from server.access.facts import ItemFacts
from server.access.kinds import Kind
from server.access.rules import ContentColumns
from server.meeting.models import MeetingAddendum, MeetingDecision, MinutesItem

KINDS = {MinutesItem: Kind.minutes_item, MeetingDecision: Kind.meeting_decision, MeetingAddendum: Kind.meeting_addendum}

Content = MinutesItem | MeetingDecision | MeetingAddendum


def facts(row: Content) -> ItemFacts:
    return ItemFacts(
        owning_agency_id=row.owning_agency_id,
        category=InformationCategory(row.category).value,
        third_party=row.contains_third_party_identities,
        team_shared=bool(getattr(row, "agreed_with_family", False)),
    )


def columns(model: type[Content]) -> ContentColumns:
    table = model.__table__.c  # type: ignore[attr-defined]
    return ContentColumns(
        owning_agency_id=table.owning_agency_id,
        category=table.category,
        third_party=table.contains_third_party_identities,
        team_shared=table.agreed_with_family if model is MeetingDecision else sa.false(),
    )
