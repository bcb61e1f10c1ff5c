"""Contingencies on the family plan: "what we will do when and if X happens", each with what would set
it off, what will then be done and who does it. The lead professional writes and keeps them, like the
plan's goals; every version is kept in plan_history (entity "contingency").

Whoever may read the plan sees that a contingency exists, whether it is agreed with the family, and
where it stands; its trigger, response and who acts are case content (kind plan_contingency) decided by
the sharing policy: in SQL for the plan, per facts for one, per version for the history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Act
from server.access.categories import InformationCategory
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.db.versioning import update_versioned
from server.errors import BadUserInput, NotFound
from server.plan.content import contingency_columns, contingency_facts
from server.plan.models import ContingencyStatus, PlanContingency
from server.plan.versions import record_version
from server.validation import required_text
from server.writes import lock_and_require

CONTINGENCY_FIELDS = (
    "trigger",
    "response",
    "who_acts",
    "agreed_with_family",
    "names_third_party",
    "status",
    "category",
    "owning_agency_id",
)
# The words of a contingency: withheld (null) together where the policy withholds them.
CONTINGENCY_TEXT = ("trigger", "response", "who_acts")
CONTINGENCY_NOT_FOUND = "No contingency with that id, or you may not see it."
_EDITABLE = ("trigger", "response", "who_acts", "agreed_with_family", "names_third_party", "status", "category")


@dataclass(frozen=True)
class ContingencyIn:
    trigger: str
    response: str
    who_acts: str
    agreed_with_family: bool = False
    names_third_party: bool = False
    status: ContingencyStatus = ContingencyStatus.in_place
    category: InformationCategory = InformationCategory.other


@dataclass(frozen=True)
class SeenContingency:
    """A contingency as the caller may see it: its words only where the policy shares them."""

    row: PlanContingency
    content_visible: bool


async def add_contingency(
    session: AsyncSession, access: AccessControl, *, family_id: uuid.UUID, data: ContingencyIn
) -> PlanContingency:
    await lock_and_require(session, access, Act.update, Kind.plan, family_id)
    row = PlanContingency(
        family_id=family_id,
        owning_agency_id=access.actor.agency_id,
        created_by_user_id=access.actor.user_id,
        **_values(data),
    )
    session.add(row)
    await session.flush()
    record_version(session, "contingency", row, CONTINGENCY_FIELDS, access.actor.user_id)
    return row


async def edit_contingency(
    session: AsyncSession, access: AccessControl, *, contingency_id: uuid.UUID, expected_version: int, changes: dict
) -> PlanContingency:
    """`changes` holds only the fields the caller sent; a stale expected_version is a CONFLICT."""
    row = await session.get(PlanContingency, contingency_id)
    if row is None or not await access.can(session, Act.read, Kind.plan, row.family_id):
        raise NotFound(CONTINGENCY_NOT_FOUND)
    await lock_and_require(session, access, Act.update, Kind.plan, row.family_id)
    if not changes:
        raise BadUserInput("Send at least one field to change.")
    merged = ContingencyIn(**{**{name: getattr(row, name) for name in _EDITABLE}, **changes})
    updated = await update_versioned(
        session, PlanContingency, contingency_id, expected_version, _values(merged), what="contingency"
    )
    record_version(session, "contingency", updated, CONTINGENCY_FIELDS, access.actor.user_id)
    return updated


async def seen_contingency(session: AsyncSession, access: AccessControl, row: PlanContingency) -> SeenContingency:
    facts = contingency_facts(row)
    return SeenContingency(row, await access.can_item(session, Act.read, Kind.plan_contingency, row.family_id, facts))


async def contingencies_of_family(
    session: AsyncSession, access: AccessControl, family_id: uuid.UUID
) -> list[SeenContingency]:
    """Every contingency of a plan the caller may read (checked by the caller), oldest first; whether they
    may read each one's words is decided in SQL by the rules of a single decision."""
    visible = await access.item_filter(session, family_id, contingency_columns(), kind=Kind.plan_contingency)
    rows = await session.exec(
        select(PlanContingency, sa.case((visible, True), else_=False))
        .where(PlanContingency.family_id == family_id)
        .order_by(col(PlanContingency.created_at), col(PlanContingency.id))
    )
    seen = [SeenContingency(row, bool(shown)) for row, shown in rows.all()]
    for item in seen:
        if item.content_visible:
            access.note_read(family_id, item.row.id, Kind.plan_contingency, contingency_facts(item.row))
    return seen


def _values(data: ContingencyIn) -> dict:
    return {
        "trigger": required_text(data.trigger, "trigger", 1000),
        "response": required_text(data.response, "response", 2000),
        "who_acts": required_text(data.who_acts, "whoActs", 300),
        "agreed_with_family": bool(data.agreed_with_family),
        "names_third_party": bool(data.names_third_party),
        "status": ContingencyStatus(data.status).value,
        "category": InformationCategory(data.category).value,
    }
