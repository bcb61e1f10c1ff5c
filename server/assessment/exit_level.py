"""The family's level of need follows its exit assessment: when a case ends, the level the exit assessment
found is the family's level (the evaluators' entry-by-exit matrix reads both from the same place)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.assessment.models import Assessment, AssessmentStage, current_assessment
from server.clock import utcnow
from server.family.models import Family


async def follow_latest_exit(session: AsyncSession, family_id: uuid.UUID) -> None:
    """Set the family's level to its latest current exit assessment's (by date, then as recorded), moving
    its version on so that a lead holding the old one gets a conflict rather than overwriting it. An exit
    assessment back-dated before another one does not change the level."""
    latest = (
        select(Assessment.level_of_need)
        .where(Assessment.family_id == family_id, Assessment.stage == AssessmentStage.exit.value, current_assessment())
        .order_by(col(Assessment.assessed_on).desc(), col(Assessment.created_at).desc())
        .limit(1)
        .scalar_subquery()
    )
    table = Family.__table__
    await session.exec(
        sa.update(table)
        .where(table.c.id == family_id, table.c.level_of_need != latest)
        .values(level_of_need=latest, version=table.c.version + 1, updated_at=utcnow())
    )
    await session.get(Family, family_id, populate_existing=True)  # the row as the update left it
