"""The plan, meetings, assessments and escalations pages cost the same number of statements whatever
their size (STYLE.md R23), for the lead professional (who reads every goal and action) and for another
agency's worker (whose reads of goals and actions in several categories are decided one way or the other)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from server.db.engine import unit_of_work
from server.meeting.models import Meeting
from tests.api.test_query_counts import counting
from tests.auth_helpers import sign_in
from tests.builders import create_area

CATEGORIES = ("other", "health", "mental_health", "education")


async def family_pages(gql, app, sessions, n: int) -> tuple[int, int]:
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    family_id = str(area.family.id)
    due = (date.today() + timedelta(days=5)).isoformat()
    for index in range(n):
        owner = area.colleague if index % 2 else area.lead
        goal = (
            await gql.data(
                "PlanGoalAdd",
                {
                    "input": {
                        "familyId": family_id,
                        "inFamilyWords": f"Goal {index}",
                        "outcomeDomain": "safety",
                        "agreedWithFamily": index % 3 == 0,
                        "category": CATEGORIES[index % 4],
                    }
                },
                token=lead,
            )
        )["planGoalAdd"]
        action = {"familyId": family_id, "description": f"A{index}", "ownerUserId": str(owner.id), "dueDate": due}
        action["category"] = CATEGORIES[(index + 1) % 4]
        await gql.data("PlanActionAdd", {"input": {**action, "goalId": goal["id"]}}, token=lead)
        at = (datetime.now(UTC) + timedelta(days=index + 1)).isoformat()
        meeting = {"familyId": family_id, "kind": "review", "scheduledAt": at, "location": "Hub"}
        meeting["inviteeUserIds"] = [str(area.colleague.id)]
        scheduled = (await gql.data("MeetingSchedule", {"input": meeting}, token=lead))["meetingSchedule"]
        async with unit_of_work(sessions) as session:
            await session.exec(
                sa.update(Meeting)
                .where(Meeting.id == uuid.UUID(scheduled["id"]))
                .values(scheduled_at=datetime.now(UTC) - timedelta(days=index + 1))
            )
        await gql.data(
            "MeetingActionAdd",
            {"input": {"meetingId": scheduled["id"], "description": "M", "ownerUserId": str(owner.id), "dueDate": due}},
            token=lead,
        )
        await gql.data("MeetingDecisionAdd", {"input": {"meetingId": scheduled["id"], "text": "D"}}, token=lead)
        assessment = {"familyId": family_id, "stage": "review", "assessedOn": date.today().isoformat()}
        assessment |= {"levelOfNeed": "targeted", "ratings": [{"factor": "family_debt", "rating": "low"}]}
        await gql.data("AssessmentRecord", {"input": assessment}, token=lead)
        escalation = {"familyId": family_id, "level": "concern", "category": "education", "reason": "R"}
        await gql.data("EscalationRaise", {"input": escalation}, token=await sign_in(gql, owner))
    counts = []
    for token in (lead, await sign_in(gql, area.colleague)):
        with counting(app.state.taf.engine) as statements:
            plan = await gql.data("FamilyPlan", {"familyId": family_id}, token=token)
            meetings = await gql.data("FamilyMeetings", {"familyId": family_id}, token=token)
            await gql.data("FamilyAssessments", {"familyId": family_id}, token=token)
            escalations = await gql.data("FamilyEscalations", {"familyId": family_id}, token=token)
            history = await gql.data("PlanHistory", {"familyId": family_id}, token=token)
        assert len(plan["familyPlan"]["actions"]) == 2 * n and len(meetings["familyMeetings"]) == n
        assert len(escalations["familyEscalations"]) == n and len(history["planHistory"]) == 3 * n
        counts.append(len(statements))
    # the colleague's reads are decided both ways: some words withheld, some shown
    seen = [action["contentVisible"] for action in plan["familyPlan"]["actions"]]
    assert True in seen and False in seen
    return counts[0], counts[1]


async def test_plan_pages_do_not_grow_with_their_size(gql, app, sessions):
    assert await family_pages(gql, app, sessions, 2) == await family_pages(gql, app, sessions, 12)
