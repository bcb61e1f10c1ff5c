from __future__ import annotations

import uuid
from datetime import date, datetime
from functools import partial

import strawberry

from server.access.categories import InformationCategory
from server.agency.api import AgencyType
from server.api.mutation import mutate
from server.api.scalars import Info, idempotency_key_field, parse_id
from server.api.types import InformationCategoryType
from server.assessment import report as report_service
from server.assessment import review as review_service
from server.assessment import service as assessment_service
from server.assessment.factors import Catalogue, load_catalogue
from server.assessment.models import Assessment, AssessmentRating, AssessmentStage, RiskRating
from server.assessment.report_api import CaseloadOutcomesReportType, RiskRatingType
from server.assessment.review import ReviewIn, ReviewRecord
from server.assessment.service import AssessmentIn, RatingIn, SeenAssessment
from server.errors import BadUserInput
from server.family.api import LevelOfNeedType
from server.plan.api import OutcomeDomainType
from server.plan.models import OutcomeDomain
from server.user.api import StaffMemberType

AssessmentStageType = strawberry.enum(AssessmentStage, name="AssessmentStage", description="Entry, review or exit.")


def catalogue(info: Info) -> Catalogue:
    return load_catalogue(info.context.settings.policies_dir)


@strawberry.type(
    name="AssessmentFactor",
    description="A risk factor or resilience indicator, from the area's list (policies/assessment_factors.csv).",
)
class AssessmentFactorType:
    code: str
    label: str
    scope: str = strawberry.field(description="family, member, adult, child, or resilience.")


@strawberry.type(
    name="RiskFactorRating",
    description="One factor's rating: for the family, or for one member. A rating is the assessing agency's"
    " information in its factor's category: only the ratings the caller may read are listed.",
)
class RiskFactorRatingType:
    factor: str
    label: str
    member_id: strawberry.ID | None = strawberry.field(description="Null when rated for the family as a unit.")
    rating: RiskRatingType  # type: ignore[valid-type]

    @classmethod
    def from_row(cls, row: AssessmentRating, labels: Catalogue) -> RiskFactorRatingType:
        return cls(
            factor=row.factor,
            label=labels.label(row.factor),
            member_id=strawberry.ID(str(row.member_id)) if row.member_id else None,
            rating=row.rating,
        )


@strawberry.type(
    name="Assessment",
    description="An early help assessment: a snapshot that is never changed. Whoever sees the family's assessments"
    " sees the stage, date and level of need; the narrative (strengths, needs, views, protective factors,"
    " resilience indicators) is the assessing agency's information in `category`, null unless `contentVisible`.",
)
class AssessmentType:
    id: strawberry.ID
    stage: AssessmentStageType  # type: ignore[valid-type]
    assessed_on: date
    level_of_need: LevelOfNeedType  # type: ignore[valid-type]
    category: InformationCategoryType = strawberry.field(  # type: ignore[valid-type]
        description="The category of information the narrative holds: it decides who may read it."
    )
    content_visible: bool = strawberry.field(description="Whether the caller may read the narrative.")
    strengths: str | None
    needs: str | None
    child_views: str | None = strawberry.field(description="The child's views, in their own words.")
    family_views: str | None = strawberry.field(description="The family's views, in their own words.")
    protective_factors: str | None
    contains_third_party_identities: bool | None = strawberry.field(
        description="Whether the narrative names people outside the family (null unless `contentVisible`)."
    )
    resilience_indicators: list[AssessmentFactorType] | None
    resilience_count: int | None
    ratings: list[RiskFactorRatingType] = strawberry.field(description="Only the ratings the caller may read.")
    created_at: datetime
    version: int = strawberry.field(description="1, then one more for each correction.")
    correction_reason: str | None = strawberry.field(
        description="Why the version before was corrected: part of the narrative (null unless `contentVisible`);"
        " null on version 1."
    )
    corrects_id: strawberry.ID | None = strawberry.field(description="The version this one corrected.")
    author_id: strawberry.Private[uuid.UUID]
    agency_id: strawberry.Private[uuid.UUID]
    row: strawberry.Private[Assessment]

    @strawberry.field(description="The versions this one corrected, oldest first, as the caller may see them.")
    async def history(self, info: Info) -> list[AssessmentType]:
        if self.row.supersedes_id is None:
            return []
        labels = catalogue(info)
        async with info.context.read() as session:
            versions = await assessment_service.history(session, info.context.access, self.row)
        return [AssessmentType.from_seen(one, labels) for one in versions]

    @strawberry.field
    async def author(self, info: Info) -> StaffMemberType:
        return StaffMemberType.from_row(await info.context.loaders.user_by_id.load(self.author_id))

    @strawberry.field(description="The assessing agency, whose information the narrative and the ratings are.")
    async def owning_agency(self, info: Info) -> AgencyType:
        return AgencyType.from_row(await info.context.loaders.agency_by_id.load(self.agency_id))

    @classmethod
    def from_seen(cls, seen: SeenAssessment, labels: Catalogue) -> AssessmentType:
        row, shown = seen.row, seen.content_visible
        return cls(
            id=strawberry.ID(str(row.id)),
            stage=row.stage,
            assessed_on=row.assessed_on,
            level_of_need=row.level_of_need,
            category=row.category,
            content_visible=shown,
            strengths=row.strengths if shown else None,
            needs=row.needs if shown else None,
            child_views=row.child_views if shown else None,
            family_views=row.family_views if shown else None,
            protective_factors=row.protective_factors if shown else None,
            contains_third_party_identities=row.contains_third_party_identities if shown else None,
            resilience_indicators=[
                AssessmentFactorType(code=code, label=labels.label(code), scope="resilience")
                for code in row.resilience_indicators
            ]
            if shown
            else None,
            resilience_count=len(row.resilience_indicators) if shown else None,
            ratings=[RiskFactorRatingType.from_row(r, labels) for r in seen.ratings],
            created_at=row.created_at,
            version=row.version,
            correction_reason=row.correction_reason if row.supersedes_id and shown else None,
            corrects_id=strawberry.ID(str(row.supersedes_id)) if row.supersedes_id else None,
            author_id=row.author_user_id,
            agency_id=row.owning_agency_id,
            row=row,
        )


