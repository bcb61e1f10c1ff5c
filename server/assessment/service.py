"""Use cases for early help assessments: snapshots on entry, at reviews and on exit, recorded by the
lead professional and read by the team. A snapshot is never changed; a new one is added."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Act
from server.access.pep import AccessControl
from server.assessment.factors import Catalogue
from server.assessment.models import RISK_PRESENT, Assessment, AssessmentRating, AssessmentStage, RiskRating
from server.errors import BadUserInput
from server.family.models import FamilyMember, LevelOfNeed
from server.plan.versioning import today
from server.team.service import lock_and_require
from server.validation import optional_text

KIND = "assessment"
MAX_RATINGS = 1000


@dataclass(frozen=True)
class RatingIn:
    factor: str
    rating: RiskRating
    member_id: uuid.UUID | None = None  # None: the family as a unit


@dataclass(frozen=True)
class AssessmentIn:
    stage: AssessmentStage
    assessed_on: date
    level_of_need: LevelOfNeed
    strengths: str = ""
    needs: str = ""
    child_views: str = ""
    family_views: str = ""
    protective_factors: str = ""
    resilience_indicators: list[str] = field(default_factory=list)
    ratings: list[RatingIn] = field(default_factory=list)


async def record(
    session: AsyncSession, access: AccessControl, *, family_id: uuid.UUID, data: AssessmentIn, catalogue: Catalogue
) -> Assessment:
    await lock_and_require(session, access, Act.create, KIND, family_id)
    if data.assessed_on > today():
        raise BadUserInput("An assessment cannot be dated in the future.", field="assessedOn")
    await _check_ratings(session, family_id, data, catalogue)
    unknown = [code for code in data.resilience_indicators if not catalogue.is_resilience(code)]
    if unknown:
        raise BadUserInput(f"Unknown resilience indicator: {unknown[0]}.", field="resilienceIndicators")
    row = Assessment(
        family_id=family_id,
        stage=data.stage,
        assessed_on=data.assessed_on,
        level_of_need=data.level_of_need,
        strengths=optional_text(data.strengths, "strengths", 10_000),
        needs=optional_text(data.needs, "needs", 10_000),
        child_views=optional_text(data.child_views, "childViews", 10_000),
        family_views=optional_text(data.family_views, "familyViews", 10_000),
        protective_factors=optional_text(data.protective_factors, "protectiveFactors", 10_000),
        resilience_indicators=sorted(set(data.resilience_indicators)),
        author_user_id=access.actor.user_id,
        owning_agency_id=access.actor.agency_id,
    )
    session.add(row)
    await session.flush()
    for rating in data.ratings:
        session.add(
            AssessmentRating(
                assessment_id=row.id,
                factor=rating.factor,
                member_id=rating.member_id,
                rating=rating.rating,
                owning_agency_id=row.owning_agency_id,
                category=catalogue.category(rating.factor),
            )
        )
    await session.flush()
    return row


async def list_for_family(session: AsyncSession, access: AccessControl, family_id: uuid.UUID) -> list[Assessment]:
    await access.require(session, Act.read, KIND, family_id)
    statement = select(Assessment).where(Assessment.family_id == family_id)
    return list((await session.exec(statement.order_by(col(Assessment.assessed_on), col(Assessment.created_at)))).all())


async def ratings_of(session: AsyncSession, assessment_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[AssessmentRating]]:
    statement = select(AssessmentRating).where(col(AssessmentRating.assessment_id).in_(assessment_ids))
    grouped: dict[uuid.UUID, list[AssessmentRating]] = defaultdict(list)
    for row in (await session.exec(statement)).all():
        grouped[row.assessment_id].append(row)
    return grouped


async def _check_ratings(session: AsyncSession, family_id: uuid.UUID, data: AssessmentIn, catalogue: Catalogue) -> None:
    if len(data.ratings) > MAX_RATINGS:
        raise BadUserInput(f"At most {MAX_RATINGS} ratings.", field="ratings")
    members = set((await session.exec(select(FamilyMember.id).where(FamilyMember.family_id == family_id))).all())
    seen = set()
    for rating in data.ratings:
        factor = catalogue.risk(rating.factor)
        if factor is None:
            raise BadUserInput(f"Unknown risk factor: {rating.factor}.", field="ratings")
        if factor.per_member != (rating.member_id is not None) or (
            rating.member_id and rating.member_id not in members
        ):
            whom = "a member of this family" if factor.per_member else "the family as a whole (no member)"
            raise BadUserInput(f"{factor.label} is rated for {whom}.", field="ratings")
        if (rating.factor, rating.member_id) in seen:
            raise BadUserInput(f"{factor.label} is rated twice.", field="ratings")
        seen.add((rating.factor, rating.member_id))
    if any(r.rating is RiskRating.no_longer_a_risk for r in data.ratings):
        await _check_no_longer(session, family_id, data)


async def _check_no_longer(session: AsyncSession, family_id: uuid.UUID, data: AssessmentIn) -> None:
    """ "No longer a risk" is an exit rating, for a risk the entry assessment found."""
    if data.stage is not AssessmentStage.exit:
        raise BadUserInput("'No longer a risk' is a rating for the exit assessment only.", field="ratings")
    entry = await first_entry(session, family_id)
    found = set()
    if entry is not None:
        for row in (await ratings_of(session, [entry.id])).get(entry.id, []):
            if row.rating in RISK_PRESENT:
                found.add((row.factor, row.member_id))
    for rating in data.ratings:
        if rating.rating is RiskRating.no_longer_a_risk and (rating.factor, rating.member_id) not in found:
            raise BadUserInput(
                f"'No longer a risk' needs {rating.factor} to have been a risk on entry.", field="ratings"
            )


async def first_entry(session: AsyncSession, family_id: uuid.UUID) -> Assessment | None:
    statement = (
        select(Assessment)
        .where(Assessment.family_id == family_id, Assessment.stage == AssessmentStage.entry.value)
        .order_by(col(Assessment.assessed_on), col(Assessment.created_at))
    )
    return (await session.exec(statement)).first()
