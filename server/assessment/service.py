"""Use cases for early help assessments: snapshots on entry, at reviews and on exit, recorded by the
lead professional. A snapshot is never changed; a new one is added, and a wrong one is corrected by its
author with a new version (the old one kept as its history). The family's level of need follows its latest
exit assessment.

Whoever may see the family's assessments sees that each happened (stage, date, level of need); its
narrative and each of its ratings are case content (server/assessment/content.py), decided through the
enforcement point: a withheld narrative reads as null, a withheld rating is not there at all."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Act
from server.access.categories import InformationCategory
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.assessment import exit_level, reminders
from server.assessment.content import rating_columns, rating_facts, written_columns, written_facts
from server.assessment.factors import Catalogue
from server.assessment.models import (
    RISK_PRESENT,
    Assessment,
    AssessmentRating,
    AssessmentStage,
    RiskRating,
    current_assessment,
)
from server.clock import today
from server.errors import BadUserInput, Conflict, Forbidden, NotFound
from server.family.models import FamilyMember, LevelOfNeed
from server.validation import optional_text, required_text
from server.writes import lock_and_require


class Author(Protocol):
    """Whose assessment it is: the signed-in actor, or the lead professional an import names."""

    user_id: uuid.UUID
    agency_id: uuid.UUID | None


KIND = Kind.assessment
NOT_FOUND = "No assessment with that id, or you may not see it."
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
    category: InformationCategory = InformationCategory.other  # of the narrative; ratings take their factor's
    contains_third_party_identities: bool = False


@dataclass(frozen=True)
class SeenAssessment:
    """An assessment as one caller may see it: its narrative only if `content_visible`, and only the
    ratings they may read."""

    row: Assessment
    content_visible: bool
    ratings: list[AssessmentRating]


async def record(
    session: AsyncSession, access: AccessControl, *, family_id: uuid.UUID, data: AssessmentIn, catalogue: Catalogue
) -> Assessment:
    await lock_and_require(session, access, Act.create, KIND, family_id)
    row = await _validated(session, access, family_id, data, catalogue)
    await _add(session, row, data, catalogue)
    await reminders.follow(session, family_id)
    return row


async def correct(
    session: AsyncSession,
    access: AccessControl,
    *,
    assessment_id: uuid.UUID,
    reason: str,
    data: AssessmentIn,
    catalogue: Catalogue,
) -> Assessment:
    """A new version of a wrong assessment, by its author, with the reason; the old one is kept as its
    history. Only the latest version can be corrected: correcting one already corrected is CONFLICT."""
    old = await session.get(Assessment, assessment_id)
    if old is None or not await access.can(session, Act.read, KIND, old.family_id):
        raise NotFound(NOT_FOUND)
    await lock_and_require(session, access, Act.create, KIND, old.family_id)
    if old.author_user_id != access.actor.user_id:
        raise Forbidden("Only the author of an assessment can correct it.")
    if not await is_current(session, old.id):
        raise Conflict("This assessment was corrected since you read it. Correct its latest version.")
    row = await _validated(session, access, old.family_id, data, catalogue)
    row.version, row.supersedes_id = old.version + 1, old.id
    row.correction_reason = required_text(reason, "reason", 5000)
    await _add(session, row, data, catalogue)
    await reminders.follow(session, old.family_id)
    return row


async def is_current(session: AsyncSession, assessment_id: uuid.UUID) -> bool:
    statement = select(Assessment.id).where(Assessment.id == assessment_id, current_assessment())
    return (await session.exec(statement)).first() is not None


async def history(session: AsyncSession, access: AccessControl, row: Assessment) -> list[SeenAssessment]:
    """The versions `row` corrected, oldest first, each as the caller may see it (they see `row`)."""
    chain = (
        select(Assessment.id, Assessment.supersedes_id)
        .where(Assessment.id == row.supersedes_id)
        .cte("chain", recursive=True)
    )
    earlier = aliased(Assessment)
    chain = chain.union_all(select(earlier.id, earlier.supersedes_id).where(earlier.id == chain.c.supersedes_id))
    statement = select(Assessment).where(col(Assessment.id).in_(select(chain.c.id))).order_by(col(Assessment.version))
    return [await seen(session, access, one) for one in (await session.exec(statement)).all()]


async def _validated(
    session: AsyncSession, access: AccessControl, family_id: uuid.UUID, data: AssessmentIn, catalogue: Catalogue
) -> Assessment:
    """The assessment `data` describes, checked by the rules every assessment follows (not yet added)."""
    members = set((await session.exec(select(FamilyMember.id).where(FamilyMember.family_id == family_id))).all())
    entry_risks = await _entry_risks(session, access, family_id, data)
    return assessment_row(family_id, data, catalogue, members=members, entry_risks=entry_risks, author=access.actor)


def assessment_row(
    family_id: uuid.UUID,
    data: AssessmentIn,
    catalogue: Catalogue,
    *,
    members: set[uuid.UUID],
    entry_risks: set[tuple[str, uuid.UUID | None]],
    author: Author,
) -> Assessment:
    values = assessment_values(family_id, data, catalogue, members=members, entry_risks=entry_risks, author=author)
    return Assessment(**values)


def assessment_values(
    family_id: uuid.UUID,
    data: AssessmentIn,
    catalogue: Catalogue,
    *,
    members: set[uuid.UUID],
    entry_risks: set[tuple[str, uuid.UUID | None]],
    author: Author,
) -> dict[str, Any]:
    """The columns of an assessment of a family with these `members`, whose entry assessment found these
    risks, checked by every rule an assessment follows; BAD_USER_INPUT naming the field otherwise.
    Plain values, free of the database, so that the import (server/caseimport/) writes them in bulk by
    the same rules."""
    if data.assessed_on > today():
        raise BadUserInput("An assessment cannot be dated in the future.", field="assessedOn")
    check_ratings(data, catalogue, members, entry_risks)
    unknown = [code for code in data.resilience_indicators if not catalogue.is_resilience(code)]
    if unknown:
        raise BadUserInput(f"Unknown resilience indicator: {unknown[0]}.", field="resilienceIndicators")
    return {
        "family_id": family_id,
        "stage": data.stage,
        "assessed_on": data.assessed_on,
        "level_of_need": data.level_of_need,
        "strengths": optional_text(data.strengths, "strengths", 10_000),
        "needs": optional_text(data.needs, "needs", 10_000),
        "child_views": optional_text(data.child_views, "childViews", 10_000),
        "family_views": optional_text(data.family_views, "familyViews", 10_000),
        "protective_factors": optional_text(data.protective_factors, "protectiveFactors", 10_000),
        "resilience_indicators": sorted(set(data.resilience_indicators)),
        "author_user_id": author.user_id,
        "owning_agency_id": author.agency_id,
        "category": data.category,
        "contains_third_party_identities": data.contains_third_party_identities,
    }


def rating_rows(row: Assessment, data: AssessmentIn, catalogue: Catalogue) -> list[AssessmentRating]:
    return [AssessmentRating(**values) for values in rating_values(row.id, row.owning_agency_id, data, catalogue)]


def rating_values(
    assessment_id: uuid.UUID, agency_id: uuid.UUID | None, data: AssessmentIn, catalogue: Catalogue
) -> list[dict[str, Any]]:
    """The columns of each rating of an assessment (check_ratings has checked them)."""
    return [
        {
            "assessment_id": assessment_id,
            "factor": rating.factor,
            "member_id": rating.member_id,
            "rating": rating.rating,
            "owning_agency_id": agency_id,
            "category": catalogue.category(rating.factor),
        }
        for rating in data.ratings
    ]


async def _add(session: AsyncSession, row: Assessment, data: AssessmentIn, catalogue: Catalogue) -> None:
    session.add(row)
    await session.flush()
    session.add_all(rating_rows(row, data, catalogue))
    await session.flush()
    if row.stage is AssessmentStage.exit:
        await exit_level.follow_latest_exit(session, row.family_id)


async def list_for_family(session: AsyncSession, access: AccessControl, family_id: uuid.UUID) -> list[SeenAssessment]:
    """Oldest first. Whether each narrative may be read, and which ratings, is decided in SQL by the same
    rules as a single decision, so the statements do not grow with the number of assessments."""
    await access.require(session, Act.read, KIND, family_id)
    visible = await access.item_filter(session, family_id, written_columns(Assessment), kind=Kind.assessment_narrative)
    statement = (
        select(Assessment, sa.case((visible, True), else_=False).label("content_visible"))
        .where(Assessment.family_id == family_id, current_assessment())
        .order_by(col(Assessment.assessed_on), col(Assessment.created_at))
    )
    rows = list((await session.exec(statement)).all())
    ratings = await readable_ratings(session, access, family_id, [row.id for row, _ in rows])
    return [_seen(access, row, bool(shown), ratings.get(row.id, [])) for row, shown in rows]


async def get(session: AsyncSession, access: AccessControl, assessment_id: uuid.UUID) -> SeenAssessment:
    """NOT_FOUND, with one message, for an id that does not exist and for one the caller may not see."""
    row = await session.get(Assessment, assessment_id)
    readable = await access.can_read_found(session, KIND, row.family_id if row else None)
    if row is None or not readable:
        access.note_denial("assessment_read", row.family_id if row else None, {"assessmentId": str(assessment_id)})
        raise NotFound(NOT_FOUND)
    return await seen(session, access, row)


async def seen(session: AsyncSession, access: AccessControl, row: Assessment) -> SeenAssessment:
    """`row` as the caller may see it; they may already see that the family's assessments exist."""
    shown = await access.can_item(session, Act.read, Kind.assessment_narrative, row.family_id, written_facts(row))
    ratings = await readable_ratings(session, access, row.family_id, [row.id])
    return _seen(access, row, shown, ratings.get(row.id, []))


