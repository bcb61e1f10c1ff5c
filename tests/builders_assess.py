"""Builders for the tests of assessments and reviews as case content: a family with a health visitor on its
team, a mother, and the lead's assessments and review written in the mental health category."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from server.agency.models import Agency, AgencyKind
from server.db.engine import SessionFactory, unit_of_work
from server.family.models import FamilyMember
from server.team.models import TeamMembership, TeamRole
from server.user.models import SystemRole, User
from tests.builders import (
    Area,
    create_agency,
    create_area,
    create_family,
    create_family_member,
    create_family_user,
    create_user,
    issue_token,
    join_agreement,
)

NARRATIVE = "Mum described low mood since the baby was born"
SUMMARY = "Mum's mood is lifting with the GP's support"
PROGRESS = "Mum went to two of the three appointments"


@dataclass
class HealthWorld:
    """`area` (early help leads) with a health visitor on the team and a manager of the health agency."""

    area: Area
    health: Agency
    health_visitor: User
    health_manager: User
    family_user: User
    mother: FamilyMember


@dataclass
class Recorded:
    entry_id: str
    exit_id: str
    review_id: str


async def join_team(sessions: SessionFactory, *, user: User, family_id) -> None:
    async with unit_of_work(sessions) as session:
        session.add(
            TeamMembership(
                family_id=family_id,
                agency_id=user.agency_id,
                user_id=user.id,
                role=TeamRole.contributor,
                agency_role="health visitor",
                contact_in_hours="01632 960001",
            )
        )


async def create_health_world(sessions: SessionFactory) -> HealthWorld:
    area = await create_area(sessions)
    health = await create_agency(sessions, kind=AgencyKind.health)
    await join_agreement(sessions, agreement=area.area_agreement, agency=health)
    visitor = await create_user(sessions, agency=health)
    await join_team(sessions, user=visitor, family_id=area.family.id)
    manager = await create_user(sessions, agency=health, role=SystemRole.manager)
    mother = await create_family_member(sessions, family=area.family, relationship="mother")
    family_user = await create_family_user(sessions, family=area.family)
    return HealthWorld(area, health, visitor, manager, family_user, mother)


def assessment_input(world: HealthWorld, *, stage: str, on: date, mood: str) -> dict:
    return {
        "familyId": str(world.area.family.id),
        "stage": stage,
        "assessedOn": on.isoformat(),
        "levelOfNeed": "targeted",
        "category": "mental_health",
        "strengths": NARRATIVE,
        "needs": NARRATIVE,
        "childViews": NARRATIVE,
        "familyViews": NARRATIVE,
        "protectiveFactors": NARRATIVE,
        "resilienceIndicators": ["supportive_wider_family"],
        "ratings": [
            {"factor": "emotional_mental_health", "rating": mood, "memberId": str(world.mother.id)},
            {"factor": "chronic_health_condition", "rating": "low", "memberId": str(world.mother.id)},
        ],
    }


async def record_content(gql, sessions: SessionFactory, world: HealthWorld) -> Recorded:
    """The lead's entry (a month ago) and exit (today) assessments, and a review, in mental health."""
    lead = await issue_token(sessions, world.area.lead)
    today = date.today()
    entry = await gql.data(
        "AssessmentRecord",
        {"input": assessment_input(world, stage="entry", on=today - timedelta(days=30), mood="high")},
        token=lead,
    )
    exit_ = await gql.data(
        "AssessmentRecord", {"input": assessment_input(world, stage="exit", on=today, mood="low")}, token=lead
    )
    goal = await gql.data(
        "PlanGoalAdd",
        {
            "input": {
                "familyId": str(world.area.family.id),
                "inFamilyWords": "Feel better",
                "outcomeDomain": "mental_physical_health",
            }
        },
        token=lead,
    )
    review = {
        "familyId": str(world.area.family.id),
        "reviewedOn": today.isoformat(),
        "category": "mental_health",
        "summary": SUMMARY,
        "progress": [{"goalId": goal["planGoalAdd"]["id"], "progress": PROGRESS}],
        "scores": [{"domain": "mental_physical_health", "score": 6}],
    }
    recorded = await gql.data("ReviewRecord", {"input": review}, token=lead)
    return Recorded(entry["assessmentRecord"]["id"], exit_["assessmentRecord"]["id"], recorded["reviewRecord"]["id"])


async def another_familys_content(gql, sessions: SessionFactory) -> Recorded:
    """An assessment and a review of a family none of the world's people work with."""
    lead = await create_user(sessions, agency=await create_agency(sessions))
    family = await create_family(sessions, lead=lead)
    token = await issue_token(sessions, lead)
    recorded = await gql.data(
        "AssessmentRecord",
        {"input": {"familyId": str(family.id), "stage": "entry", "assessedOn": date.today().isoformat(),
                   "levelOfNeed": "targeted", "strengths": "Not yours"}},
        token=token,
    )  # fmt: skip
    review = await gql.data(
        "ReviewRecord",
        {"input": {"familyId": str(family.id), "reviewedOn": date.today().isoformat(), "summary": "Not yours"}},
        token=token,
    )
    assessment_id = recorded["assessmentRecord"]["id"]
    return Recorded(assessment_id, assessment_id, review["reviewRecord"]["id"])
