"""What a family member sees on the portal: their own family's goals, team, what happens next, how
things are going and who has looked at their information. Every part is decided by the enforcement
point (server/access), goals and actions by the same case-content rules as everywhere else, in SQL: only
what is for the family (goals and contingencies agreed with them and the actions serving those goals), never police
information, anything a police agency holds or anything naming third parties, never another family."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Act
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.agency.models import Agency
from server.assessment.models import OutcomeScore, Review
from server.audit import queries as audit_queries
from server.audit.queries import AccessDay
from server.clock import utcnow
from server.errors import NotFound
from server.family.models import Family, FamilyMember
from server.meeting.models import Meeting, MeetingStatus
from server.plan.content import action_columns, contingency_columns, goal_columns
from server.plan.models import (
    OPEN_ACTION_STATUSES,
    ContingencyStatus,
    GoalStatus,
    PlanAction,
    PlanContingency,
    PlanGoal,
)
from server.team.models import TeamMembership, TeamRole
from server.user.models import User

SUMMARY = Kind.portal_summary


@dataclass(frozen=True)
class ActionDue:
    description: str
    agency_name: str
    due_date: date
    status: str


@dataclass(frozen=True)
class NextMeeting:
    at: datetime
    kind: str
    location: str
    online: bool


# What each role on the plan means, in words for families: shown for a team member whose part nobody has
# described for the family. The agency's own role text is written for staff and never reaches the portal.
ROLE_FOR_FAMILIES = {
    TeamRole.lead_professional: "Your main contact. They bring your team together and make sure your family's"
    " plan happens.",
    TeamRole.contributor: "They are part of your family's team and help with your plan. Your lead professional"
    " can tell you more about what they do.",
}


@dataclass(frozen=True)
class TeamMemberForFamily:
    name: str
    agency_name: str
    lead: bool
    what_they_do: str  # the family description written for them, or what their role means
    contact_in_hours: str
    contact_out_of_hours: str


@dataclass(frozen=True)
class ReviewScores:
    reviewed_on: date
    scores: list[tuple[str, int]]  # (outcome domain, 1..10)


@dataclass(frozen=True)
class Summary:
    family: Family
    goals: list[PlanGoal]
    contingencies: list[PlanContingency]
    team: list[TeamMemberForFamily]
    next_meeting: NextMeeting | None
    actions_due: list[ActionDue]
    reviews: list[ReviewScores]
    access_days: list[AccessDay]


async def own_family_id(session: AsyncSession, access: AccessControl) -> uuid.UUID:
    """The family of the signed-in family member; NOT_FOUND for anyone else."""
    member_id = access.actor.family_member_id
    member = await session.get(FamilyMember, member_id) if member_id else None
    if member is None:
        raise NotFound("There is no family linked to your account.")
    return member.family_id


async def summary(session: AsyncSession, access: AccessControl, family_id: uuid.UUID) -> Summary:
    await access.require(session, Act.read, SUMMARY, family_id)
    family = await session.get(Family, family_id)
    assert family is not None  # a family the actor may see exists
    return Summary(
        family=family,
        goals=await _goals(session, access, family_id),
        contingencies=await _contingencies(session, access, family_id),
        team=await _team(session, family_id),
        next_meeting=await _next_meeting(session, access, family_id),
        actions_due=await _actions_due(session, access, family_id),
        reviews=await _reviews(session, access, family_id),
        access_days=await audit_queries.access_days(session, access, family_id, first=50),
    )


async def _goals(session: AsyncSession, access: AccessControl, family_id: uuid.UUID) -> list[PlanGoal]:
    visible = await access.item_filter(session, family_id, goal_columns(), kind=Kind.plan_goal)
    statement = (
        select(PlanGoal)
        .where(PlanGoal.family_id == family_id, PlanGoal.status != GoalStatus.withdrawn, visible)
        .order_by(col(PlanGoal.created_at))
    )
    return list((await session.exec(statement)).all())


async def _contingencies(session: AsyncSession, access: AccessControl, family_id: uuid.UUID) -> list[PlanContingency]:
    """The contingencies in place that the family agreed (and that name nobody outside it): the policy's
    family_summary_item and third_party_or_police rules, in SQL."""
    visible = await access.item_filter(session, family_id, contingency_columns(), kind=Kind.plan_contingency)
    statement = (
        select(PlanContingency)
        .where(
            PlanContingency.family_id == family_id,
            PlanContingency.status == ContingencyStatus.in_place,
            visible,
        )
        .order_by(col(PlanContingency.created_at), col(PlanContingency.id))
    )
    return list((await session.exec(statement)).all())


async def _team(session: AsyncSession, family_id: uuid.UUID) -> list[TeamMemberForFamily]:
    # The team is part of the family's record, which the caller may read (checked in summary()).
    statement = (
        select(TeamMembership, User.display_name, Agency.name)
        .join(User, col(User.id) == TeamMembership.user_id)
        .join(Agency, col(Agency.id) == TeamMembership.agency_id)
        .where(TeamMembership.family_id == family_id, col(TeamMembership.valid_to).is_(None))
        .order_by(col(TeamMembership.role).desc(), col(TeamMembership.valid_from))
    )
    return [
        TeamMemberForFamily(
            name=name,
            agency_name=agency_name,
            lead=member.role is TeamRole.lead_professional,
            what_they_do=member.family_description or ROLE_FOR_FAMILIES[member.role],
            contact_in_hours=member.contact_in_hours,
            contact_out_of_hours=member.contact_out_of_hours,
        )
        for member, name, agency_name in (await session.exec(statement)).all()
    ]


async def _next_meeting(session: AsyncSession, access: AccessControl, family_id: uuid.UUID) -> NextMeeting | None:
    if not await access.can(session, Act.read, Kind.meeting_date, family_id):
        return None
    statement = (
        select(Meeting)
        .where(
            Meeting.family_id == family_id,
            Meeting.status == MeetingStatus.scheduled,
            col(Meeting.scheduled_at) >= utcnow(),
        )
        .order_by(col(Meeting.scheduled_at))
        .limit(1)
    )
    meeting = (await session.exec(statement)).first()
    if meeting is None:
        return None
    return NextMeeting(meeting.scheduled_at, meeting.kind.value, meeting.location, bool(meeting.call_link))


async def _actions_due(session: AsyncSession, access: AccessControl, family_id: uuid.UUID) -> list[ActionDue]:
    visible = await access.item_filter(session, family_id, action_columns(), kind=Kind.plan_action)
    statement = (
        select(PlanAction, Agency.name)
        .join(Agency, col(Agency.id) == PlanAction.owning_agency_id)
        .where(PlanAction.family_id == family_id, col(PlanAction.status).in_(OPEN_ACTION_STATUSES), visible)
        .order_by(col(PlanAction.due_date), col(PlanAction.created_at))
        .limit(20)
    )
    return [
        ActionDue(action.description, agency_name, action.due_date, action.status.value)
        for action, agency_name in (await session.exec(statement)).all()
    ]


async def _reviews(session: AsyncSession, access: AccessControl, family_id: uuid.UUID) -> list[ReviewScores]:
    if not await access.can(session, Act.read, Kind.outcome_score, family_id):
        return []
    statement = (
        select(Review.id, Review.reviewed_on, OutcomeScore.domain, OutcomeScore.score)
        .join(OutcomeScore, col(OutcomeScore.review_id) == Review.id)
        .where(Review.family_id == family_id)
        .order_by(col(Review.reviewed_on), col(Review.created_at), col(OutcomeScore.domain))
    )
    reviews: dict[uuid.UUID, ReviewScores] = {}
    for review_id, reviewed_on, domain, score in (await session.exec(statement)).all():
        reviews.setdefault(review_id, ReviewScores(reviewed_on, [])).scores.append((domain.value, score))
    return list(reviews.values())[-12:]
