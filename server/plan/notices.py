"""What an event about a plan action says of it (notifications/events.py): the reference to its
description (kind plan_action: owning agency, category) and the structure the team coordinates around
(owner, due date), never the description itself, which is rendered when the notification is read."""

from __future__ import annotations

from typing import Any

from server.access.categories import InformationCategory
from server.plan.models import PlanAction


def action_fields(action: PlanAction) -> dict[str, Any]:
    return {
        "family_id": action.family_id,
        "owning_agency_id": action.owning_agency_id,
        "category": InformationCategory(action.category).value,
        "action_id": action.id,
        "owner_user_id": action.owner_user_id,
        "due_on": action.due_date,
    }
