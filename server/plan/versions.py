"""The append-only history of the plan: one row per version of a goal, an action or a contingency."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.pep import AccessControl
from server.db.versioning import snapshot
from server.plan.models import PlanAction, PlanContingency, PlanGoal, PlanHistory


def record_version(
    session: AsyncSession,
    entity: str,
    row: PlanGoal | PlanAction | PlanContingency,
    fields: tuple,
    access: AccessControl,
) -> None:
    session.add(
        PlanHistory(
            family_id=row.family_id,
            entity=entity,
            entity_id=row.id,
            version=row.version,
            editor_user_id=access.actor.user_id,
            snapshot=snapshot(row, fields),
        )
    )
