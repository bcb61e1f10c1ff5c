"""Use cases for consent to share, the family's agreement to engage, and the consent picture."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import outbox
from notifications.events import ConsentWithdrawn
from server.access.actor import Act
from server.access.categories import InformationCategory
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.agency.models import Agency
from server.clock import utcnow
from server.consent.models import Consent, ConsentCapacity, ConsentDecision, EngagementAgreement
from server.errors import BadUserInput, Conflict, NotFound
from server.family.models import FamilyMember
from server.safeguarding.models import SafeguardingOverride
from server.sharing_agreement import service as agreement_service
from server.team.models import TeamMembership
from server.validation import chosen_categories, optional_text, required_text
from server.writes import lock_and_require

NOT_FOUND = "No consent record with that id, or you may not see it."


@dataclass(frozen=True)
class ConsentIn:
    given_by_member_id: uuid.UUID
    capacity: ConsentCapacity
    decision: ConsentDecision
    categories: list[InformationCategory]
    purpose: str
    whole_team: bool = False
    recipient_agency_ids: list[uuid.UUID] = field(default_factory=list)
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    evidence_reference: str = ""


@dataclass(frozen=True)
class AgreementGap:
    """A category the family consented to share with an agency, and the agencies on the team whose
    information in it that agency still may not read: no active data-sharing agreement between the two
    covers the category."""

    category: str
    agencies: list[Agency]


@dataclass(frozen=True)
class AgencyConsentState:
    """For one agency on the team: which categories it may see and why, and which it lacks."""

    agency: Agency
    consented: list[str]
    refused: list[str]
    shared_by_override: list[str]
    missing: list[str]
    without_agreement: list[AgreementGap] = field(default_factory=list)


async def record(session: AsyncSession, access: AccessControl, *, family_id: uuid.UUID, data: ConsentIn) -> Consent:
    await lock_and_require(session, access, Act.create, Kind.consent, family_id)
    await _check_member(session, family_id, data.given_by_member_id)
    categories = chosen_categories(data.categories)
    recipients = await _recipients(session, data.whole_team, data.recipient_agency_ids)
    valid_from = data.valid_from or utcnow()
    if data.valid_to is not None and data.valid_to <= valid_from:
        raise BadUserInput("The end date must be after the start date.", field="validTo")
    consent = Consent(
        family_id=family_id,
        given_by_member_id=data.given_by_member_id,
        capacity=data.capacity,
        decision=data.decision,
        categories=categories,
        whole_team=data.whole_team,
        recipient_agency_ids=recipients,
        purpose=required_text(data.purpose, "purpose", 1000),
        evidence_reference=optional_text(data.evidence_reference, "evidenceReference", 300),
        recorded_by_user_id=access.actor.user_id,
        valid_from=valid_from,
        valid_to=data.valid_to,
    )
    session.add(consent)
    await session.flush()
    return consent


async def withdraw(session: AsyncSession, access: AccessControl, *, consent_id: uuid.UUID, reason: str) -> Consent:
    """Withdrawal takes effect at once: the next decision on any server no longer counts this consent."""
    consent = await session.get(Consent, consent_id)
    if consent is None or not await access.can(session, Act.read, Kind.consent, consent.family_id):
        raise NotFound(NOT_FOUND)
    # A closed family too: the family's say over its information does not end with the case.
    await lock_and_require(
        session, access, Act.update, Kind.consent, consent.family_id, open_only=False, seen_as=Kind.consent
    )
    await session.refresh(consent)
    if consent.withdrawn_at is not None:
        raise Conflict("This consent has already been withdrawn.")
    consent.withdrawn_at = utcnow()
    consent.withdrawn_by_user_id = access.actor.user_id
    consent.withdrawal_reason = required_text(reason, "reason", 1000)
    await outbox.append(
        session,
        ConsentWithdrawn(
            family_id=consent.family_id,
            actor_user_id=access.actor.user_id,
            consent_id=consent.id,
            agency_ids=tuple(consent.recipient_agency_ids),
            categories=tuple(consent.categories),
        ),
    )
    return consent


async def list_for_family(session: AsyncSession, access: AccessControl, family_id: uuid.UUID) -> list[Consent]:
    if not await access.can(session, Act.read, Kind.consent, family_id):
        return []
    statement = select(Consent).where(Consent.family_id == family_id).order_by(col(Consent.created_at).desc())
    return list((await session.exec(statement)).all())


async def record_engagement(
    session: AsyncSession,
    access: AccessControl,
    *,
    family_id: uuid.UUID,
    member_id: uuid.UUID,
    agreed: bool,
    notes: str,
) -> EngagementAgreement:
    await lock_and_require(session, access, Act.create, Kind.consent, family_id)
    await _check_member(session, family_id, member_id, "memberId")
    row = EngagementAgreement(
        family_id=family_id,
        member_id=member_id,
        agreed=agreed,
        notes=optional_text(notes, "notes", 1000),
        recorded_by_user_id=access.actor.user_id,
    )
    session.add(row)
    await session.flush()
    return row


async def engagement_for_family(
    session: AsyncSession, access: AccessControl, family_id: uuid.UUID
) -> list[EngagementAgreement]:
    if not await access.can(session, Act.read, Kind.consent, family_id):
        return []
    statement = (
        select(EngagementAgreement)
        .where(EngagementAgreement.family_id == family_id)
        .order_by(col(EngagementAgreement.recorded_at).desc())
    )
    return list((await session.exec(statement)).all())


async def consent_picture(
    session: AsyncSession, access: AccessControl, family_id: uuid.UUID
) -> list[AgencyConsentState] | None:
    """Computed from consent and override records only, never from the items they cover."""
    if not await access.can(session, Act.read, Kind.consent_picture, family_id):
        return None
    now = utcnow()
    agencies = (
        await session.exec(
            select(Agency)
            .join(TeamMembership, col(TeamMembership.agency_id) == Agency.id)
            .where(TeamMembership.family_id == family_id, col(TeamMembership.valid_to).is_(None))
            .distinct()
            .order_by(Agency.name)
        )
    ).all()
    consents = [
        c for c in (await session.exec(select(Consent).where(Consent.family_id == family_id))).all() if _active(c, now)
    ]
    overrides = (
        await session.exec(
            select(SafeguardingOverride).where(
                SafeguardingOverride.family_id == family_id,
                col(SafeguardingOverride.revoked_at).is_(None),
                col(SafeguardingOverride.expires_at) > now,
            )
        )
    ).all()
    covered = await agreement_service.coverage(session, [agency.id for agency in agencies])
    return [_state_for(agency, agencies, consents, overrides, covered) for agency in agencies]


def _state_for(
    agency: Agency,
    team: Sequence[Agency],
    consents: list[Consent],
    overrides: list[SafeguardingOverride],
    covered: set[tuple[uuid.UUID, uuid.UUID, str]],
) -> AgencyConsentState:
    def covering(decision: ConsentDecision) -> set[str]:
        return {
            category
            for c in consents
            if c.decision is decision and (c.whole_team or agency.id in c.recipient_agency_ids)
            for category in c.categories
        }

    refused = covering(ConsentDecision.refused)
    consented = covering(ConsentDecision.given) - refused
    overridden = {category for o in overrides if agency.id in o.recipient_agency_ids for category in o.categories}
    every = {category.value for category in InformationCategory}
    gaps = [
        AgreementGap(category, lacking)
        for category in sorted(consented)
        if (
            lacking := [
                other for other in team if other.id != agency.id and (agency.id, other.id, category) not in covered
            ]
        )
    ]
    return AgencyConsentState(
        agency,
        sorted(consented),
        sorted(refused),
        sorted(overridden),
        sorted(every - consented - refused - overridden),
        gaps,
    )


def _active(consent: Consent, now: datetime) -> bool:
    return (
        consent.withdrawn_at is None
        and consent.valid_from <= now
        and (consent.valid_to is None or consent.valid_to > now)
    )


async def _recipients(session: AsyncSession, whole_team: bool, agency_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    if whole_team == bool(agency_ids):
        raise BadUserInput("Choose either the whole team or named agencies.", field="recipientAgencyIds")
    unique = list(dict.fromkeys(agency_ids))
    if unique:
        found = (await session.exec(select(Agency.id).where(col(Agency.id).in_(unique)))).all()
        if len(found) != len(unique):
            raise BadUserInput("One of the agencies does not exist.", field="recipientAgencyIds")
    return unique


async def _check_member(
    session: AsyncSession, family_id: uuid.UUID, member_id: uuid.UUID, field: str = "givenByMemberId"
) -> None:
    member = await session.get(FamilyMember, member_id)
    if member is None or member.family_id != family_id:
        raise BadUserInput("The person giving consent must be a member of this family.", field="givenByMemberId")