async def readable_ratings(
    session: AsyncSession, access: AccessControl, family_id: uuid.UUID, assessment_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[AssessmentRating]]:
    """The ratings of these assessments (all of one family) that the caller may read, filtered in SQL."""
    if not assessment_ids:
        return {}
    readable = await access.item_filter(session, family_id, rating_columns(), kind=Kind.assessment_rating)
    statement = select(AssessmentRating).where(col(AssessmentRating.assessment_id).in_(assessment_ids), readable)
    return _grouped((await session.exec(statement.order_by(col(AssessmentRating.factor)))).all())


def _grouped(rows) -> dict[uuid.UUID, list[AssessmentRating]]:
    grouped: dict[uuid.UUID, list[AssessmentRating]] = defaultdict(list)
    for row in rows:
        grouped[row.assessment_id].append(row)
    return grouped


def _seen(access: AccessControl, row: Assessment, shown: bool, ratings: list[AssessmentRating]) -> SeenAssessment:
    if shown:
        access.note_read(row.family_id, row.id, Kind.assessment_narrative, written_facts(row))
    for rating in ratings:
        access.note_read(row.family_id, rating.id, Kind.assessment_rating, rating_facts(rating))
    return SeenAssessment(row, shown, ratings)


def check_ratings(
    data: AssessmentIn,
    catalogue: Catalogue,
    members: set[uuid.UUID],
    entry_risks: set[tuple[str, uuid.UUID | None]],
) -> None:
    if len(data.ratings) > MAX_RATINGS:
        raise BadUserInput(f"At most {MAX_RATINGS} ratings.", field="ratings")
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
        if rating.rating is RiskRating.no_longer_a_risk:
            _check_no_longer(data, rating, entry_risks)


