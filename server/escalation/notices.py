"""What an event about an escalation says of it (notifications/events.py): the reference to its reason
(kind escalation_reason: the raising agency, the category) and the structure the team sees (level,
urgency), never the reason or the outcome note, which are rendered when the notification is read."""

from __future__ import annotations

from typing import Any

from server.access.categories import InformationCategory
from server.escalation.models import Escalation, EscalationLevel


def escalation_fields(row: Escalation) -> dict[str, Any]:
    return {
        "family_id": row.family_id,
        "owning_agency_id": row.owning_agency_id,
        "category": InformationCategory(row.category).value,
        "escalation_id": row.id,
        "level": EscalationLevel(row.level).value,
        "urgent": EscalationLevel(row.level) is not EscalationLevel.concern,
    }
