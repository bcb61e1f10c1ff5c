"""Assessments as snapshots, reviews with outcome scores, and the factor lists as data."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from server.assessment.models import Assessment
from server.db.engine import unit_of_work
from server.family.models import FamilyMember
from tests.auth_helpers import sign_in
from tests.builders import create_area
from tests.graphql_client import code


def assessment(family_id, **overrides) -> dict:
    return {
        "input": {
            "familyId": str(family_id),
            "stage": "entry",
            "assessedOn": date.today().isoformat(),
            "levelOfNeed": "targeted",
            "strengths": "Mum is determined; Jayden loves football",
            "needs": "Attendance; damp flat",
            "childViews": "I don't like Mondays",
            "familyViews": "We want the flat sorted",
            "protectiveFactors": "Nan lives nearby",
            "resilienceIndicators": ["supportive_wider_family", "hobbies_interests"],
            "ratings": [{"factor": "family_debt", "rating": "medium"}],
            **overrides,
        }
    }


async def member_of(sessions, family) -> str:
    async with sessions() as session:
        return str((await session.exec(select(FamilyMember.id).where(FamilyMember.family_id == family.id))).one())


async def test_the_factor_lists_come_from_the_data_file(gql, sessions):
    area = await create_area(sessions)
    factors = (await gql.data("AssessmentFactors", token=await sign_in(gql, area.colleague)))["assessmentFactors"]
    scopes = {f["scope"] for f in factors}
    assert scopes == {"family", "member", "adult", "child", "resilience"}
    assert {"family_violence", "school_attendance", "engagement_with_health_professionals"} <= {
        f["code"] for f in factors
    }


async def test_the_lead_records_snapshots_that_the_team_reads_and_nobody_rewrites(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    child = await member_of(sessions, area.family)
    ratings = [
        {"factor": "family_debt", "rating": "high"},
        {"factor": "school_attendance", "rating": "medium", "memberId": child},
    ]
    entry = (await gql.data("AssessmentRecord", assessment(area.family.id, ratings=ratings), token=lead))[
        "assessmentRecord"
    ]
    assert entry["resilienceCount"] == 2 and {r["label"] for r in entry["ratings"]} == {
        "Family debt",
        "School attendance",
    }
    exit_ratings = [{"factor": "family_debt", "rating": "no_longer_a_risk"}]
    await gql.data("AssessmentRecord", assessment(area.family.id, stage="exit", ratings=exit_ratings), token=lead)
    listed = await gql.data(
        "FamilyAssessments", {"familyId": str(area.family.id)}, token=await sign_in(gql, area.colleague)
    )
    assert [a["stage"] for a in listed["familyAssessments"]] == ["entry", "exit"]
    assert code(
        await gql.error("AssessmentRecord", assessment(area.family.id), token=await sign_in(gql, area.colleague))
    ) == ("FORBIDDEN")
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        async with unit_of_work(sessions) as session:
            await session.exec(sa.update(Assessment).where(Assessment.id == uuid.UUID(entry["id"])).values(needs="x"))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"assessedOn": (date.today() + timedelta(days=1)).isoformat()}, "assessedOn"),
        ({"ratings": [{"factor": "made_up", "rating": "low"}]}, "ratings"),
        ({"ratings": [{"factor": "school_attendance", "rating": "low"}]}, "ratings"),  # a member factor needs a member
        ({"ratings": [{"factor": "family_debt", "rating": "no_longer_a_risk"}]}, "ratings"),  # not on entry
        ({"stage": "exit", "ratings": [{"factor": "family_debt", "rating": "no_longer_a_risk"}]}, "ratings"),  # no risk
        ({"resilienceIndicators": ["family_debt"]}, "resilienceIndicators"),
    ],
)
async def test_invalid_assessments_are_bad_user_input(gql, sessions, overrides, field):
    area = await create_area(sessions)
    error = await gql.error(
        "AssessmentRecord", assessment(area.family.id, **overrides), token=await sign_in(gql, area.lead)
    )
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", field)


async def test_reviews_record_progress_and_scores_and_outcomes_show_over_time(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    goal = (
        await gql.data(
            "PlanGoalAdd",
            {
                "input": {
                    "familyId": str(area.family.id),
                    "inFamilyWords": "Get to school",
                    "outcomeDomain": "behaviour",
                }
            },
            token=lead,
        )
    )["planGoalAdd"]
    for days_ago, behaviour, safety in ((60, 3, 4), (10, 6, 7)):
        review = {
            "familyId": str(area.family.id),
            "reviewedOn": (date.today() - timedelta(days=days_ago)).isoformat(),
            "summary": "Steady progress",
            "progress": [{"goalId": goal["id"], "progress": "Better on Mondays"}],
            "scores": [{"domain": "behaviour", "score": behaviour}, {"domain": "safety", "score": safety}],
        }
        await gql.data("ReviewRecord", {"input": review}, token=lead)
    outcomes = (await gql.data("FamilyOutcomes", {"familyId": str(area.family.id)}, token=lead))["familyOutcomes"]
    assert [(s["domain"], [p["score"] for p in s["points"]]) for s in outcomes] == [
        ("behaviour", [3, 6]),
        ("safety", [4, 7]),
    ]
    reviews = (await gql.data("FamilyReviews", {"familyId": str(area.family.id)}, token=lead))["familyReviews"]
    assert reviews[0]["progress"] == [{"goalId": goal["id"], "progress": "Better on Mondays"}]
    bad = {
        "familyId": str(area.family.id),
        "reviewedOn": date.today().isoformat(),
        "scores": [{"domain": "safety", "score": 11}],
    }
    assert (await gql.error("ReviewRecord", {"input": bad}, token=lead))["extensions"]["field"] == "scores"
