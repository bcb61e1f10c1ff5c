"""The family's portal page costs the same number of statements however much the plan holds."""

from __future__ import annotations

from datetime import date, timedelta

from server.assessment.models import OutcomeScore, Review
from server.db.engine import unit_of_work
from server.plan.models import ActionStatus, GoalStatus, OutcomeDomain, PlanAction, PlanGoal
from tests.api.test_query_counts import counting
from tests.builders import create_area, create_consent, create_contribution, create_family_user, issue_token


async def portal_statements(gql, app, sessions, n: int) -> int:
    area = await create_area(sessions)
    today = date.today()
    async with unit_of_work(sessions) as session:
        for index in range(n):
            goal = PlanGoal(
                family_id=area.family.id,
                in_family_words=f"Goal {index}",
                agreed_with_family=True,
                outcome_domain=OutcomeDomain.safety,
                status=GoalStatus.open,
                created_by_user_id=area.lead.id,
                owning_agency_id=area.lead.agency_id,
            )
            session.add(goal)
            await session.flush()
            session.add(
                PlanAction(
                    family_id=area.family.id,
                    goal_id=goal.id,
                    description=f"Action {index}",
                    owning_agency_id=area.colleague.agency_id,
                    owner_user_id=area.colleague.id,
                    due_date=today + timedelta(days=index),
                    status=ActionStatus.open,
                    created_by_user_id=area.lead.id,
                )
            )
            review = Review(
                family_id=area.family.id,
                reviewed_on=today - timedelta(days=index),
                author_user_id=area.lead.id,
                owning_agency_id=area.lead.agency_id,
            )
            session.add(review)
            await session.flush()
            session.add(OutcomeScore(review_id=review.id, domain=OutcomeDomain.safety, score=5))
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["education"])
    for _ in range(n):
        item = await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
        await gql.data("Contribution", {"id": str(item.id)}, token=await issue_token(sessions, area.lead))
    parent = await issue_token(sessions, await create_family_user(sessions, family=area.family))
    with counting(app.state.taf.engine) as statements:
        summary = (await gql.data("PortalSummary", token=parent))["portalSummary"]
    assert len(summary["goals"]) == n and len(summary["actionsDue"]) == n
    # the lead's n reads today are one line of the family's access log (one an organisation and day)
    assert [entry["times"] for entry in summary["accessDays"]] == [n]
    return len(statements)


async def test_the_portal_page_does_not_grow_with_the_plan(gql, app, sessions):
    small, large = await portal_statements(gql, app, sessions, 2), await portal_statements(gql, app, sessions, 12)
    assert small == large, (small, large)
    assert large <= 20
