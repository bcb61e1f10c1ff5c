"""Use cases for referrals. The lead professional records a referral against the family's record and the
date of first contact; the lead, or a manager of the lead's agency, records the threshold decision as its
named decision-maker. Services never commit; the caller's unit of work does.

The waits (referral to decision, to first contact, to assessment) are counted in days from the date the
referral was received. First contact is the date recorded on the referral (nothing else in the record
says when a worker first reached the family); assessment is the family's first assessment on or after
the date received."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Act
from server.access.categories import InformationCategory
from server.access.facts import ItemFacts
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.access.rules import ContentColumns
from server.assessment.models import Assessment
from server.clock import today, utcnow
from server.errors import BadUserInput, Conflict, NotFound
from server.family.models import Family, FamilyMember, FamilyStatus, LevelOfNeed
from server.referral.models import Referral, ReferralConsent, ReferralOutcome
from server.transition.models import FamilyTransition, TransitionKind
from server.validation import optional_text, required_text
from server.writes import lock_and_require

KIND = Kind.referral
REASON = Kind.referral_reason  # the reason, presenting needs and decision rationale: case content
NOT_FOUND = "No referral with that id, or you may not see it."


@dataclass(frozen=True)
class Referrer:
    name: str
    organisation: str
    role: str = ""
    contact: str = ""


@dataclass(frozen=True)
class ReferralIn:
    received_on: date
    referrer: Referrer
    consent: ReferralConsent
    consent_given_by: str
    reason: str
    presenting_needs: str
    category: InformationCategory


@dataclass(frozen=True)
class DecisionIn:
    level_of_need: LevelOfNeed
    decided_on: date
    reason: str
    outcome: ReferralOutcome
    redirected_to: str = ""


@dataclass(frozen=True)
class Seen:
    """A referral as the caller may see it: the reason, the presenting needs and the decision's rationale
    only where the policy shares the referral's content; `assessed_on`: the family's first assessment
    on or after the date received, if any; `earlier`: the closed case it follows, only where the caller
    may see that family (else None, as for a first referral: nothing says a hidden case exists)."""

    row: Referral
    reason_visible: bool
    assessed_on: date | None = None
    earlier: Family | None = None


def reason_facts(row: Referral) -> ItemFacts:
    return ItemFacts(owning_agency_id=row.owning_agency_id, category=InformationCategory(row.category).value)


def reason_columns() -> ContentColumns:
    table = Referral.__table__.c
    return ContentColumns(table.owning_agency_id, table.category)


async def record(session: AsyncSession, access: AccessControl, *, family_id: uuid.UUID, data: ReferralIn) -> Referral:
    family = await lock_and_require(session, access, Act.create, KIND, family_id, open_only=False)
    if data.received_on > today():
        raise BadUserInput("The date the referral was received cannot be in the future.", field="receivedOn")
    row = Referral(
        family_id=family.id,
        received_on=data.received_on,
        referrer_name=required_text(data.referrer.name, "referrerName", 200),
        referrer_organisation=required_text(data.referrer.organisation, "referrerOrganisation", 200),
        referrer_role=optional_text(data.referrer.role, "referrerRole", 200),
        referrer_contact=optional_text(data.referrer.contact, "referrerContact", 300),
        consent=data.consent,
        consent_given_by=_consent_given_by(data.consent, data.consent_given_by),
        reason=required_text(data.reason, "reason", 5000),
        presenting_needs=required_text(data.presenting_needs, "presentingNeeds", 5000),
        owning_agency_id=access.actor.agency_id,
        category=data.category,
        recorded_by_user_id=access.actor.user_id,
    )
    row.earlier_family_id, row.earlier_closure_id = await _earlier_case(session, access, family, data.received_on)
    session.add(row)
    await session.flush()
    return row


async def _earlier_case(
    session: AsyncSession, access: AccessControl, family: Family, received_on: date
) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """The closed case a referral follows: this family's own last closure before it was received, or else
    the last closure of a closed family the caller may see that shares a member with this one (the same
    name and date of birth). Only families the caller may see are matched, so the link never tells them
    of a case they could not otherwise find."""
    own = await _last_closure(session, [family.id], received_on)
    if own is not None:
        return family.id, own.id
    mine, theirs = FamilyMember.__table__.alias("mine"), FamilyMember.__table__.alias("theirs")
    matching = (
        sa.select(theirs.c.family_id)
        .join(mine, sa.func.lower(mine.c.full_name) == sa.func.lower(theirs.c.full_name))
        .join(Family.__table__, Family.__table__.c.id == theirs.c.family_id)
        .where(
            mine.c.family_id == family.id,
            theirs.c.family_id != family.id,
            mine.c.date_of_birth.is_not(None),
            mine.c.date_of_birth == theirs.c.date_of_birth,
            Family.__table__.c.status == FamilyStatus.closed.value,
            access.family_filter(theirs.c.family_id),
        )
    )
    candidates = list((await session.exec(matching)).scalars().all())
    other = await _last_closure(session, candidates, received_on) if candidates else None
    return (other.family_id, other.id) if other is not None else (None, None)


async def _last_closure(session: AsyncSession, family_ids: list[uuid.UUID], before: date) -> FamilyTransition | None:
    statement = (
        select(FamilyTransition)
        .where(
            col(FamilyTransition.family_id).in_(family_ids),
            FamilyTransition.kind == TransitionKind.closure,
            col(FamilyTransition.effective_on) <= before,
        )
        .order_by(col(FamilyTransition.effective_on).desc(), col(FamilyTransition.created_at).desc())
    )
    return (await session.exec(statement.limit(1))).first()


def _consent_given_by(consent: ReferralConsent, given_by: str) -> str:
    if consent is ReferralConsent.not_sought:
        if given_by.strip():
            raise BadUserInput("Consent was not sought: leave consentGivenBy empty.", field="consentGivenBy")
        return ""
    return required_text(given_by, "consentGivenBy", 200)


async def decide(
    session: AsyncSession, access: AccessControl, *, referral_id: uuid.UUID, expected_version: int, data: DecisionIn
) -> Referral:
    """The threshold decision, once; the caller is its named decision-maker."""
    row = await _for_update(session, access, referral_id, Act.update)
    if row.outcome is not None:
        raise Conflict("This referral has already been decided.")
    if data.decided_on < row.received_on:
        raise BadUserInput("The decision cannot be dated before the referral was received.", field="decidedOn")
    if data.decided_on > today():
        raise BadUserInput("The decision date cannot be in the future.", field="decidedOn")
    redirected_to = optional_text(data.redirected_to, "redirectedTo", 300)
    if data.outcome is ReferralOutcome.redirected and not redirected_to:
        raise BadUserInput("Say where the family was redirected to.", field="redirectedTo")
    if data.outcome is not ReferralOutcome.redirected and redirected_to:
        raise BadUserInput("Only a redirected referral says where it was redirected to.", field="redirectedTo")
    changes = {
        "decided_level": data.level_of_need.value,
        "decided_on": data.decided_on,
        "decided_by_user_id": access.actor.user_id,
        "decision_reason": required_text(data.reason, "reason", 5000),
        "outcome": data.outcome.value,
        "redirected_to": redirected_to,
    }
    return await _bump(session, row, expected_version, changes)


async def record_first_contact(
    session: AsyncSession, access: AccessControl, *, referral_id: uuid.UUID, expected_version: int, on: date
) -> Referral:
    row = await _for_update(session, access, referral_id, Act.create)
    if on < row.received_on:
        raise BadUserInput("First contact cannot be before the referral was received.", field="firstContactOn")
    if on > today():
        raise BadUserInput("The date of first contact cannot be in the future.", field="firstContactOn")
    return await _bump(session, row, expected_version, {"first_contact_on": on})


async def get(session: AsyncSession, access: AccessControl, referral_id: uuid.UUID) -> Seen:
    row = await session.get(Referral, referral_id)
    readable = await access.can_read_found(session, KIND, row.family_id if row else None)
    if row is None or not readable:
        access.note_denial("referral_read", row.family_id if row else None, {"referralId": str(referral_id)})
        raise NotFound(NOT_FOUND)
    visible = await access.can_item(session, Act.read, REASON, row.family_id, reason_facts(row))
    if visible:
        access.note_read(row.family_id, row.id, REASON, reason_facts(row))
    first = await _first_assessments(session, row.family_id)
    return Seen(row, visible, _assessed_on(row, first), await _earlier_seen(session, access, row))


async def list_for_family(session: AsyncSession, access: AccessControl, family_id: uuid.UUID) -> list[Seen]:
    """Newest first. Whether each referral's content may be shown is decided in SQL by the same rules as `get`."""
    await access.require(session, Act.read, KIND, family_id)
    reason_visible = await access.item_filter(session, family_id, reason_columns(), kind=REASON)
    statement = (
        select(Referral, sa.case((reason_visible, True), else_=False).label("reason_visible"))
        .where(Referral.family_id == family_id)
        .order_by(col(Referral.received_on).desc(), col(Referral.created_at).desc())
    )
    rows = (await session.exec(statement)).all()
    first = await _first_assessments(session, family_id)
    seen = [
        Seen(row, bool(visible), _assessed_on(row, first), await _earlier_seen(session, access, row))
        for row, visible in rows
    ]
    for item in seen:
        if item.reason_visible:
            access.note_read(family_id, item.row.id, REASON, reason_facts(item.row))
    return seen