@strawberry.type(name="GoalProgress")
class GoalProgressType:
    goal_id: strawberry.ID
    progress: str


@strawberry.type(name="OutcomeScore", description="1 (serious difficulty) to 10 (thriving).")
class OutcomeScoreType:
    domain: OutcomeDomainType  # type: ignore[valid-type]
    score: int


@strawberry.type(
    name="Review",
    description="A review of the plan: outcome scores (scored with the family) and, as the author's agency's"
    " information in `category`, a summary and progress per goal (null unless `contentVisible`).",
)
class ReviewType:
    id: strawberry.ID
    reviewed_on: date
    category: InformationCategoryType = strawberry.field(  # type: ignore[valid-type]
        description="The category of information the summary and the progress notes hold."
    )
    content_visible: bool = strawberry.field(description="Whether the caller may read the summary and progress.")
    summary: str | None
    meeting_id: strawberry.ID | None
    progress: list[GoalProgressType] | None
    scores: list[OutcomeScoreType]
    agency_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The agency whose information the summary and the progress notes are.")
    async def owning_agency(self, info: Info) -> AgencyType:
        return AgencyType.from_row(await info.context.loaders.agency_by_id.load(self.agency_id))

    @classmethod
    def from_record(cls, record: ReviewRecord) -> ReviewType:
        review, shown = record.review, record.content_visible
        return cls(
            id=strawberry.ID(str(review.id)),
            reviewed_on=review.reviewed_on,
            category=review.category,
            content_visible=shown,
            summary=review.summary if shown else None,
            meeting_id=strawberry.ID(str(review.meeting_id)) if review.meeting_id else None,
            progress=[
                GoalProgressType(goal_id=strawberry.ID(str(p.goal_id)), progress=p.progress) for p in record.progress
            ]
            if shown
            else None,
            scores=[OutcomeScoreType(domain=s.domain, score=s.score) for s in record.scores],
            agency_id=review.owning_agency_id,
        )


@strawberry.type(name="OutcomePoint")
class OutcomePointType:
    reviewed_on: date
    score: int


@strawberry.type(name="OutcomeSeries", description="One domain's scores over time, oldest first.")
class OutcomeSeriesType:
    domain: OutcomeDomainType  # type: ignore[valid-type]
    points: list[OutcomePointType]


@strawberry.input
class RiskFactorRatingInput:
    factor: str = strawberry.field(description="A code from assessmentFactors.")
    rating: RiskRatingType  # type: ignore[valid-type]
    member_id: strawberry.ID | None = strawberry.field(default=None, description="Null for family factors.")


