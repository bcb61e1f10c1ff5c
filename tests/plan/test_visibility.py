"""Who sees a family's plan, meetings, review schedule, assessments, reviews, outcomes, escalations and
transitions: one table, every kind of actor, every read path. "allow" is the record's structure (that a
goal or an action exists, its owner, dates and status; that an assessment took place).

Seeing that the family's assessments and reviews exist is not reading them: their narrative, ratings and
notes are the assessing agency's case content, shared only by the sharing rules (the second table here;
tests/assessment/test_content_sharing.py goes through every consent state). Likewise the words of plan
goals and actions are case content, decided per category and not by being on the team
(tests/plan/test_content.py)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.auth_helpers import sign_in
from tests.builders import create_area, create_family_user

READS = [
    ("FamilyPlan", "familyPlan"),
    ("FamilyMeetings", "familyMeetings"),
    ("ReviewSchedule", "reviewSchedule"),
    ("FamilyAssessments", "familyAssessments"),
    ("FamilyReviews", "familyReviews"),
    ("FamilyOutcomes", "familyOutcomes"),
    ("FamilyEscalations", "familyEscalations"),
    ("FamilyTransitions", "familyTransitions"),
]
# actor -> expected answer for every read above
ACTORS = {
    "lead": "allow",  # the lead professional
    "colleague": "allow",  # another agency's worker on the team (the structure; words only as shared)
    "manager": "allow",  # a manager of an agency on the team (words: their own agency's only)
    "outsider": "NOT_FOUND",  # a worker of an agency on the team, not on it themselves
    "other_manager": "NOT_FOUND",  # a manager of an agency not on the team
    "ig": "NOT_FOUND",  # information-governance officer: no case content
    "admin": "NOT_FOUND",  # administrator: no case content
    "family_member": "FORBIDDEN",  # sees the family's record, not the professionals' plan
}
CASES = [(actor, operation, field) for actor in ACTORS for operation, field in READS]


@pytest.fixture(scope="module")
async def world(sessions):
    area = await create_area(sessions)
    area.family_member = await create_family_user(sessions, family=area.family)
    return area


@pytest.mark.parametrize(("actor", "operation", "field"), CASES, ids=[f"{a}/{o}" for a, o, _ in CASES])
async def test_who_reads_what(gql, world, actor, operation, field):
    token = await sign_in(gql, getattr(world, actor))
    result = await gql.op(operation, {"familyId": str(world.family.id)}, token=token)
    if ACTORS[actor] == "allow":
        assert "errors" not in result and result["data"][field] is not None
    else:
        assert result["data"] is None
        assert result["errors"][0]["extensions"]["code"] == ACTORS[actor]


# actor -> whether they read the lead's assessment narrative, its rating and the review's summary, with no
# consent given: only the lead's own agency (the lead and their manager).
CONTENT = {"lead": True, "colleague": False, "manager": True}


@pytest.mark.parametrize(("actor", "reads"), CONTENT.items())
async def test_assessment_and_review_content_is_not_every_workers(gql, world, actor, reads):
    # given the lead's assessment (its narrative in social care) and review, with no consent given
    lead = await sign_in(gql, world.lead)
    family_id = str(world.family.id)
    assessment = {"familyId": family_id, "stage": "entry", "assessedOn": date.today().isoformat()}
    assessment |= {"levelOfNeed": "targeted", "needs": "Needs words", "category": "social_care"}
    await gql.data("AssessmentRecord", {"input": assessment}, token=lead)
    review = {"familyId": family_id, "reviewedOn": date.today().isoformat(), "summary": "Summary words"}
    await gql.data("ReviewRecord", {"input": review}, token=lead)
    # when the actor lists them
    token = await sign_in(gql, getattr(world, actor))
    assessments = (await gql.data("FamilyAssessments", {"familyId": family_id}, token=token))["familyAssessments"]
    reviews = (await gql.data("FamilyReviews", {"familyId": family_id}, token=token))["familyReviews"]
    # then they see that they exist, and their words only if the sharing rules allow
    assert assessments and reviews
    assert {(a["contentVisible"], a["needs"]) for a in assessments} == {(reads, "Needs words" if reads else None)}
    assert {(r["contentVisible"], r["summary"]) for r in reviews} == {(reads, "Summary words" if reads else None)}
