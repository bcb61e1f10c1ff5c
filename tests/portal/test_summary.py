"""The family's portal page holds only what is for the family: goals agreed with them, the actions that
serve those goals (never a police agency's), the next meeting's date and place, outcome scores, and who
from other agencies looked at their information, by organisation and day; the team in words written for
the family, never the agencies' own role text."""

from __future__ import annotations

from datetime import date, timedelta

from server.agency.models import AgencyKind
from server.assessment.models import OutcomeScore, Review
from server.clock import utcnow
from server.db.engine import unit_of_work
from server.meeting.models import Meeting, MeetingKind, MeetingStatus
from server.plan.models import ActionStatus, GoalStatus, OutcomeDomain, PlanAction, PlanGoal
from server.portal.summary import ROLE_FOR_FAMILIES
from server.team.models import TeamMembership, TeamRole
from tests.builders import (
    create_agency,
    create_area,
    create_consent,
    create_contribution,
    create_family_user,
    create_user,
    issue_token,
)


async def test_the_portal_shows_only_what_is_for_the_family(gql, sessions):
    # given a family whose plan has an agreed goal and one not (yet) agreed, actions by the school, by the
    # police and for the unagreed goal, a held and a scheduled meeting, two reviews and a parent's account
    area = await create_area(sessions)
    police = await create_user(sessions, agency=await create_agency(sessions, kind=AgencyKind.police))
    today = date.today()
    async with unit_of_work(sessions) as session:
        session.add(
            TeamMembership(
                family_id=area.family.id,
                agency_id=police.agency_id,
                user_id=police.id,
                role=TeamRole.contributor,
                agency_role="Neighbourhood officer",
            )
        )
        agreed = PlanGoal(
            family_id=area.family.id,
            in_family_words="Sam goes to school every day",
            agreed_with_family=True,
            outcome_domain=OutcomeDomain.school_attendance_attainment,
            status=GoalStatus.open,
            created_by_user_id=area.lead.id,
            owning_agency_id=area.lead.agency_id,
        )
        draft = PlanGoal(
            family_id=area.family.id,
            in_family_words="A draft goal not yet agreed",
            outcome_domain=OutcomeDomain.safety,
            status=GoalStatus.open,
            created_by_user_id=area.lead.id,
            owning_agency_id=area.lead.agency_id,
        )
        session.add_all([agreed, draft])
        await session.flush()
        for goal, who, text in [
            (agreed, area.colleague, "Morning check-in at school"),
            (agreed, police, "Police visit to discuss the incident"),
            (draft, area.lead, "Action on a draft goal"),
        ]:
            session.add(
                PlanAction(
                    family_id=area.family.id,
                    goal_id=goal.id,
                    description=text,
                    owning_agency_id=who.agency_id,
                    owner_user_id=who.id,
                    due_date=today + timedelta(days=7),
                    status=ActionStatus.open,
                    created_by_user_id=area.lead.id,
                )
            )
        for at, status in [
            (utcnow() - timedelta(days=20), MeetingStatus.held),
            (utcnow() + timedelta(days=9), MeetingStatus.scheduled),
        ]:
            session.add(
                Meeting(
                    family_id=area.family.id,
                    kind=MeetingKind.review,
                    status=status,
                    scheduled_at=at,
                    location="Children's centre",
                    chair_user_id=area.lead.id,
                    agenda="Private agenda text",
                )
            )
        for days_ago, score in [(40, 3), (10, 6)]:
            review = Review(
                family_id=area.family.id,
                reviewed_on=today - timedelta(days=days_ago),
                summary="Private review summary",
                author_user_id=area.lead.id,
                owning_agency_id=area.lead.agency_id,
            )
            session.add(review)
            await session.flush()
            session.add(
                OutcomeScore(review_id=review.id, domain=OutcomeDomain.school_attendance_attainment, score=score)
            )
    # and the lead professional read a school item the family agreed to share
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["education"])
    item = await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
    await gql.data("Contribution", {"id": str(item.id)}, token=await issue_token(sessions, area.lead))
    parent = await issue_token(sessions, await create_family_user(sessions, family=area.family))
    # when the parent opens their portal page
    summary = (await gql.data("PortalSummary", token=parent))["portalSummary"]
    # then they see the agreed goal, the school's action, the next meeting and the scores over time
    assert [goal["inFamilyWords"] for goal in summary["goals"]] == ["Sam goes to school every day"]
    assert [action["description"] for action in summary["actionsDue"]] == ["Morning check-in at school"]
    assert summary["nextMeeting"]["location"] == "Children's centre"
    assert [review["scores"][0]["score"] for review in summary["reviews"]] == [3, 6]
    # and who looked, by organisation and day, not by name or role
    assert [
        (entry["on"], entry["agencyName"], entry["times"], entry["categories"]) for entry in summary["accessDays"]
    ] == [(utcnow().date().isoformat(), area.early_help.name, 1, ["education"])]
    # and nothing private: no agenda, review summary, draft goal or police action, no staff role text
    text = str(summary)
    for secret in ("Private agenda", "Private review", "draft goal", "Police visit", "test role", "Neighbourhood"):
        assert secret not in text
    # and the team with how to reach them, the lead first, their role explained in words for the family
    lead = summary["team"][0]
    assert (lead["name"], lead["lead"]) == (area.lead.display_name, True)
    assert lead["whatTheyDo"] == ROLE_FOR_FAMILIES[TeamRole.lead_professional]


