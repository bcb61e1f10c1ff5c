"""Builders for the plan's content tests: a team of three agencies around a family, and goals and actions
added by the lead professional through the API (as the service writes them, versions included)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from server.agency.models import Agency, AgencyKind
from server.db.engine import SessionFactory, unit_of_work
from server.team.models import TeamMembership, TeamRole
from server.user.models import SystemRole, User
from tests.builders import Area, create_agency, create_area, create_user, issue_token, join_agreement
from tests.graphql_client import GraphQLClient


@dataclass
class PlanTeam:
    """create_area's family and people, plus a health visitor on the team and a school manager, with tokens."""

    area: Area
    health: Agency
    health_visitor: User
    school_manager: User
    tokens: dict[str, str]

    @property
    def family_id(self) -> str:
        return str(self.area.family.id)


async def join_team(sessions: SessionFactory, area: Area, user: User, agency_role: str = "test role") -> None:
    async with unit_of_work(sessions) as session:
        session.add(
            TeamMembership(
                family_id=area.family.id,
                agency_id=user.agency_id,
                user_id=user.id,
                role=TeamRole.contributor,
                agency_role=agency_role,
            )
        )


async def create_plan_team(sessions: SessionFactory) -> PlanTeam:
    area = await create_area(sessions)
    health = await create_agency(sessions, kind=AgencyKind.health)
    await join_agreement(sessions, agreement=area.area_agreement, agency=health)
    health_visitor = await create_user(sessions, agency=health)
    await join_team(sessions, area, health_visitor)
    school_manager = await create_user(sessions, agency=area.school, role=SystemRole.manager)
    people = {
        "lead": area.lead,
        "colleague": area.colleague,
        "health_visitor": health_visitor,
        "manager": area.manager,
        "school_manager": school_manager,
        "outsider": area.outsider,
    }
    tokens = {name: await issue_token(sessions, user) for name, user in people.items()}
    return PlanTeam(area, health, health_visitor, school_manager, tokens)


async def add_goal(
    gql: GraphQLClient, team: PlanTeam, words: str, *, category: str = "other", agreed: bool = False
) -> dict:
    goal = {
        "familyId": team.family_id,
        "inFamilyWords": words,
        "outcomeDomain": "safety",
        "agreedWithFamily": agreed,
        "category": category,
    }
    return (await gql.data("PlanGoalAdd", {"input": goal}, token=team.tokens["lead"]))["planGoalAdd"]


async def add_action(
    gql: GraphQLClient,
    team: PlanTeam,
    description: str,
    owner: User,
    *,
    goal_id: str | None = None,
    category: str = "other",
    due_in_days: int = 7,
) -> dict:
    action = {
        "familyId": team.family_id,
        "description": description,
        "ownerUserId": str(owner.id),
        "dueDate": (date.today() + timedelta(days=due_in_days)).isoformat(),
        "goalId": goal_id,
        "category": category,
    }
    return (await gql.data("PlanActionAdd", {"input": action}, token=team.tokens["lead"]))["planActionAdd"]