def _check_no_longer(data: AssessmentIn, rating: RatingIn, entry_risks: set[tuple[str, uuid.UUID | None]]) -> None:
    """ "No longer a risk" is an exit rating, for a risk the entry assessment found."""
    if data.stage is not AssessmentStage.exit:
        raise BadUserInput("'No longer a risk' is a rating for the exit assessment only.", field="ratings")
    if (rating.factor, rating.member_id) not in entry_risks:
        raise BadUserInput(f"'No longer a risk' needs {rating.factor} to have been a risk on entry.", field="ratings")


async def _entry_risks(
    session: AsyncSession, access: AccessControl, family_id: uuid.UUID, data: AssessmentIn
) -> set[tuple[str, uuid.UUID | None]]:
    """The risks the family's entry assessment found, when `data` needs them. Only the entry ratings the
    lead may read count: the answer must not reveal a rating withheld from them."""
    if not any(r.rating is RiskRating.no_longer_a_risk for r in data.ratings):
        return set()
    entry = await first_entry(session, family_id)
    if entry is None:
        return set()
    readable = (await readable_ratings(session, access, family_id, [entry.id])).get(entry.id, [])
    return {(row.factor, row.member_id) for row in readable if row.rating in RISK_PRESENT}


async def first_entry(session: AsyncSession, family_id: uuid.UUID) -> Assessment | None:
    statement = (
        select(Assessment)
        .where(Assessment.family_id == family_id, Assessment.stage == AssessmentStage.entry.value, current_assessment())
        .order_by(col(Assessment.assessed_on), col(Assessment.created_at))
    )
    return (await session.exec(statement)).first()
