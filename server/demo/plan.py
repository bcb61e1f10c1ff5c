"""Demo data for the shared plan (development only): goals and actions, TAF meetings, assessments on
entry and exit, reviews with outcome scores, escalations, and closed families, so that the caseload
outcomes report has something real to show. Called by server/demo/load.py."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.categories import InformationCategory
from server.assessment.factors import load_catalogue
from server.assessment.models import Assessment, AssessmentRating, AssessmentStage, OutcomeScore, Review, RiskRating
from server.clock import utcnow
from server.config import REPO_ROOT
from server.escalation.models import Escalation, EscalationLevel
from server.family.models import Family, FamilyMember, LevelOfNeed
from server.meeting.models import (
    Attendance,
    Meeting,
    MeetingDecision,
    MeetingInvitee,
    MeetingKind,
    MeetingStatus,
    MinutesItem,
)
from server.plan.models import ActionStatus, GoalStatus, OutcomeDomain, PlanAction, PlanGoal
from server.plan.service import ACTION_FIELDS, GOAL_FIELDS
from server.plan.versions import record_version
from server.transition.models import ClosureOutcome, FamilyTransition, TransitionKind
from server.user.models import User

L, M, H, N, G = (
    RiskRating.low,
    RiskRating.medium,
    RiskRating.high,
    RiskRating.not_a_concern,
    RiskRating.no_longer_a_risk,
)

# display name -> exit level, resilience entry/exit, family ratings entry/exit, child ratings entry/exit
EXITS = {
    "The Brown family": (LevelOfNeed.universal, (2, 4), {"boundary_setting": (M, G), "family_debt": (L, L)},
                         {"school_attendance": (M, G)}),
    "The O'Neill family": (LevelOfNeed.statutory, (1, 1),
                           {"family_violence": (M, H), "supervision_of_children": (M, H)},
                           {"child_protection_concerns": (L, H)}),
    "The Osei family": (LevelOfNeed.universal, (2, 5), {"family_debt": (H, L), "housing_tenure": (M, G)},
                        {"school_attendance": (H, G), "peer_relationships": (M, L)}),
    "The Taylor family": (LevelOfNeed.universal, (1, 3), {"family_support_networks": (H, M)},
                          {"physical_milestones": (M, G)}),
    "The Morris family": (LevelOfNeed.targeted, (0, 2), {"family_violence": (H, G), "family_debt": (M, M)},
                          {"emotional_mental_health": (H, M)}),
    "The Ali family": (LevelOfNeed.specialist, (1, 1), {"overcrowding_living_conditions": (H, H)},
                       {"school_attendance": (M, M), "bullying": (H, G)}),
}  # fmt: skip


async def load(session: AsyncSession, families: list[Family], staff: dict) -> None:
    by_name = {family.display_name: family for family in families}
    await _carter_plan(session, by_name["The Carter family"], staff)
    for name, (level, resilience, family_ratings, child_ratings) in EXITS.items():
        await _entry_and_exit(
            session, by_name[name], staff["lead"].id, level, resilience, family_ratings, child_ratings
        )
    await _closure(session, by_name["The Osei family"], staff["lead"].id)
    novak = by_name["The Novak family"]
    session.add(
        Escalation(
            family_id=novak.id,
            level=EscalationLevel.urgent,
            category="police",
            owning_agency_id=staff["police"].agency_id,
            reason="Intelligence that Adam is being drawn into county lines activity.",
            raised_by_user_id=staff["police"].id,
            raised_at=utcnow() - timedelta(hours=1),
            ack_due_at=utcnow() + timedelta(hours=3),
        )
    )


async def _carter_plan(session: AsyncSession, family: Family, staff: dict) -> None:
    lead = staff["lead"]
    today = date.today()
    goals = [
        PlanGoal(
            family_id=family.id,
            in_family_words="Jayden gets to school every day, especially Mondays",
            agreed_with_family=True,
            agreed_on=today - timedelta(days=14),
            target_date=today + timedelta(days=60),
            outcome_domain=OutcomeDomain.school_attendance_attainment,
            status=GoalStatus.open,
            created_by_user_id=lead.id,
            owning_agency_id=lead.agency_id,
        ),
        PlanGoal(
            family_id=family.id,
            in_family_words="A warm, dry flat for the children",
            agreed_with_family=True,
            agreed_on=today - timedelta(days=14),
            target_date=today + timedelta(days=30),
            outcome_domain=OutcomeDomain.living_conditions,
            status=GoalStatus.open,
            created_by_user_id=lead.id,
            owning_agency_id=lead.agency_id,
        ),
    ]
    session.add_all(goals)
    await session.flush()
    held = Meeting(
        family_id=family.id,
        kind=MeetingKind.initial,
        status=MeetingStatus.held,
        scheduled_at=utcnow() - timedelta(days=14),
        location="Riverside Academy, meeting room 2",
        chair_user_id=lead.id,
        agenda="Introductions; what the family wants; agreeing the plan",
    )
    upcoming = Meeting(
        family_id=family.id,
        kind=MeetingKind.review,
        status=MeetingStatus.scheduled,
        scheduled_at=utcnow() + timedelta(days=35),
        call_link="https://meet.example/taf-carter",
        chair_user_id=lead.id,
        agenda="Review of attendance and the flat",
    )
    session.add_all([held, upcoming])
    await session.flush()
    for key in ("lead", "school", "housing", "health"):
        attendance = Attendance.apologies if key == "health" else Attendance.present
        session.add(MeetingInvitee(meeting_id=held.id, user_id=staff[key].id, attendance=attendance))
        session.add(MeetingInvitee(meeting_id=upcoming.id, user_id=staff[key].id, attendance=Attendance.invited))
    session.add(
        MeetingDecision(
            meeting_id=held.id,
            text="Mentoring to start at school",
            recorded_by_user_id=lead.id,
            owning_agency_id=lead.agency_id,
            category=InformationCategory.education,
        )
    )
    session.add(
        MeetingDecision(
            meeting_id=held.id,
            text="The police tell the school of any further incident before the next school day",
            recorded_by_user_id=lead.id,
            owning_agency_id=lead.agency_id,
            category=InformationCategory.domestic_abuse,
            agreed_with_family=False,
        )
    )
    await _minutes(session, held, staff)
    actions = [
        (
            "school",
            goals[0],
            "Monday morning check-in with Jayden",
            today + timedelta(days=7),
            ActionStatus.in_progress,
        ),
        ("housing", goals[1], "Complete damp repairs after the survey", today - timedelta(days=3), ActionStatus.open),
        ("lead", goals[1], "Help Lisa apply for a furniture grant", today + timedelta(days=14), ActionStatus.open),
    ]
    for key, goal, text, due, status in actions:
        action = PlanAction(
            family_id=family.id,
            goal_id=goal.id,
            meeting_id=held.id,
            description=text,
            owning_agency_id=staff[key].agency_id,
            owner_user_id=staff[key].id,
            due_date=due,
            status=status,
            created_by_user_id=lead.id,
        )
        session.add(action)
        await session.flush()
        record_version(session, "action", action, ACTION_FIELDS, lead.id)
    for goal in goals:
        record_version(session, "goal", goal, GOAL_FIELDS, lead.id)
    scores = {OutcomeDomain.school_attendance_attainment: 4, OutcomeDomain.living_conditions: 3}
    await add_review(
        session, family, lead, today - timedelta(days=14), "Baseline scores agreed with Lisa", scores, held
    )
    await _assessment(
        session,
        family,
        lead.id,
        AssessmentStage.entry,
        today - timedelta(days=15),
        LevelOfNeed.targeted,
        2,
        {"overcrowding_living_conditions": H},
        {"school_attendance": M},
    )


async def add_review(
    session: AsyncSession,
    family: Family,
    author: User,
    on: date,
    summary: str,
    scores: dict[OutcomeDomain, int],
    meeting: Meeting | None = None,
) -> None:
    """A review by `author`, with an outcome score per domain."""
    review = Review(
        family_id=family.id,
        meeting_id=meeting.id if meeting else None,
        reviewed_on=on,
        summary=summary,
        author_user_id=author.id,
        owning_agency_id=author.agency_id,
    )
    session.add(review)
    await session.flush()
    for domain, score in scores.items():
        session.add(OutcomeScore(review_id=review.id, domain=domain, score=score))


# The Carter family's first meeting: each agency's update in its own category, so each reader sees the parts
# the family's consent (or the police override) shares with them. (agency, category, heading, text, 3rd party)
CARTER_MINUTES = [
    (
        "lead",
        InformationCategory.other,
        "What Lisa wants to change",
        "Lisa set out what she wants to change: Jayden at school every day, and a warm, dry flat for the children."
        " The team agreed the plan below with her.",
        False,
    ),
    (
        "school",
        InformationCategory.education,
        "Update from Riverside Academy",
        "Attendance is 78% this term, mostly Mondays missed. A mentor will meet Jayden on Monday mornings; he is"
        " doing well at football club.",
        False,
    ),
    (
        "health",
        InformationCategory.health,
        "Update from Northbridge Community Health",
        "Mia's 4-year review: speech slightly delayed; she is referred to speech and language therapy. Priya sent"
        " apologies; the chair read out her update.",
        False,
    ),
    (
        "health",
        InformationCategory.mental_health,
        "Lisa's wellbeing",
        "Lisa reports poor sleep and low mood; a GP appointment is booked.",
        False,
    ),
    (
        "housing",
        InformationCategory.housing,
        "Update from Northbridge Homes",
        "Damp survey booked for 28 November; a dehumidifier has been supplied in the meantime.",
        False,
    ),
    (
        "police",
        InformationCategory.domestic_abuse,
        "Update from Northbridge Police",
        "Officers attended a domestic incident at the flat on 2 November after a neighbour called; the ex-partner"
        " was removed. The children were present.",
        True,
    ),
]


async def _minutes(session: AsyncSession, meeting: Meeting, staff: dict) -> None:
    """Published minutes never change (a trigger): the items go in first, then the minutes are published."""
    for position, (key, category, heading, text, third_party) in enumerate(CARTER_MINUTES, start=1):
        session.add(
            MinutesItem(
                meeting_id=meeting.id,
                family_id=meeting.family_id,
                position=position,
                heading=heading,
                text=text,
                owning_agency_id=staff[key].agency_id,
                category=category,
                contains_third_party_identities=third_party,
                author_user_id=meeting.chair_user_id,
            )
        )
    await session.flush()
    meeting.minutes_published_at = utcnow() - timedelta(days=13)
    await session.flush()


async def _entry_and_exit(session, family, author_id, exit_level, resilience, family_ratings, child_ratings) -> None:
    opened = family.opened_at.date()
    exit_on = family.closed_at.date() if family.closed_at else date.today() - timedelta(days=10)
    entry_family = {code: pair[0] for code, pair in family_ratings.items()}
    entry_child = {code: pair[0] for code, pair in child_ratings.items()}
    await _assessment(
        session,
        family,
        author_id,
        AssessmentStage.entry,
        opened + timedelta(days=7),
        family.level_of_need if family.closed_at else _entry_level(exit_level),
        resilience[0],
        entry_family,
        entry_child,
    )
    await _assessment(
        session,
        family,
        author_id,
        AssessmentStage.exit,
        exit_on,
        exit_level,
        resilience[1],
        {c: p[1] for c, p in family_ratings.items()},
        {c: p[1] for c, p in child_ratings.items()},
    )


def _entry_level(exit_level: LevelOfNeed) -> LevelOfNeed:
    """Families stepped up or down entered at targeted (early help)."""
    return LevelOfNeed.targeted if exit_level is not LevelOfNeed.targeted else LevelOfNeed.specialist


async def _assessment(session, family, author_id, stage, on, level, resilience, family_ratings, child_ratings) -> None:
    indicators = [f.code for f in load_catalogue(REPO_ROOT / "policies").factors if f.scope == "resilience"]
    row = Assessment(
        family_id=family.id,
        stage=stage,
        assessed_on=on,
        level_of_need=level,
        strengths="The family want things to change and turn up to meetings.",
        needs="See the ratings.",
        child_views="I want my mum to be less stressed.",
        family_views="We want a fresh start.",
        protective_factors="Grandparents nearby",
        resilience_indicators=indicators[:resilience],
        author_user_id=author_id,
        owning_agency_id=(await session.get(User, author_id)).agency_id,
    )
    session.add(row)
    await session.flush()
    child = (
        await session.exec(
            select(FamilyMember.id).where(
                FamilyMember.family_id == family.id, col(FamilyMember.is_subject_child).is_(True)
            )
        )
    ).first()
    catalogue = load_catalogue(REPO_ROOT / "policies")
    facts = {"owning_agency_id": row.owning_agency_id}
    for code, rating in family_ratings.items():
        session.add(
            AssessmentRating(
                assessment_id=row.id, factor=code, rating=rating, category=catalogue.category(code), **facts
            )
        )
    for code, rating in child_ratings.items():
        session.add(
            AssessmentRating(
                assessment_id=row.id,
                factor=code,
                member_id=child,
                rating=rating,
                category=catalogue.category(code),
                **facts,
            )
        )


async def _closure(session: AsyncSession, family: Family, author_id) -> None:
    closed: datetime = family.closed_at or utcnow()
    session.add(
        FamilyTransition(
            family_id=family.id,
            kind=TransitionKind.closure,
            effective_on=closed.date(),
            reason="Goals met: attendance above 95% for a term; rent arrears cleared.",
            outcome=ClosureOutcome.goals_achieved,
            support_continuing="School mentor continues weekly until the summer.",
            contact_if_difficulties="Northbridge Early Help Hub, 01632 960200",
            family_feedback="Abena: 'Sam was honest with us and always called back.'",
            recorded_by_user_id=author_id,
        )
    )