async def test_nothing_a_police_agency_holds_reaches_the_family(gql, sessions):
    # given a police officer on the team, and an agreed goal the police action serves
    area = await create_area(sessions)
    police = await create_user(sessions, agency=await create_agency(sessions, kind=AgencyKind.police))
    async with unit_of_work(sessions) as session:
        session.add(
            TeamMembership(
                family_id=area.family.id,
                agency_id=police.agency_id,
                user_id=police.id,
                role=TeamRole.contributor,
                agency_role="Neighbourhood officer",
            )
        )
    lead = await issue_token(sessions, area.lead)
    family_id = str(area.family.id)
    due = (date.today() + timedelta(days=7)).isoformat()
    goals = {}
    for words, category in (("We feel calmer at home", "mental_health"), ("Police words in a goal", "police")):
        goal = {"familyId": family_id, "inFamilyWords": words, "outcomeDomain": "safety", "agreedWithFamily": True}
        added = await gql.data("PlanGoalAdd", {"input": {**goal, "category": category}}, token=lead)
        goals[category] = added["planGoalAdd"]["id"]
    for description, owner in (("Police safety visit", police), ("School nurture group", area.colleague)):
        action = {"familyId": family_id, "description": description, "ownerUserId": str(owner.id), "dueDate": due}
        await gql.data("PlanActionAdd", {"input": {**action, "goalId": goals["mental_health"]}}, token=lead)
    # and items marked for the family summary: the police's in domestic abuse, the school's in the same category
    police_item = await create_contribution(
        sessions, family=area.family, author=police, category="domestic_abuse", family_summary=True
    )
    school_item = await create_contribution(
        sessions, family=area.family, author=area.colleague, category="domestic_abuse", family_summary=True
    )
    parent = await issue_token(sessions, await create_family_user(sessions, family=area.family))
    # when a parent reads their portal page and what the team has written for them
    summary = (await gql.data("PortalSummary", token=parent))["portalSummary"]
    shared = await gql.data("FamilyContributions", {"familyId": family_id, "first": 100}, token=parent)
    # then the school's words reach them, and nothing the police hold, in any category
    assert [goal["inFamilyWords"] for goal in summary["goals"]] == ["We feel calmer at home"]
    assert [action["description"] for action in summary["actionsDue"]] == ["School nurture group"]
    assert [node["id"] for node in shared["family"]["contributions"]["nodes"]] == [str(school_item.id)]
    assert shared["family"]["contributions"]["totalCount"] == 1
    assert police_item.title not in str(shared) and "Police" not in str(summary)
    # and the police item, asked for by id, answers as a missing one
    error = await gql.error("Contribution", {"id": str(police_item.id)}, token=parent)
    assert error["extensions"]["code"] == "NOT_FOUND"
