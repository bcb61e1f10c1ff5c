"""A family with one record of every kind of event the chronology shows, each on a day of its own that is not
the day it was recorded, so a test can tell "happened on" from "recorded at"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from server.clock import utcnow
from server.cover.models import DeputyLead
from server.db.engine import SessionFactory, unit_of_work
from server.escalation.models import Escalation
from server.follow_up.models import FollowUp
from server.legal_status.models import LegalStatusChange
from server.meeting.models import Meeting, MeetingDecision
from server.plan.models import (
    ActionStatus,
    ContingencyStatus,
    GoalStatus,
    PlanAction,
    PlanContingency,
    PlanGoal,
    PlanHistory,
)
from server.referral.models import Referral
from server.team.models import TeamMembership, TeamRole
from server.transition.models import FamilyTransition
from tests.builders import Area, create_consent, create_contribution, create_user
from tests.builders_content import (
    create_assessment_content,
    create_contact_content,
    create_contingency_content,
    create_escalation_content,
    create_meeting_content,
    create_panel_content,
    create_plan_content,
    create_referral_content,
    create_review_content,
    create_service_received_content,
)
from tests.builders_plan import join_team

TODAY = date.today()


def day(days_ago: int) -> date:
    return TODAY - timedelta(days=days_ago)


def moment(days_ago: int) -> datetime:
    return datetime.combine(day(days_ago), time(10, 30), tzinfo=UTC)


@dataclass
class Journey:
    """Ids and canary texts of what was built, and the day each kind of event happened on."""

    ids: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    days: dict[str, date] = field(default_factory=dict)


async def build_journey(sessions: SessionFactory, area: Area, *, category: str = "health") -> Journey:
    """Content written by the school (area.colleague) in `category`, the plan by the lead."""
    journey = Journey()
    owner, lead, facts = area.colleague, area.lead, {"family": area.family, "category": category}
    built = {
        **await create_referral_content(sessions, owner=owner, **facts),
        **await create_escalation_content(sessions, owner=owner, **facts),
        **await create_assessment_content(sessions, owner=owner, **facts),
        **await create_review_content(sessions, owner=owner, **facts),
        **await create_contact_content(sessions, owner=owner, **facts),
        **await create_service_received_content(sessions, owner=owner, **facts),
        **await create_panel_content(sessions, owner=owner, **facts),
        **await create_meeting_content(sessions, chair=lead, owner=owner, agreed=False, **facts),
        **await create_plan_content(sessions, lead=lead, owner=owner, agreed=False, **facts),
        **await create_contingency_content(sessions, lead=lead, owner=owner, agreed=False, third_party=False, **facts),
    }
    for kind, (content_id, text) in built.items():
        journey.ids[kind], journey.texts[kind] = str(content_id), text or ""
    contribution = await create_contribution(sessions, family=area.family, author=owner, category=category)
    journey.ids["contribution"], journey.texts["contribution"] = str(contribution.id), contribution.title
    await _dates(sessions, area, journey)
    await _transitions(sessions, area, journey)
    consent = await create_consent(
        sessions, family=area.family, recorded_by=lead, categories=["finance"], withdrawn=True
    )
    journey.ids["consent"] = str(consent.id)
    return journey


async def _dates(sessions: SessionFactory, area: Area, journey: Journey) -> None:
    """Move each event to a day of its own (recorded now, happened earlier), and complete the plan's parts."""
    async with unit_of_work(sessions) as session:
        escalation = await session.get(Escalation, journey.ids["escalation_reason"])
        escalation.raised_at, escalation.acknowledged_at = moment(40), moment(39)
        escalation.acknowledged_by_user_id = area.lead.id
        escalation.resolved_at, escalation.resolved_by_user_id = moment(38), area.lead.id
        escalation.outcome, escalation.outcome_note = (
            "managed_within_plan",
            "Outcome note " + journey.texts["escalation_reason"],
        )
        decision = await session.get(MeetingDecision, journey.ids["meeting_decision"])
        meeting = await session.get(Meeting, decision.meeting_id)
        # published minutes never change: the meeting keeps the days it was built with
        journey.ids["meeting"] = str(meeting.id)
        journey.days["meeting_held"] = meeting.scheduled_at.date()
        journey.days["minutes_published"] = meeting.minutes_published_at.date()
        referral = await session.get(Referral, journey.ids["referral_reason"])
        referral.first_contact_on = day(2)
        goal = await session.get(PlanGoal, journey.ids["plan_goal"])
        goal.status, goal.updated_at = GoalStatus.achieved, moment(5)
        action = await session.get(PlanAction, journey.ids["plan_action"])
        action.status, action.updated_at = ActionStatus.done, moment(6)
        # done 12 days ago (its history says so); its words were edited 6 days ago, which does not move that day
        done = {"status": "done", "description": action.description}
        history = PlanHistory(
            family_id=area.family.id,
            entity="action",
            entity_id=action.id,
            version=99,
            editor_user_id=area.lead.id,
            snapshot=done,
            created_at=moment(12),
        )
        session.add(history)
        contingency = await session.get(PlanContingency, journey.ids["plan_contingency"])
        contingency.status, contingency.updated_at = ContingencyStatus.used, moment(7)
        session.add(
            TeamMembership(
                family_id=area.family.id,
                agency_id=area.outsider.agency_id,
                user_id=area.outsider.id,
                role=TeamRole.contributor,
                agency_role="attendance support",
                valid_from=moment(50),
                valid_to=moment(45),
            )
        )
        session.add(DeputyLead(family_id=area.family.id, user_id=area.colleague.id, appointed_by_user_id=area.lead.id))


async def _transitions(sessions: SessionFactory, area: Area, journey: Journey) -> None:
    async with unit_of_work(sessions) as session:
        for kind, days_ago in (("step_up", 20), ("step_down", 15), ("closure", 10), ("reopening", 9)):
            row = FamilyTransition(
                family_id=area.family.id,
                kind=kind,
                effective_on=day(days_ago),
                reason="A reason",
                outcome="goals_achieved" if kind == "closure" else None,
                care_outcome="remained_at_home" if kind == "closure" else None,
                recorded_by_user_id=area.lead.id,
            )
            session.add(row)
            await session.flush()
            journey.ids[kind], journey.days[kind] = str(row.id), day(days_ago)
        session.add(
            LegalStatusChange(
                family_id=area.family.id,
                legal_status="child_in_need",
                edge_of_care=True,
                effective_from=day(25),
                recorded_by_user_id=area.lead.id,
            )
        )
        follow_up = FollowUp(
            family_id=area.family.id,
            closure_id=journey.ids["closure"],
            months=3,
            due_on=day(2),
            checked_on=day(3),
            still_at_home=True,
            re_referred=False,
            recorded_by_user_id=area.lead.id,
            recorded_at=utcnow(),
        )
        session.add(follow_up)


async def third_worker(sessions: SessionFactory, area: Area, agency):
    """A worker of another agency on the team."""
    worker = await create_user(sessions, agency=agency)
    await join_team(sessions, area, worker)
    return worker
