"""Runs every row of policies/portal_decisions.csv through the real GraphQL API against PostgreSQL: who
may invite family members to the portal and manage invitations, and what each actor sees of a family's
portal page (goals, actions, the next meeting, scores) and of its name on the audit log."""

from __future__ import annotations

import csv
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from server.agency.models import AgencyKind
from server.assessment.models import OutcomeScore, Review
from server.audit import service as audit
from server.auth.service import token_digest
from server.clock import utcnow
from server.config import REPO_ROOT
from server.db.engine import unit_of_work
from server.meeting.models import Meeting, MeetingKind, MeetingStatus
from server.plan.models import ActionStatus, GoalStatus, OutcomeDomain, PlanAction, PlanGoal
from server.portal.models import PortalInvitation
from server.team.models import TeamMembership, TeamRole
from tests.builders import (
    create_agency,
    create_area,
    create_family,
    create_family_member,
    create_family_user,
    create_user,
    issue_token,
    unique,
)

with (REPO_ROOT / "policies" / "portal_decisions.csv").open() as table_file:
    TABLE = list(csv.DictReader(table_file))
REFUSALS = {"NOT_FOUND", "FORBIDDEN", "UNAUTHENTICATED"}


@dataclass
class World:
    area: object
    tokens: dict[str, str] = field(default_factory=dict)
    markers: dict[str, str] = field(default_factory=dict)  # question -> text that appears when seen


@pytest.fixture(scope="module")
async def world(sessions) -> World:
    area = await create_area(sessions)
    police = await create_user(sessions, agency=await create_agency(sessions, kind=AgencyKind.police))
    built = World(area)
    for question in (
        "goal_agreed",
        "goal_not_agreed",
        "action_for_agreed_goal",
        "police_action_for_agreed_goal",
        "action_for_unagreed_goal",
        "next_meeting",
    ):
        built.markers[question] = unique(question.upper())
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
        goals = {}
        for question, agreed in (("goal_agreed", True), ("goal_not_agreed", False)):
            goals[question] = PlanGoal(
                family_id=area.family.id,
                in_family_words=built.markers[question],
                agreed_with_family=agreed,
                outcome_domain=OutcomeDomain.safety,
                status=GoalStatus.open,
                created_by_user_id=area.lead.id,
                owning_agency_id=area.lead.agency_id,
            )
            session.add(goals[question])
        await session.flush()
        for question, goal, owner in (
            ("action_for_agreed_goal", goals["goal_agreed"], area.colleague),
            ("police_action_for_agreed_goal", goals["goal_agreed"], police),
            ("action_for_unagreed_goal", goals["goal_not_agreed"], area.colleague),
        ):
            session.add(
                PlanAction(
                    family_id=area.family.id,
                    goal_id=goal.id,
                    description=built.markers[question],
                    owning_agency_id=owner.agency_id,
                    owner_user_id=owner.id,
                    due_date=date.today() + timedelta(days=5),
                    status=ActionStatus.open,
                    created_by_user_id=area.lead.id,
                )
            )
        session.add(
            Meeting(
                family_id=area.family.id,
                kind=MeetingKind.review,
                status=MeetingStatus.scheduled,
                scheduled_at=utcnow() + timedelta(days=3),
                location=built.markers["next_meeting"],
                chair_user_id=area.lead.id,
            )
        )
        review = Review(
            family_id=area.family.id,
            reviewed_on=date.today(),
            author_user_id=area.lead.id,
            owning_agency_id=area.lead.agency_id,
        )
        session.add(review)
        await session.flush()
        session.add(OutcomeScore(review_id=review.id, domain=OutcomeDomain.safety, score=7))
        await audit.record(session, None, "portalDecisionTableSetUp", family_id=area.family.id)
    staff = {
        "lead_professional": area.lead,
        "team_worker": area.colleague,
        "lead_manager": area.manager,
        "outsider": area.outsider,
        "ig_officer": area.ig,
        "admin": area.admin,
    }
    for actor, user in staff.items():
        built.tokens[actor] = await issue_token(sessions, user)
    built.tokens["family_member"] = await issue_token(sessions, await create_family_user(sessions, family=area.family))
    stranger = await create_family(sessions, lead=area.outsider)
    built.tokens["other_family_member"] = await issue_token(
        sessions, await create_family_user(sessions, family=stranger)
    )
    return built


def test_the_table_covers_every_actor_and_question():
    assert len(TABLE) == 96
    assert len({row["actor"] for row in TABLE}) == 8 and len({row["question"] for row in TABLE}) == 12
    assert {row["expected"] for row in TABLE} == {"allow", "deny"}


def refused(result) -> bool:
    return result.get("data") is None and {error["extensions"]["code"] for error in result["errors"]} <= REFUSALS


async def pending_invitation(sessions, world: World) -> PortalInvitation:
    member = await create_family_member(sessions, family=world.area.family)
    async with unit_of_work(sessions) as session:
        row = PortalInvitation(
            family_id=world.area.family.id,
            family_member_id=member.id,
            email=f"{unique('invitee')}@family.example",
            token_hash=token_digest(secrets.token_urlsafe(32)),
            issued_by_user_id=world.area.lead.id,
            expires_at=utcnow() + timedelta(days=7),
        )
        session.add(row)
    return row


@pytest.mark.parametrize("row", TABLE, ids=[row["case"] for row in TABLE])
async def test_portal_decision(gql, sessions, world, row):
    # given the row's actor and the family's portal world
    token, family_id, question = world.tokens[row["actor"]], str(world.area.family.id), row["question"]
    allowed = row["expected"] == "allow"
    # when they ask the row's question, then the answer is the table's
    if question == "issue_invitation":
        member = await create_family_member(sessions, family=world.area.family)
        variables = {"familyId": family_id, "familyMemberId": str(member.id), "email": f"{unique('m')}@f.example"}
        result = await gql.op("PortalInvitationIssue", {"input": variables}, token=token)
        assert (result.get("data") is not None) if allowed else refused(result), (row["why"], result)
    elif question == "list_invitations":
        result = await gql.op("PortalInvitations", {"familyId": family_id}, token=token)
        assert (result.get("data") is not None) if allowed else refused(result), (row["why"], result)
    elif question == "revoke_invitation":
        invitation = await pending_invitation(sessions, world)
        result = await gql.op("PortalInvitationRevoke", {"invitationId": str(invitation.id)}, token=token)
        async with sessions() as session:
            stored = await session.get(PortalInvitation, invitation.id)
        assert (stored.revoked_at is not None) == allowed, row["why"]
        assert (result["data"]["portalInvitationRevoke"]["status"] == "revoked") if allowed else refused(result)
    elif question == "family_label":
        result = await gql.op("AuditEvents", {"familyId": family_id}, token=token)
        if allowed:
            labels = {event["familyLabel"] for event in result["data"]["auditEvents"]["nodes"]}
            assert f"{world.area.family.display_name} ({world.area.family.reference})" in labels, row["why"]
        else:
            assert refused(result), (row["why"], result)
    else:
        result = await gql.op("PortalSummary", {"familyId": family_id}, token=token)
        if question == "read_portal":
            assert (result.get("data") is not None) if allowed else refused(result), (row["why"], result)
        elif question == "outcome_scores":
            seen = result.get("data") is not None and bool(result["data"]["portalSummary"]["reviews"])
            assert seen == allowed, row["why"]
        else:
            seen = result.get("data") is not None and world.markers[question] in str(result["data"])
            assert seen == allowed, row["why"]
