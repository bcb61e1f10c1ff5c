"""Reviews: progress per goal and outcome scores per domain, recorded by the lead professional; and a
family's outcomes over time.

Whoever may see the family's assessments sees each review's date and outcome scores (scored with the
family, and shown to it in the portal). The summary and the progress notes are the author's agency's
case content (kind review_note, server/assessment/content.py), decided through the enforcement point."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Act
from server.access.categories import InformationCategory
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.assessment.content import written_columns, written_facts
from server.assessment.models import GoalProgress, OutcomeScore, Review
from server.clock import today
from server.errors import BadUserInput, NotFound
from server.meeting.models import Meeting
from server.plan.models import OutcomeDomain, PlanGoal
from server.validation import optional_text, required_text
from server.writes import lock_and_require

KIND = Kind.assessment
NOT_FOUND = "No review with that id, or you may not see it."


@dataclass(frozen=True)
class ReviewIn:
    reviewed_on: date
    summary: str = ""
    meeting_id: uuid.UUID | None = None
    progress: dict[uuid.UUID, str] = field(default_factory=dict)  # goal id -> progress in words
    scores: dict[OutcomeDomain, int] = field(default_factory=dict)
    category: InformationCategory = InformationCategory.other  # of the summary and the progress notes
    contains_third_party_identities: bool = False


@dataclass(frozen=True)
class ReviewRecord:
    """A review as one caller may see it: the summary and progress notes only if `content_visible`
    (`progress` is empty otherwise)."""

    review: Review
    content_visible: bool
    progress: list[GoalProgress]
    scores: list[OutcomeScore]

    @property
    def id(self) -> uuid.UUID:
        return self.review.id


@dataclass(frozen=True)
class OutcomePoint:
    reviewed_on: date
    score: int


async def record(session: AsyncSession, access: AccessControl, *, family_id: uuid.UUID, data: ReviewIn) -> ReviewRecord:
    await lock_and_require(session, access, Act.create, KIND, family_id)
    if data.reviewed_on > today():
        raise BadUserInput("A review cannot be dated in the future.", field="reviewedOn")
    await _check_parts(session, family_id, data)
    review = Review(
        family_id=family_id,
        meeting_id=data.meeting_id,
        reviewed_on=data.reviewed_on,
        summary=optional_text(data.summary, "summary", 10_000),
        author_user_id=access.actor.user_id,
        owning_agency_id=access.actor.agency_id,
        category=data.category,
        contains_third_party_identities=data.contains_third_party_identities,
    )
    session.add(review)
    await session.flush()
    progress = [
        GoalProgress(review_id=review.id, goal_id=goal_id, progress=required_text(text, "progress", 2000))
        for goal_id, text in data.progress.items()
    ]
    scores = [OutcomeScore(review_id=review.id, domain=domain, score=score) for domain, score in data.scores.items()]
    session.add_all([*progress, *scores])
    await session.flush()
    return ReviewRecord(review, True, progress, scores)


async def list_for_family(session: AsyncSession, access: AccessControl, family_id: uuid.UUID) -> list[ReviewRecord]:
    """Oldest first. Whether each review's notes may be read is decided in SQL by the same rules as a
    single decision; the notes of the others are never loaded."""
    await access.require(session, Act.read, KIND, family_id)
    visible = await access.item_filter(session, family_id, written_columns(Review), kind=Kind.review_note)
    statement = (
        select(Review, sa.case((visible, True), else_=False).label("content_visible"))
        .where(Review.family_id == family_id)
        .order_by(col(Review.reviewed_on), col(Review.created_at))
    )
    return await _records(session, access, [(row, bool(shown)) for row, shown in (await session.exec(statement)).all()])


async def get(session: AsyncSession, access: AccessControl, review_id: uuid.UUID) -> ReviewRecord:
    """NOT_FOUND, with one message, for an id that does not exist and for one the caller may not see."""
    row = await session.get(Review, review_id)
    readable = await access.can_read_found(session, KIND, row.family_id if row else None)
    if row is None or not readable:
        access.note_denial("review_read", row.family_id if row else None, {"reviewId": str(review_id)})
        raise NotFound(NOT_FOUND)
    shown = await access.can_item(session, Act.read, Kind.review_note, row.family_id, written_facts(row))
    return (await _records(session, access, [(row, shown)]))[0]


async def _records(
    session: AsyncSession, access: AccessControl, reviews: list[tuple[Review, bool]]
) -> list[ReviewRecord]:
    shown = [review.id for review, visible in reviews if visible]
    progress: dict[uuid.UUID, list[GoalProgress]] = defaultdict(list)
    if shown:
        for row in (await session.exec(select(GoalProgress).where(col(GoalProgress.review_id).in_(shown)))).all():
            progress[row.review_id].append(row)
    scores = await _scores(session, [review.id for review, _ in reviews])
    for review, visible in reviews:
        if visible:
            access.note_read(review.family_id, review.id, Kind.review_note, written_facts(review))
    return [ReviewRecord(review, visible, progress[review.id], scores[review.id]) for review, visible in reviews]


async def _scores(session: AsyncSession, review_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[OutcomeScore]]:
    scores: dict[uuid.UUID, list[OutcomeScore]] = defaultdict(list)
    if review_ids:
        for row in (await session.exec(select(OutcomeScore).where(col(OutcomeScore.review_id).in_(review_ids)))).all():
            scores[row.review_id].append(row)
    return scores


async def outcomes_over_time(
    session: AsyncSession, access: AccessControl, family_id: uuid.UUID
) -> dict[OutcomeDomain, list[OutcomePoint]]:
    """Each domain's scores, oldest review first; domains never scored are absent. Scores only: no
    review's notes are read."""
    await access.require(session, Act.read, KIND, family_id)
    statement = (
        select(Review.reviewed_on, OutcomeScore.domain, OutcomeScore.score)
        .join(OutcomeScore, col(OutcomeScore.review_id) == Review.id)
        .where(Review.family_id == family_id)
        .order_by(col(Review.reviewed_on), col(Review.created_at))
    )
    series: dict[OutcomeDomain, list[OutcomePoint]] = {}
    for reviewed_on, domain, score in (await session.exec(statement)).all():
        series.setdefault(OutcomeDomain(domain), []).append(OutcomePoint(reviewed_on, score))
    return {domain: series[domain] for domain in OutcomeDomain if domain in series}


async def _check_parts(session: AsyncSession, family_id: uuid.UUID, data: ReviewIn) -> None:
    for score in data.scores.values():
        if not 1 <= score <= 10:
            raise BadUserInput("Outcome scores run from 1 to 10.", field="scores")
    if data.progress:
        goals = set(
            (
                await session.exec(
                    select(PlanGoal.id).where(
                        PlanGoal.family_id == family_id, col(PlanGoal.id).in_(list(data.progress))
                    )
                )
            ).all()
        )
        if goals != set(data.progress):
            raise BadUserInput("Record progress for this family's goals only.", field="progress")
    if data.meeting_id is not None:
        meeting = await session.get(Meeting, data.meeting_id)
        if meeting is None or meeting.family_id != family_id:
            raise BadUserInput("That meeting is not this family's.", field="meetingId")
