"""Use cases for risk escalations. Any worker on the team raises one; the lead professional
acknowledges it before `ack_due_at` (set per level from settings) and resolves it with an outcome.
The timer that escalates an unacknowledged one to the lead's manager belongs to notifications; it
reads `ack_due_at` (indexed for unacknowledged rows)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import outbox, timers
from notifications.events import EscalationAcknowledged, EscalationRaised, EscalationResolved, EscalationTimedOut
from server.access.actor import Act
from server.access.categories import InformationCategory
from server.access.facts import ItemFacts
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.access.rules import ContentColumns, active_membership
from server.auth.service import actor_from
from server.clock import utcnow
from server.config import Settings
from server.errors import Conflict, NotFound
from server.escalation.models import Escalation, EscalationLevel, EscalationOutcome
from server.escalation.notices import escalation_fields
from server.inbox import service as inbox_service
from server.team.models import TeamMembership, TeamRole
from server.user.models import User
from server.validation import optional_text, required_text
from server.writes import lock_and_require

KIND = Kind.escalation
REASON = Kind.escalation_reason  # the reason and the outcome note: the raising agency's case content
NOT_FOUND = "No escalation with that id, or you may not see it."


@dataclass(frozen=True)
class Seen:
    """An escalation as the caller may see it: the reason, and the outcome note with it, only where the policy
    shares the reason; the outcome itself (the code) with the rest of the escalation."""

    row: Escalation
    reason_visible: bool


def ack_deadline(settings: Settings, level: EscalationLevel) -> timedelta:
    minutes = {
        EscalationLevel.concern: settings.ack_concern_minutes,
        EscalationLevel.urgent: settings.ack_urgent_minutes,
        EscalationLevel.immediate_danger: settings.ack_immediate_danger_minutes,
    }[level]
    return timedelta(minutes=minutes)


def reason_facts(row: Escalation) -> ItemFacts:
    """The reason is the raising agency's information in the category it relies on."""
    return ItemFacts(owning_agency_id=row.owning_agency_id, category=InformationCategory(row.category).value)


def reason_columns() -> ContentColumns:
    table = Escalation.__table__.c
    return ContentColumns(table.owning_agency_id, table.category)


async def raise_escalation(
    session: AsyncSession,
    access: AccessControl,
    *,
    family_id: uuid.UUID,
    level: EscalationLevel,
    category: InformationCategory,
    reason: str,
    settings: Settings,
) -> Escalation:
    await lock_and_require(session, access, Act.create, KIND, family_id)
    now = utcnow()
    row = Escalation(
        family_id=family_id,
        level=level,
        category=category,
        owning_agency_id=access.actor.agency_id,
        reason=required_text(reason, "reason", 5000),
        raised_by_user_id=access.actor.user_id,
        raised_at=now,
        ack_due_at=now + ack_deadline(settings, level),
    )
    session.add(row)
    await session.flush()
    await outbox.append(session, EscalationRaised(**escalation_fields(row), actor_user_id=access.actor.user_id))
    timed_out = EscalationTimedOut(**escalation_fields(row))  # to the lead's manager too, unless acknowledged
    await timers.schedule(session, due_at=row.ack_due_at, subject_id=row.id, event=timed_out)
    return row


async def acknowledge(session: AsyncSession, access: AccessControl, *, escalation_id: uuid.UUID) -> Escalation:
    row = await _for_lead(session, access, escalation_id)
    if row.acknowledged_at is not None:
        raise Conflict("This escalation has already been acknowledged.")
    row.acknowledged_at, row.acknowledged_by_user_id = utcnow(), access.actor.user_id
    await outbox.append(session, EscalationAcknowledged(**escalation_fields(row), actor_user_id=access.actor.user_id))
    await inbox_service.mark_read_about(session, access.actor.user_id, subject_kind=REASON, subject_id=row.id)
    await timers.cancel(session, kind="escalation_timed_out", subject_id=row.id)
    return row