@strawberry.input(description="What an assessment says: recorded first, or as a corrected version.")
class AssessmentContentInput:
    stage: AssessmentStageType  # type: ignore[valid-type]
    assessed_on: date = strawberry.field(description="Not in the future.")
    level_of_need: LevelOfNeedType  # type: ignore[valid-type]
    strengths: str = ""
    needs: str = ""
    child_views: str = ""
    family_views: str = ""
    protective_factors: str = ""
    resilience_indicators: list[str] = strawberry.field(default_factory=list, description="Codes present.")
    ratings: list[RiskFactorRatingInput] = strawberry.field(default_factory=list, description="1,000 at most.")
    category: InformationCategoryType = strawberry.field(  # type: ignore[valid-type]
        default=InformationCategory.other,
        description="The category of information the narrative holds (each rating takes its factor's category).",
    )
    contains_third_party_identities: bool = strawberry.field(
        default=False, description="Whether the narrative names people outside the family."
    )

    def to_data(self) -> AssessmentIn:
        if len(self.resilience_indicators) > 100:
            raise BadUserInput("At most 100 resilience indicators.", field="resilienceIndicators")
        return AssessmentIn(
            stage=self.stage,
            assessed_on=self.assessed_on,
            level_of_need=self.level_of_need,
            strengths=self.strengths,
            needs=self.needs,
            child_views=self.child_views,
            family_views=self.family_views,
            protective_factors=self.protective_factors,
            resilience_indicators=self.resilience_indicators,
            ratings=[
                RatingIn(r.factor, RiskRating(r.rating), parse_id(r.member_id, "memberId") if r.member_id else None)
                for r in self.ratings
            ],
            category=InformationCategory(self.category),
            contains_third_party_identities=self.contains_third_party_identities,
        )


@strawberry.input(description="Record an assessment snapshot. Lead professional only.")
class AssessmentRecordInput(AssessmentContentInput):
    family_id: strawberry.ID
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input(
    description="Correct a wrong assessment: the whole of it again as it should read, with the reason. The author"
    " only, while they may record the family's assessments; the latest version only (else CONFLICT)."
)
class AssessmentCorrectInput(AssessmentContentInput):
    assessment_id: strawberry.ID
    reason: str = strawberry.field(description="Why the assessment was wrong (required, 5,000 max).")


@strawberry.input
class GoalProgressInput:
    goal_id: strawberry.ID
    progress: str


@strawberry.input
class OutcomeScoreInput:
    domain: OutcomeDomainType  # type: ignore[valid-type]
    score: int = strawberry.field(description="1 (serious difficulty) to 10 (thriving).")


@strawberry.input(description="Record a review: progress per goal and outcome scores. Lead professional only.")
class ReviewRecordInput:
    family_id: strawberry.ID
    reviewed_on: date = strawberry.field(description="Not in the future.")
    summary: str = ""
    meeting_id: strawberry.ID | None = None
    progress: list[GoalProgressInput] = strawberry.field(default_factory=list)
    scores: list[OutcomeScoreInput] = strawberry.field(default_factory=list)
    category: InformationCategoryType = strawberry.field(  # type: ignore[valid-type]
        default=InformationCategory.other,
        description="The category of information the summary and the progress notes hold (not the scores).",
    )
    contains_third_party_identities: bool = strawberry.field(
        default=False, description="Whether the summary or the notes name people outside the family."
    )
    idempotency_key: str | None = idempotency_key_field()

    def to_data(self) -> ReviewIn:
        if len(self.progress) > 100 or len(self.scores) > len(OutcomeDomain):
            raise BadUserInput("Too many entries.", field="progress")
        progress = {parse_id(p.goal_id, "goalId"): p.progress for p in self.progress}
        scores = {OutcomeDomain(s.domain): s.score for s in self.scores}
        if len(progress) != len(self.progress) or len(scores) != len(self.scores):
            raise BadUserInput("Each goal and each domain at most once.", field="scores")
        return ReviewIn(
            reviewed_on=self.reviewed_on,
            summary=self.summary,
            meeting_id=parse_id(self.meeting_id, "meetingId") if self.meeting_id else None,
            progress=progress,
            scores=scores,
            category=InformationCategory(self.category),
            contains_third_party_identities=self.contains_third_party_identities,
        )


