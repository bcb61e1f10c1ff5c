"""Use cases for panels. Managers arrange sittings (any staff account may read the list: a sitting names
no family). A family's lead professional, or a manager of an agency on its team (the chair, as a rule),
adds the family to a sitting and records the panel's decision for it. Services never commit; the caller's
unit of work does.

Whoever may see a family sees that it was considered, the outcome, the services allocated and the review
date; the rationale is read only where the policy shares it (kind panel_rationale)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Act
from server.access.categories import InformationCategory
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.agency.models import Agency
from server.clock import utcnow
from server.db.versioning import update_versioned
from server.errors import BadUserInput, Conflict, NotFound
from server.family.service import require_members_of
from server.panel.content import rationale_columns, rationale_facts
from server.panel.models import PanelAllocation, PanelDecision, PanelKind, PanelOutcome, PanelSitting
from server.service_catalogue.models import Service
from server.user.models import SystemRole, User, UserKind
from server.validation import optional_text, required_text
from server.writes import lock_and_require

SITTING_NOT_FOUND = "No panel sitting with that id, or you may not see it."
DECISION_NOT_FOUND = "No panel decision with that id, or you may not see it."
MAX_QUANTITY = 10_000
MAX_ALLOCATIONS = 50
CHAIR_ROLES = (SystemRole.manager, SystemRole.practitioner)


@dataclass(frozen=True)
class SittingIn:
    name: str
    kind: PanelKind
    sits_on: date
    chair_user_id: uuid.UUID
    members: str = ""
    agency_ids: list[uuid.UUID] = field(default_factory=list)


@dataclass(frozen=True)
class Allocation:
    service_id: uuid.UUID
    quantity: int


@dataclass(frozen=True)
class DecisionIn:
    outcome: PanelOutcome
    rationale: str
    category: InformationCategory
    review_on: date
    allocations: list[Allocation] = field(default_factory=list)
    names_third_party: bool = False
    about_member_ids: list[uuid.UUID] = field(default_factory=list)


@dataclass(frozen=True)
class SeenDecision:
    """A family considered at a sitting as the caller may see it: the rationale only where the policy
    shares it."""

    row: PanelDecision
    sitting: PanelSitting
    allocations: list[PanelAllocation]
    rationale_visible: bool


# Sittings


async def create_sitting(session: AsyncSession, access: AccessControl, *, data: SittingIn) -> PanelSitting:
    access.require_outside_family(Act.create, Kind.panel)
    row = PanelSitting(created_by_user_id=access.actor.user_id, **await _sitting_values(session, data))
    session.add(row)
    await session.flush()
    return row


async def edit_sitting(
    session: AsyncSession, access: AccessControl, *, sitting_id: uuid.UUID, expected_version: int, data: SittingIn
) -> PanelSitting:
    await get_sitting(session, access, sitting_id)
    access.require_outside_family(Act.update, Kind.panel)
    values = await _sitting_values(session, data)
    earliest_review = await session.exec(
        select(sa.func.min(PanelDecision.review_on)).where(PanelDecision.sitting_id == sitting_id)
    )
    first = earliest_review.one()
    if first is not None and first <= data.sits_on:
        raise BadUserInput(
            "A decision of this sitting is reviewed on or before that date: the sitting must be earlier.",
            field="sitsOn",
        )
    return await update_versioned(session, PanelSitting, sitting_id, expected_version, values, what="panel sitting")


async def get_sitting(session: AsyncSession, access: AccessControl, sitting_id: uuid.UUID) -> PanelSitting:
    row = await session.get(PanelSitting, sitting_id)
    if row is None or not access.can_outside_family(Act.read, Kind.panel):
        raise NotFound(SITTING_NOT_FOUND)
    return row


async def list_sittings(session: AsyncSession, access: AccessControl) -> list[PanelSitting]:
    """Newest first."""
    access.require_outside_family(Act.read, Kind.panel)
    statement = select(PanelSitting).order_by(col(PanelSitting.sits_on).desc(), col(PanelSitting.created_at).desc())
    return list((await session.exec(statement)).all())


async def _sitting_values(session: AsyncSession, data: SittingIn) -> dict:
    chair = await session.get(User, data.chair_user_id)
    if chair is None or chair.kind is not UserKind.staff or chair.role not in CHAIR_ROLES or not chair.is_active:
        raise BadUserInput("Choose a manager or practitioner to chair the panel.", field="chairUserId")
    agency_ids = list(dict.fromkeys(data.agency_ids))
    if agency_ids:
        found = await session.exec(select(sa.func.count()).where(col(Agency.id).in_(agency_ids)))
        if found.one() != len(agency_ids):
            raise BadUserInput("Choose the agencies attending from the list of agencies.", field="agencyIds")
    return {
        "name": required_text(data.name, "name", 200),
        "kind": PanelKind(data.kind).value,
        "sits_on": data.sits_on,
        "chair_user_id": chair.id,
        "members": optional_text(data.members, "members", 2000),
        "agency_ids": agency_ids,
    }


# Families considered and decisions


async def add_family(
    session: AsyncSession, access: AccessControl, *, sitting_id: uuid.UUID, family_id: uuid.UUID
) -> PanelDecision:
    sitting = await get_sitting(session, access, sitting_id)
    await lock_and_require(session, access, Act.create, Kind.panel_decision, family_id)
    already = await session.exec(
        select(PanelDecision.id).where(PanelDecision.sitting_id == sitting.id, PanelDecision.family_id == family_id)
    )
    if already.first() is not None:
        raise Conflict("This family is already on the sitting's list.")
    row = PanelDecision(sitting_id=sitting.id, family_id=family_id, added_by_user_id=access.actor.user_id)
    session.add(row)
    await session.flush()
    return row


async def decide(
    session: AsyncSession, access: AccessControl, *, decision_id: uuid.UUID, expected_version: int, data: DecisionIn
) -> PanelDecision:
    """Record (or correct) the panel's decision for a family; the caller's agency owns the rationale."""
    row = await _visible_decision(session, access, decision_id)
    await lock_and_require(session, access, Act.update, Kind.panel_decision, row.family_id, seen_as=Kind.panel_decision)
    sitting = await session.get(PanelSitting, row.sitting_id)
    assert sitting is not None
    if data.review_on <= sitting.sits_on:
        raise BadUserInput("The review date must be after the date the panel sat.", field="reviewOn")
    await require_members_of(session, row.family_id, data.about_member_ids)
    allocations = await _allocations(session, data.allocations)
    values = {
        "outcome": PanelOutcome(data.outcome).value,
        "rationale": required_text(data.rationale, "rationale", 5000),
        "category": InformationCategory(data.category).value,
        "names_third_party": bool(data.names_third_party),
        "about_member_ids": list(dict.fromkeys(data.about_member_ids)),
        "review_on": data.review_on,
        "owning_agency_id": access.actor.agency_id,
        "decided_by_user_id": access.actor.user_id,
        "decided_at": utcnow(),
    }
    updated = await update_versioned(session, PanelDecision, row.id, expected_version, values, what="panel decision")
    await session.exec(sa.delete(PanelAllocation).where(col(PanelAllocation.decision_id) == row.id))
    session.add_all(
        PanelAllocation(decision_id=row.id, service_id=a.service_id, quantity=a.quantity) for a in allocations
    )
    await session.flush()
    return updated


async def _allocations(session: AsyncSession, allocations: list[Allocation]) -> list[Allocation]:
    service_ids = [allocation.service_id for allocation in allocations]
    if len(set(service_ids)) != len(service_ids):
        raise BadUserInput("Allocate each service once, with its quantity.", field="allocations")
    for allocation in allocations:
        if not 0 < allocation.quantity <= MAX_QUANTITY:
            raise BadUserInput(f"A quantity is from 1 to {MAX_QUANTITY}.", field="allocations")
    if service_ids:
        found = await session.exec(select(sa.func.count()).where(col(Service.id).in_(service_ids)))
        if found.one() != len(service_ids):
            raise BadUserInput("Choose services from the services list.", field="allocations")
    return allocations


async def get_decision(session: AsyncSession, access: AccessControl, decision_id: uuid.UUID) -> SeenDecision:
    row = await _visible_decision(session, access, decision_id)
    return (await _seen(session, access, [row]))[0]


async def decisions_of_sitting(
    session: AsyncSession, access: AccessControl, sitting_id: uuid.UUID
) -> tuple[PanelSitting, list[SeenDecision]]:
    """The sitting and the families on its list that the caller may see (the others are not mentioned)."""
    sitting = await get_sitting(session, access, sitting_id)
    table = PanelDecision.__table__.c
    statement = (
        select(PanelDecision)
        .where(PanelDecision.sitting_id == sitting.id, access.family_filter(table.family_id, kind=Kind.panel_decision))
        .order_by(col(PanelDecision.created_at), col(PanelDecision.id))
    )
    rows = list((await session.exec(statement)).all())
    return sitting, await _seen(session, access, rows)


async def decisions_of_family(session: AsyncSession, access: AccessControl, family_id: uuid.UUID) -> list[SeenDecision]:
    """Newest sitting first."""
    await access.require(session, Act.read, Kind.panel_decision, family_id)
    statement = (
        select(PanelDecision)
        .join(PanelSitting, col(PanelSitting.id) == PanelDecision.sitting_id)
        .where(PanelDecision.family_id == family_id)
        .order_by(col(PanelSitting.sits_on).desc(), col(PanelDecision.created_at).desc())
    )
    return await _seen(session, access, list((await session.exec(statement)).all()))


async def require_step_decision(
    session: AsyncSession, access: AccessControl, *, decision_id: uuid.UUID, family_id: uuid.UUID, outcome: PanelOutcome
) -> PanelDecision:
    """For a step up or down agreed at panel: a decision of that family, with that outcome. Any other id
    (another family's, a forged one) answers as a nonexistent one does."""
    row = await session.get(PanelDecision, decision_id)
    if (
        row is None
        or row.family_id != family_id
        or not await access.can(session, Act.read, Kind.panel_decision, family_id)
    ):
        raise BadUserInput("No panel decision for this family with that id.", field="panelDecisionId")
    if row.outcome != outcome:
        raise BadUserInput(f"That panel decision is not to {outcome.value.replace('_', ' ')}.", field="panelDecisionId")
    return row


async def _visible_decision(session: AsyncSession, access: AccessControl, decision_id: uuid.UUID) -> PanelDecision:
    row = await session.get(PanelDecision, decision_id)
    readable = await access.can_read_found(session, Kind.panel_decision, row.family_id if row else None)
    if row is None or not readable:
        access.note_denial("panel_decision_read", row.family_id if row else None, {"decisionId": str(decision_id)})
        raise NotFound(DECISION_NOT_FOUND)
    return row


async def _seen(session: AsyncSession, access: AccessControl, rows: list[PanelDecision]) -> list[SeenDecision]:
    """Whether each rationale may be shown is decided in SQL, per family, by the rules of a single lookup."""
    if not rows:
        return []
    ids = [row.id for row in rows]
    visible: set[uuid.UUID] = set()
    for family_id in dict.fromkeys(row.family_id for row in rows):
        condition = await access.item_filter(session, family_id, rationale_columns(), kind=Kind.panel_rationale)
        statement = select(PanelDecision.id).where(
            col(PanelDecision.id).in_(ids),
            PanelDecision.family_id == family_id,
            col(PanelDecision.outcome).is_not(None),
            condition,
        )
        visible.update((await session.exec(statement)).all())
    sittings = {
        sitting.id: sitting
        for sitting in (
            await session.exec(select(PanelSitting).where(col(PanelSitting.id).in_({row.sitting_id for row in rows})))
        ).all()
    }
    allocations: dict[uuid.UUID, list[PanelAllocation]] = {row.id: [] for row in rows}
    for allocation in (
        await session.exec(
            select(PanelAllocation).where(col(PanelAllocation.decision_id).in_(ids)).order_by(col(PanelAllocation.id))
        )
    ).all():
        allocations[allocation.decision_id].append(allocation)
    seen = [SeenDecision(row, sittings[row.sitting_id], allocations[row.id], row.id in visible) for row in rows]
    for item in seen:
        if item.rationale_visible:
            access.note_read(item.row.family_id, item.row.id, Kind.panel_rationale, rationale_facts(item.row))
    return seen