async def resolve(
    session: AsyncSession,
    access: AccessControl,
    *,
    escalation_id: uuid.UUID,
    outcome: EscalationOutcome,
    note: str,
) -> Escalation:
    """Resolving an escalation not yet acknowledged acknowledges it at the same moment."""
    row = await _for_lead(session, access, escalation_id)
    if row.resolved_at is not None:
        raise Conflict("This escalation has already been resolved.")
    now = utcnow()
    if row.acknowledged_at is None:
        row.acknowledged_at, row.acknowledged_by_user_id = now, access.actor.user_id
        await inbox_service.mark_read_about(session, access.actor.user_id, subject_kind=REASON, subject_id=row.id)
    row.resolved_at, row.resolved_by_user_id = now, access.actor.user_id
    row.outcome, row.outcome_note = outcome, optional_text(note, "note", 5000) or None
    resolved = EscalationResolved(**escalation_fields(row), actor_user_id=access.actor.user_id, outcome=outcome.value)
    await outbox.append(session, resolved)
    await timers.cancel(session, kind="escalation_timed_out", subject_id=row.id)
    return row


async def get(session: AsyncSession, access: AccessControl, escalation_id: uuid.UUID) -> Seen:
    row = await session.get(Escalation, escalation_id)
    readable = await access.can_read_found(session, KIND, row.family_id if row else None)
    if row is None or not readable:
        access.note_denial("escalation_read", row.family_id if row else None, {"escalationId": str(escalation_id)})
        raise NotFound(NOT_FOUND)
    visible = await access.can_item(session, Act.read, REASON, row.family_id, reason_facts(row))
    if visible:
        access.note_read(row.family_id, row.id, REASON, reason_facts(row))
    return Seen(row, visible)


async def list_for_family(session: AsyncSession, access: AccessControl, family_id: uuid.UUID) -> list[Seen]:
    """Newest first. Whether each reason may be shown is decided in SQL by the same rules as `get`."""
    await access.require(session, Act.read, KIND, family_id)
    table = Escalation.__table__.c
    reason_visible = await access.item_filter(session, family_id, reason_columns(), kind=REASON)
    statement = (
        select(Escalation, sa.case((reason_visible, True), else_=False).label("reason_visible"))
        .where(table.family_id == family_id)
        .order_by(col(Escalation.raised_at).desc())
    )
    seen = [Seen(row, bool(visible)) for row, visible in (await session.exec(statement)).all()]
    for item in seen:
        if item.reason_visible:
            access.note_read(family_id, item.row.id, REASON, reason_facts(item.row))
    return seen


async def categories_hidden_from_lead(
    session: AsyncSession, access: AccessControl, family_id: uuid.UUID
) -> list[InformationCategory]:
    """The categories in which a reason the caller raises now would be withheld from the family's lead
    professional, decided for the lead by the enforcement point with the facts the reason would carry (the
    caller's agency, the category). Only for those who may raise an escalation in the family (an empty list
    for anyone else, and when there is no lead or the caller is the lead): the answer is about who may read
    the caller's own agency's information."""
    if not await access.can(session, Act.create, KIND, family_id):
        return []
    lead = await _lead(session, family_id)
    if lead is None or lead.id == access.actor.user_id or access.actor.agency_id is None:
        return []
    as_lead = access.for_actor(actor_from(lead))
    hidden = []
    for category in InformationCategory:
        facts = ItemFacts(owning_agency_id=access.actor.agency_id, category=category.value)
        if not await as_lead.can_item(session, Act.read, REASON, family_id, facts):
            hidden.append(category)
    return hidden


async def _lead(session: AsyncSession, family_id: uuid.UUID) -> User | None:
    statement = (
        select(User)
        .join(TeamMembership, col(TeamMembership.user_id) == col(User.id))
        .where(
            col(TeamMembership.family_id) == family_id,
            col(TeamMembership.role) == TeamRole.lead_professional.value,
            active_membership(),
        )
    )
    return (await session.exec(statement)).first()


async def _for_lead(session: AsyncSession, access: AccessControl, escalation_id: uuid.UUID) -> Escalation:
    seen = await get(session, access, escalation_id)
    # Open or closed: an escalation raised must always be answerable, even if the case closed meanwhile.
    await lock_and_require(session, access, Act.update, KIND, seen.row.family_id, open_only=False, seen_as=KIND)
    row = await session.get(Escalation, escalation_id, with_for_update=True, populate_existing=True)
    assert row is not None
    return row
