"""Sharing without consent, accountably: safeguarding overrides and decisions not to share."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import outbox
from notifications.events import OverrideUsed
from server import pagination
from server.access.actor import Act
from server.access.categories import InformationCategory
from server.access.facts import ItemFacts
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.access.rules import ContentColumns
from server.clock import utcnow
from server.errors import BadUserInput, Conflict, Forbidden, NotFound
from server.safeguarding.models import LawfulBasis, SafeguardingOverride, SharingDecision
from server.team.models import TeamMembership
from server.validation import chosen_categories, optional_text, required_text
from server.writes import lock_and_require

MAX_OVERRIDE = timedelta(days=90)
MIN_JUSTIFICATION = 20
NOT_FOUND = "No safeguarding override with that id, or you may not see it."


@dataclass(frozen=True)
class OverrideIn:
    categories: list[InformationCategory]
    recipient_agency_ids: list[uuid.UUID]
    justification: str
    lawful_basis: LawfulBasis
    expires_at: datetime
    family_informed: bool
    advice_sought: str = ""
    not_informed_reason: str = ""


@dataclass(frozen=True)
class SharingDecisionIn:
    categories: list[InformationCategory]
    recipient_agency_ids: list[uuid.UUID]
    reason: str


def party_facts(row: SafeguardingOverride | SharingDecision) -> ItemFacts:
    return ItemFacts(owning_agency_id=row.owning_agency_id, category="", recipients=frozenset(row.recipient_agency_ids))


async def record_override(
    session: AsyncSession, access: AccessControl, *, family_id: uuid.UUID, data: OverrideIn
) -> SafeguardingOverride:
    """Share the actor's agency's items in these categories with the recipient agencies, until expiry.
    The IG officers' review queue and the lead professional's family page show it at once."""
    await lock_and_require(session, access, Act.create, Kind.safeguarding_override, family_id)
    now = utcnow()
    if not now < data.expires_at <= now + MAX_OVERRIDE:
        raise BadUserInput(
            f"An override must expire in the future and within {MAX_OVERRIDE.days} days.", field="expiresAt"
        )
    justification = required_text(data.justification, "justification", 5000)
    if len(justification) < MIN_JUSTIFICATION:
        raise BadUserInput(
            "Write the justification in full: why the risk of harm means sharing without consent.",
            field="justification",
        )
    reason = optional_text(data.not_informed_reason, "notInformedReason", 1000)
    if not data.family_informed and not reason:
        raise BadUserInput("Say why the family has not been told.", field="notInformedReason")
    row = SafeguardingOverride(
        family_id=family_id,
        owning_agency_id=access.actor.agency_id,
        decided_by_user_id=access.actor.user_id,
        categories=chosen_categories(data.categories),
        recipient_agency_ids=await _team_recipients(session, access, family_id, data.recipient_agency_ids),
        justification=justification,
        lawful_basis=data.lawful_basis,
        advice_sought=optional_text(data.advice_sought, "adviceSought", 1000),
        family_informed=data.family_informed,
        not_informed_reason=reason or None,
        starts_at=now,
        expires_at=data.expires_at,
    )
    session.add(row)
    await session.flush()
    await outbox.append(
        session,
        OverrideUsed(
            family_id=family_id,
            actor_user_id=access.actor.user_id,
            override_id=row.id,
            agency_id=row.owning_agency_id,
            categories=tuple(row.categories),
        ),
    )
    return row


async def revoke(
    session: AsyncSession, access: AccessControl, *, override_id: uuid.UUID, reason: str
) -> SafeguardingOverride:
    row = await _for_governance(session, access, override_id)
    if row.revoked_at is not None:
        raise Conflict("This override has already been revoked.")
    row.revoked_at, row.revoked_by_user_id = utcnow(), access.actor.user_id
    row.revocation_reason = required_text(reason, "reason", 1000)
    return row


async def review(
    session: AsyncSession, access: AccessControl, *, override_id: uuid.UUID, note: str
) -> SafeguardingOverride:
    row = await _for_governance(session, access, override_id)
    row.reviewed_at, row.reviewed_by_user_id = utcnow(), access.actor.user_id
    row.review_note = required_text(note, "note", 2000)
    return row


def override_columns() -> ContentColumns:
    """What the rules read of an override (its parties), for `AccessControl.item_filter`."""
    table = SafeguardingOverride.__table__.c
    return ContentColumns(table.owning_agency_id, sa.literal(""), recipients=table.recipient_agency_ids)


def decision_columns() -> ContentColumns:
    """What the rules read of a decision not to share (its parties), for `AccessControl.item_filter`."""
    table = SharingDecision.__table__.c
    return ContentColumns(table.owning_agency_id, sa.literal(""), recipients=table.recipient_agency_ids)


async def for_family(session: AsyncSession, access: AccessControl, family_id: uuid.UUID) -> list[SafeguardingOverride]:
    table = SafeguardingOverride.__table__.c
    visible = await access.item_filter(session, family_id, override_columns(), kind=Kind.safeguarding_override)
    statement = select(SafeguardingOverride).where(table.family_id == family_id, visible)
    return list((await session.exec(statement.order_by(col(SafeguardingOverride.created_at).desc()))).all())


async def review_queue(
    session: AsyncSession, access: AccessControl, *, unreviewed_only: bool, first: int
) -> list[SafeguardingOverride]:
    """The first page of `review_page`, as a list (the older `safeguardingOverrides` field)."""
    return (await review_page(session, access, unreviewed_only=unreviewed_only, first=first)).items


def _activity() -> sa.ColumnElement[datetime]:
    return sa.func.greatest(col(SafeguardingOverride.created_at), col(SafeguardingOverride.reviewed_at))


async def review_page(
    session: AsyncSession, access: AccessControl, *, unreviewed_only: bool, first: int, after: str | None = None
) -> pagination.Page[SafeguardingOverride]:
    """Every override, for information-governance officers, most recent activity first (recorded or reviewed):
    an override just reviewed stays at hand for its revocation. `unreviewed_only` is the queue still to
    review, newest first. Pages by (activity, id); the total is how many match, on any page."""
    pagination.check_first(first)
    access.require_outside_family(Act.read, Kind.safeguarding_override)
    activity = _activity()
    statement = select(SafeguardingOverride, activity.label("activity"))
    matching = [col(SafeguardingOverride.reviewed_at).is_(None)] if unreviewed_only else []
    statement = statement.where(*matching)
    if after is not None:
        last_activity, last_id = pagination.decode(after, datetime, uuid.UUID)
        later = sa.and_(activity == sa.literal(last_activity), col(SafeguardingOverride.id) > last_id)
        statement = statement.where(sa.or_(activity < sa.literal(last_activity), later))
    ordered = statement.order_by(activity.desc(), col(SafeguardingOverride.id)).limit(first + 1)
    rows = (await session.exec(ordered)).all()
    total = (await session.exec(select(sa.func.count()).select_from(SafeguardingOverride).where(*matching))).one()
    return pagination.Page.of([row for row, _ in rows], first, total=total)


def review_cursor(row: SafeguardingOverride) -> str:
    return pagination.encode(max(row.created_at, row.reviewed_at or row.created_at), row.id)


async def record_decision_not_to_share(
    session: AsyncSession, access: AccessControl, *, family_id: uuid.UUID, data: SharingDecisionIn
) -> SharingDecision:
    await lock_and_require(session, access, Act.create, Kind.sharing_decision, family_id)
    row = SharingDecision(
        family_id=family_id,
        owning_agency_id=access.actor.agency_id,
        decided_by_user_id=access.actor.user_id,
        categories=chosen_categories(data.categories),
        recipient_agency_ids=await _team_recipients(session, access, family_id, data.recipient_agency_ids),
        reason=required_text(data.reason, "reason", 5000),
    )
    session.add(row)
    await session.flush()
    return row


async def decisions_for_family(
    session: AsyncSession, access: AccessControl, family_id: uuid.UUID
) -> list[SharingDecision]:
    table = SharingDecision.__table__.c
    visible = await access.item_filter(session, family_id, decision_columns(), kind=Kind.sharing_decision)
    statement = select(SharingDecision).where(table.family_id == family_id, visible)
    return list((await session.exec(statement.order_by(col(SharingDecision.created_at).desc()))).all())


async def _for_governance(session: AsyncSession, access: AccessControl, override_id: uuid.UUID) -> SafeguardingOverride:
    row = await session.get(SafeguardingOverride, override_id, with_for_update=True)
    kind = Kind.safeguarding_override
    if row is None or not await access.can_item(session, Act.read, kind, row.family_id, party_facts(row)):
        raise NotFound(NOT_FOUND)
    if not await access.can_item(session, Act.update, kind, row.family_id, party_facts(row)):
        raise Forbidden("Only information-governance officers can review or revoke a safeguarding override.")
    return row


async def _team_recipients(
    session: AsyncSession, access: AccessControl, family_id: uuid.UUID, agency_ids: list[uuid.UUID]
) -> list[uuid.UUID]:
    recipients = [agency_id for agency_id in dict.fromkeys(agency_ids) if agency_id != access.actor.agency_id]
    if not recipients:
        raise BadUserInput("Choose at least one other agency on the family's team.", field="recipientAgencyIds")
    on_team = set(
        (
            await session.exec(
                select(TeamMembership.agency_id).where(
                    TeamMembership.family_id == family_id,
                    col(TeamMembership.valid_to).is_(None),
                    col(TeamMembership.agency_id).in_(recipients),
                )
            )
        ).all()
    )
    if on_team != set(recipients):
        raise BadUserInput(
            "Information can only be shared with agencies on the family's team.", field="recipientAgencyIds"
        )
    return recipients
