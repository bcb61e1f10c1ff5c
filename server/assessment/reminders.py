"""The "assessment overdue" reminder. An open family's first assessment is due within FIRST_WITHIN of the day
its record was opened; after that, a new assessment (a review or exit assessment) is due within AGAIN_WITHIN of
the last one's date. The morning after that day passes with no assessment recorded, the lead professional (and
the deputy lead while covering) is told, once across every instance (notifications/timers.py).

One timer per family, reset whenever an assessment is recorded or corrected and when the record is opened or
re-opened, and cancelled when it closes. A day already past sets no reminder (it is on the record already)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import timers
from notifications.events import AssessmentOverdue
from server.assessment.models import Assessment
from server.clock import utcnow
from server.family.models import Family, FamilyStatus
from server.plan.reminders import MORNING

TIMER_KIND = "assessment_overdue"
FIRST_WITHIN = timedelta(days=45)  # the early help assessment's usual timescale (45 working days or fewer)
AGAIN_WITHIN = timedelta(days=182)  # about six months: a family's needs are assessed again at least twice a year


def due_on(opened_on: date, last_assessed_on: date | None) -> date:
    return last_assessed_on + AGAIN_WITHIN if last_assessed_on else opened_on + FIRST_WITHIN


async def follow(session: AsyncSession, family_id: uuid.UUID) -> None:
    await timers.cancel(session, kind=TIMER_KIND, subject_id=family_id)
    family = await session.get(Family, family_id)
    if family is None or family.status is FamilyStatus.closed:
        return
    statement = sa.select(sa.func.max(Assessment.__table__.c.assessed_on)).where(
        Assessment.__table__.c.family_id == family_id
    )
    last = (await session.exec(statement)).scalar_one_or_none()
    due = due_on(family.opened_at.date(), last)
    fires_at = datetime.combine(due + timedelta(days=1), MORNING)
    if fires_at > utcnow():
        event = AssessmentOverdue(family_id=family_id, due_on=due)
        await timers.schedule(session, due_at=fires_at, subject_id=family_id, event=event)
