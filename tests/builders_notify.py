"""Builders for the notification tests: real escalations and actions (the subjects notifications refer
to) and the typed events about them, as the domain services append them."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from notifications.events import ActionAssigned, EscalationRaised
from server.access.categories import InformationCategory
from server.clock import utcnow
from server.db.engine import SessionFactory, unit_of_work
from server.escalation.models import Escalation, EscalationLevel
from server.escalation.notices import escalation_fields
from server.family.models import Family
from server.plan.models import ActionStatus, PlanAction
from server.plan.notices import action_fields
from server.user.models import User


async def create_escalation(
    sessions: SessionFactory,
    *,
    family: Family,
    raised_by: User,
    reason: str,
    category: str = "education",
    level: EscalationLevel = EscalationLevel.urgent,
) -> Escalation:
    now = utcnow()
    async with unit_of_work(sessions) as session:
        row = Escalation(
            family_id=family.id,
            level=level,
            category=InformationCategory(category),
            owning_agency_id=raised_by.agency_id,
            reason=reason,
            raised_by_user_id=raised_by.id,
            raised_at=now,
            ack_due_at=now + timedelta(hours=4),
        )
        session.add(row)
    return row


async def create_action(
    sessions: SessionFactory,
    *,
    family: Family,
    owner: User,
    set_by: User,
    description: str,
    category: str = "other",
    owning_agency_id: uuid.UUID | None = None,
) -> PlanAction:
    async with unit_of_work(sessions) as session:
        row = PlanAction(
            family_id=family.id,
            description=description,
            owning_agency_id=owning_agency_id or owner.agency_id,
            owner_user_id=owner.id,
            due_date=date.today() + timedelta(days=7),
            status=ActionStatus.open,
            category=InformationCategory(category),
            created_by_user_id=set_by.id,
        )
        session.add(row)
    return row


def raised(row: Escalation, *, urgent: bool | None = None) -> EscalationRaised:
    fields = escalation_fields(row)
    if urgent is not None:
        fields["urgent"] = urgent
    return EscalationRaised(**fields)


def assigned(row: PlanAction) -> ActionAssigned:
    return ActionAssigned(**action_fields(row))
