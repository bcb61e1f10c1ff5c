"""The append-only history of the plan: one row per version of a goal, an action or a contingency."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from server.db.versioning import snapshot
from server.plan.models import PlanAction, PlanContingency, PlanGoal, PlanHistory


def record_version(
    session: AsyncSession,
    entity: str,
    row: PlanGoal | PlanAction | PlanContingency,
    fields: tuple,
    editor_id: uuid.UUID,
) -> None:
    """Keep this version of a goal, an action or a contingency in the plan's history."""
    session.add(
        PlanHistory(
            family_id=row.family_id,
            entity=entity,
            entity_id=row.id,
            version=row.version,
            editor_user_id=editor_id,
            snapshot=snapshot(row, fields),
        )
    )