@strawberry.type
class AssessmentQuery:
    @strawberry.field(description="The risk factors and resilience indicators assessments use, in order.")
    def assessment_factors(self, info: Info) -> list[AssessmentFactorType]:
        info.context.require_actor()
        return [AssessmentFactorType(code=f.code, label=f.label, scope=f.scope) for f in catalogue(info).factors]

    @strawberry.field(description="A family's assessments, oldest first. For the family's team.")
    async def family_assessments(self, info: Info, family_id: strawberry.ID) -> list[AssessmentType]:
        labels = catalogue(info)
        async with info.context.read() as session:
            seen = await assessment_service.list_for_family(
                session, info.context.access, parse_id(family_id, "familyId")
            )
        return [AssessmentType.from_seen(one, labels) for one in seen]

    @strawberry.field(description="One assessment, for the family's team.")
    async def assessment(self, info: Info, id: strawberry.ID) -> AssessmentType:
        async with info.context.read() as session:
            seen = await assessment_service.get(session, info.context.access, parse_id(id, "id"))
        return AssessmentType.from_seen(seen, catalogue(info))

    @strawberry.field(description="A family's reviews, oldest first.")
    async def family_reviews(self, info: Info, family_id: strawberry.ID) -> list[ReviewType]:
        async with info.context.read() as session:
            records = await review_service.list_for_family(
                session, info.context.access, parse_id(family_id, "familyId")
            )
        return [ReviewType.from_record(record) for record in records]

    @strawberry.field(description="One review, for the family's team.")
    async def review(self, info: Info, id: strawberry.ID) -> ReviewType:
        async with info.context.read() as session:
            record = await review_service.get(session, info.context.access, parse_id(id, "id"))
        return ReviewType.from_record(record)

    @strawberry.field(description="A family's outcome scores over time, per domain.")
    async def family_outcomes(self, info: Info, family_id: strawberry.ID) -> list[OutcomeSeriesType]:
        async with info.context.read() as session:
            series = await review_service.outcomes_over_time(
                session, info.context.access, parse_id(family_id, "familyId")
            )
        return [
            OutcomeSeriesType(
                domain=domain, points=[OutcomePointType(reviewed_on=p.reviewed_on, score=p.score) for p in points]
            )
            for domain, points in series.items()
        ]

    @strawberry.field(
        description="Outcomes of the caller's visible families whose exit assessment is in the range. Each risk"
        " factor's share is of the families assessed for it only, unrounded: outcomesReport also gives each as a"
        " share of the whole cohort, rounded as the published tables round. Kept for existing clients.",
        deprecation_reason="Use outcomesReport (filter: exitedFrom, exitedTo), which gives each risk factor as a"
        " share of the families assessed and of the whole cohort, rounded as published.",
    )
    async def caseload_outcomes(self, info: Info, exited_from: date, exited_to: date) -> CaseloadOutcomesReportType:
        await info.context.spend("report")
        async with info.context.read() as session:
            report = await report_service.caseload_outcomes(
                session, info.context.access, exited_from=exited_from, exited_to=exited_to, catalogue=catalogue(info)
            )
        return CaseloadOutcomesReportType.from_report(report)


@strawberry.type
class AssessmentMutation:
    @strawberry.mutation(description="Record an assessment (entry, review or exit). Lead professional only.")
    async def assessment_record(self, info: Info, input: AssessmentRecordInput) -> AssessmentType:
        family_id, labels = parse_id(input.family_id, "familyId"), catalogue(info)
        seen = await mutate(
            info,
            partial(assessment_service.record, family_id=family_id, data=input.to_data(), catalogue=labels),
            family_id=family_id,
            audit=lambda row: {"assessmentId": str(row.id), "stage": row.stage.value},
            idempotency_key=input.idempotency_key,
            replay=Assessment,
            then=assessment_service.seen,
        )
        return AssessmentType.from_seen(seen, labels)

    @strawberry.mutation(
        description="Correct a wrong assessment with a new version: the old one is kept, read in `history`."
    )
    async def assessment_correct(self, info: Info, input: AssessmentCorrectInput) -> AssessmentType:
        assessment_id, labels = parse_id(input.assessment_id, "assessmentId"), catalogue(info)
        seen = await mutate(
            info,
            partial(
                assessment_service.correct,
                assessment_id=assessment_id,
                reason=input.reason,
                data=input.to_data(),
                catalogue=labels,
            ),
            audit=lambda row: {"assessmentId": str(row.id), "correctsId": str(row.supersedes_id)},
            then=assessment_service.seen,
        )
        return AssessmentType.from_seen(seen, labels)

    @strawberry.mutation(description="Record a review with progress per goal and outcome scores. Lead only.")
    async def review_record(self, info: Info, input: ReviewRecordInput) -> ReviewType:
        family_id = parse_id(input.family_id, "familyId")
        record = await mutate(
            info,
            partial(review_service.record, family_id=family_id, data=input.to_data()),
            family_id=family_id,
            audit=lambda record: {"reviewId": str(record.id)},
            idempotency_key=input.idempotency_key,
            replay=review_service.get,
        )
        return ReviewType.from_record(record)
