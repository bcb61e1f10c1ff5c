"""Reviews: progress per goal and outcome scores per domain, recorded by the lead professional; and a
family's outcomes over time."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Act
from server.access.pep import AccessControl
from server.assessment.models import GoalProgress, OutcomeScore, Review
from server.errors import BadUserInput
from server.meeting.models import Meeting
from server.plan.models import OutcomeDomain, PlanGoal
from server.plan.versioning import today
from server.team.service import lock_and_require
from server.validation import optional_text, required_text

KIND = "assessment"


@dataclass(frozen=True)
class ReviewIn:
    reviewed_on: date
    summary: str = ""
    meeting_id: uuid.UUID | None = None
    progress: dict[uuid.UUID, str] = field(default_factory=dict)  # goal id -> progress in words
    scores: dict[OutcomeDomain, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ReviewRecord:
    review: Review
    progress: list[GoalProgress]
    scores: list[OutcomeScore]


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
    return ReviewRecord(review, progress, scores)


async def list_for_family(session: AsyncSession, access: AccessControl, family_id: uuid.UUID) -> list[ReviewRecord]:
    await access.require(session, Act.read, KIND, family_id)
    reviews = list(
        (
            await session.exec(
                select(Review)
                .where(Review.family_id == family_id)
                .order_by(col(Review.reviewed_on), col(Review.created_at))
            )
        ).all()
    )
    ids = [review.id for review in reviews]
    progress: dict[uuid.UUID, list[GoalProgress]] = defaultdict(list)
    for row in (await session.exec(select(GoalProgress).where(col(GoalProgress.review_id).in_(ids)))).all():
        progress[row.review_id].append(row)
    scores: dict[uuid.UUID, list[OutcomeScore]] = defaultdict(list)
    for row in (await session.exec(select(OutcomeScore).where(col(OutcomeScore.review_id).in_(ids)))).all():
        scores[row.review_id].append(row)
    return [ReviewRecord(review, progress[review.id], scores[review.id]) for review in reviews]


async def outcomes_over_time(
    session: AsyncSession, access: AccessControl, family_id: uuid.UUID
) -> dict[OutcomeDomain, list[OutcomePoint]]:
    """Each domain's scores, oldest review first; domains never scored are absent."""
    series: dict[OutcomeDomain, list[OutcomePoint]] = {}
    for record_ in await list_for_family(session, access, family_id):
        for score in record_.scores:
            series.setdefault(OutcomeDomain(score.domain), []).append(
                OutcomePoint(record_.review.reviewed_on, score.score)
            )
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
