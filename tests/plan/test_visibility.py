"""Who sees a family's plan, meetings, review schedule, assessments, reviews, outcomes, escalations and
transitions: one table, every kind of actor, every read path."""

from __future__ import annotations

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
    "colleague": "allow",  # another agency's worker on the team
    "manager": "allow",  # a manager of an agency on the team
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