async def _earlier_seen(session: AsyncSession, access: AccessControl, row: Referral) -> Family | None:
    if row.earlier_family_id is None or not await access.can(session, Act.read, Kind.family, row.earlier_family_id):
        return None
    return await session.get(Family, row.earlier_family_id)


async def _first_assessments(session: AsyncSession, family_id: uuid.UUID) -> list[date]:
    statement = select(Assessment.assessed_on).where(Assessment.family_id == family_id).order_by(Assessment.assessed_on)
    return list((await session.exec(statement)).all())


def _assessed_on(row: Referral, assessed: list[date]) -> date | None:
    return next((on for on in assessed if on >= row.received_on), None)


async def _for_update(session: AsyncSession, access: AccessControl, referral_id: uuid.UUID, act: Act) -> Referral:
    """Lock the family, decide as it is now, then read the referral as it is now. Open or closed: a referral
    on a closed family's record is the start of its re-referral, and must be answerable."""
    row = await session.get(Referral, referral_id)
    readable = await access.can_read_found(session, KIND, row.family_id if row else None)
    if row is None or not readable:
        access.note_denial("referral_read", row.family_id if row else None, {"referralId": str(referral_id)})
        raise NotFound(NOT_FOUND)
    await lock_and_require(session, access, act, KIND, row.family_id, open_only=False, seen_as=KIND)
    fresh = await session.get(Referral, referral_id, populate_existing=True)
    assert fresh is not None
    return fresh


async def _bump(session: AsyncSession, row: Referral, expected_version: int, changes: dict[str, object]) -> Referral:
    """Apply changes only if nobody else changed the referral since the caller read it."""
    table = Referral.__table__
    statement = (
        sa.update(table)
        .where(table.c.id == row.id, table.c.version == expected_version)
        .values(**changes, version=table.c.version + 1, updated_at=utcnow())
        .returning(table.c.id)
    )
    if (await session.exec(statement)).first() is None:
        raise Conflict("Someone else changed this referral since you opened it. Reload and try again.")
    updated = await session.get(Referral, row.id, populate_existing=True)
    assert updated is not None
    return updated
