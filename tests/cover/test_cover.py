"""Cover while the lead professional is away, through GraphQL: naming a deputy lead (conflicts, bad input),
marking oneself away (dates checked, overlaps refused, cancelling conflicts), and what the deputy may do
and is told while the lead is away, and not otherwise."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta

import sqlalchemy as sa

from notifications.events import ActionAssigned, EscalationTimedOut
from server.clock import utcnow
from server.db.engine import unit_of_work
from server.inbox import audience
from server.team.models import TeamMembership
from tests.auth_helpers import sign_in
from tests.builders import create_area, create_user
from tests.builders_plan import join_team
from tests.graphql_client import code

TODAY = date.today()


def deputy_input(area, user, expected=None) -> dict:
    return {
        "input": {
            "familyId": str(area.family.id),
            "userId": str(user.id) if user else None,
            "expectedDeputyUserId": str(expected.id) if expected else None,
        }
    }


def away(starts: date, ends: date) -> dict:
    return {"input": {"startsOn": starts.isoformat(), "endsOn": ends.isoformat()}}


async def cover_of(gql, area, token) -> dict:
    return (await gql.data("FamilyCover", {"familyId": str(area.family.id)}, token=token))["family"]["cover"]


async def raise_escalation(gql, area, token) -> dict:
    raised = {"familyId": str(area.family.id), "level": "urgent", "category": "education", "reason": "Hit at home"}
    return (await gql.data("EscalationRaise", {"input": raised}, token=token))["escalationRaise"]


async def test_the_lead_names_a_deputy_and_the_team_sees_who_covers(gql, sessions):
    # given a family whose lead has the school colleague on the team
    area = await create_area(sessions)
    lead, colleague = await sign_in(gql, area.lead), await sign_in(gql, area.colleague)
    # when the lead names the colleague deputy lead
    cover = (await gql.data("DeputyLeadSet", deputy_input(area, area.colleague), token=lead))["deputyLeadSet"]
    # then the team sees the deputy, and that nobody covers yet (the lead is not away)
    assert cover["deputyLead"]["worker"]["id"] == str(area.colleague.id)
    seen = await cover_of(gql, area, colleague)
    assert (seen["deputyLead"]["worker"]["id"], seen["deputyCovering"], seen["leadAway"]) == (
        str(area.colleague.id),
        False,
        None,
    )
    assert seen["viewerMayActOnEscalations"] is False
    assert (await cover_of(gql, area, lead))["viewerMayActOnEscalations"] is True


async def test_naming_a_deputy_is_checked_and_conflicts_instead_of_overwriting(gql, sessions):
    area = await create_area(sessions)
    lead, colleague = await sign_in(gql, area.lead), await sign_in(gql, area.colleague)
    # only a worker on the team, other than the lead, can be deputy
    for user in (area.outsider, area.lead):
        error = await gql.error("DeputyLeadSet", deputy_input(area, user), token=lead)
        assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "userId")
    # only the lead (or their manager) names one; someone off the team does not find the family
    assert code(await gql.error("DeputyLeadSet", deputy_input(area, area.colleague), token=colleague)) == "FORBIDDEN"
    outsider = await sign_in(gql, area.outsider)
    assert code(await gql.error("DeputyLeadSet", deputy_input(area, area.colleague), token=outsider)) == "NOT_FOUND"
    # two changes from the same starting point: one wins, the other is a CONFLICT
    third = await create_user(sessions, agency=area.school)
    await join_team(sessions, area, third)
    answers = await asyncio.gather(
        gql.op("DeputyLeadSet", deputy_input(area, area.colleague), token=lead),
        gql.op("DeputyLeadSet", deputy_input(area, third), token=lead),
    )
    codes = sorted(answer["errors"][0]["extensions"]["code"] if answer.get("errors") else "ok" for answer in answers)
    assert codes == ["CONFLICT", "ok"]
    # and a stale expectation is a CONFLICT too; removing the deputy needs the current one
    current = (await cover_of(gql, area, lead))["deputyLead"]["worker"]["id"]
    assert code(await gql.error("DeputyLeadSet", deputy_input(area, None), token=lead)) == "CONFLICT"
    holder = area.colleague if current == str(area.colleague.id) else third
    removed = (await gql.data("DeputyLeadSet", deputy_input(area, None, expected=holder), token=lead))["deputyLeadSet"]
    assert removed["deputyLead"] is None


async def test_time_away_dates_are_checked_and_overlaps_refused(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    for starts, ends, field in (
        (TODAY + timedelta(days=5), TODAY + timedelta(days=4), "endsOn"),
        (TODAY - timedelta(days=9), TODAY - timedelta(days=2), "endsOn"),
        (TODAY + timedelta(days=400), TODAY + timedelta(days=401), "startsOn"),
        (TODAY, TODAY + timedelta(days=400), "endsOn"),
    ):
        error = await gql.error("TimeAwayRecord", away(starts, ends), token=lead)
        assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", field), (starts, ends)
    assert (await gql.data("MyTimeAway", token=lead))["myTimeAway"] == []
    # two overlapping periods sent at once: one is recorded, the other refused
    answers = await asyncio.gather(
        gql.op("TimeAwayRecord", away(TODAY + timedelta(days=3), TODAY + timedelta(days=10)), token=lead),
        gql.op("TimeAwayRecord", away(TODAY + timedelta(days=8), TODAY + timedelta(days=12)), token=lead),
    )
    codes = sorted(answer["errors"][0]["extensions"]["code"] if answer.get("errors") else "ok" for answer in answers)
    assert codes == ["BAD_USER_INPUT", "ok"]
    [period] = (await gql.data("MyTimeAway", token=lead))["myTimeAway"]
    assert period["current"] is False
    # cancelling against a stale version is a CONFLICT; someone else's period is not found
    cancel = {"input": {"timeAwayId": period["id"], "expectedVersion": period["version"] + 1}}
    assert code(await gql.error("TimeAwayCancel", cancel, token=lead)) == "CONFLICT"
    cancel = {"input": {"timeAwayId": period["id"], "expectedVersion": period["version"]}}
    assert code(await gql.error("TimeAwayCancel", cancel, token=await sign_in(gql, area.colleague))) == "NOT_FOUND"
    await gql.data("TimeAwayCancel", cancel, token=lead)
    assert (await gql.data("MyTimeAway", token=lead))["myTimeAway"] == []
    assert code(await gql.error("TimeAwayCancel", cancel, token=lead)) == "CONFLICT"


async def test_the_deputy_acknowledges_escalations_only_while_the_lead_is_away(gql, sessions):
    # given the colleague named deputy, and an escalation the health visitor raised
    area = await create_area(sessions)
    lead, deputy = await sign_in(gql, area.lead), await sign_in(gql, area.colleague)
    await gql.data("DeputyLeadSet", deputy_input(area, area.colleague), token=lead)
    first = await raise_escalation(gql, area, deputy)
    acknowledge = {"input": {"escalationId": first["id"]}}
    # while the lead is here, the deputy may not acknowledge it
    assert code(await gql.error("EscalationAcknowledge", acknowledge, token=deputy)) == "FORBIDDEN"
    # when the lead marks themselves away from today
    await gql.data("TimeAwayRecord", away(TODAY, TODAY + timedelta(days=7)), token=lead)
    # then the deputy covers: they may acknowledge, and the page says so
    cover = await cover_of(gql, area, deputy)
    assert (cover["deputyCovering"], cover["viewerMayActOnEscalations"], cover["leadAway"]["current"]) == (
        True,
        True,
        True,
    )
    acknowledged = (await gql.data("EscalationAcknowledge", acknowledge, token=deputy))["escalationAcknowledge"]
    assert acknowledged["status"] == "acknowledged"
    # but not the lead's other work: the plan, the team, the family's status
    goal = {"familyId": str(area.family.id), "inFamilyWords": "x", "outcomeDomain": "safety"}
    assert code(await gql.error("PlanGoalAdd", {"input": goal}, token=deputy)) == "FORBIDDEN"
    assert code(await gql.error("DeputyLeadSet", deputy_input(area, None, expected=area.colleague), token=deputy)) == (
        "FORBIDDEN"
    )
    # and once the lead cancels their time away, the deputy no longer covers
    [period] = (await gql.data("MyTimeAway", token=lead))["myTimeAway"]
    await gql.data("TimeAwayCancel", {"input": {"timeAwayId": period["id"], "expectedVersion": 1}}, token=lead)
    second = await raise_escalation(gql, area, deputy)
    assert code(await gql.error("EscalationAcknowledge", {"input": {"escalationId": second["id"]}}, deputy)) == (
        "FORBIDDEN"
    )


async def test_a_deputy_who_leaves_the_team_no_longer_covers(gql, sessions):
    area = await create_area(sessions)
    lead, deputy = await sign_in(gql, area.lead), await sign_in(gql, area.colleague)
    await gql.data("DeputyLeadSet", deputy_input(area, area.colleague), token=lead)
    await gql.data("TimeAwayRecord", away(TODAY, TODAY), token=lead)
    escalation = await raise_escalation(gql, area, deputy)
    # when the colleague leaves the team

    async with unit_of_work(sessions) as session:
        await session.exec(
            sa.update(TeamMembership)
            .where(TeamMembership.family_id == area.family.id, TeamMembership.user_id == area.colleague.id)
            .values(valid_to=utcnow())
        )
    # then they can no longer act for the lead (nor find the family)
    assert code(await gql.error("EscalationAcknowledge", {"input": {"escalationId": escalation["id"]}}, deputy)) == (
        "NOT_FOUND"
    )


async def test_the_deputy_is_told_what_the_lead_is_told_while_the_lead_is_away(gql, sessions):
    # given the colleague named deputy
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    await gql.data("DeputyLeadSet", deputy_input(area, area.colleague), token=lead)
    assigned = ActionAssigned(
        family_id=area.family.id,
        owning_agency_id=area.early_help.id,
        category="other",
        action_id=uuid.uuid4(),
        owner_user_id=area.lead.id,
        actor_user_id=area.lead.id,
    )
    timed_out = EscalationTimedOut(
        family_id=area.family.id,
        owning_agency_id=area.school.id,
        category="education",
        escalation_id=uuid.uuid4(),
        level="urgent",
    )
    # while the lead is here, the deputy is not among who must know of the lead's actions and timed-out escalations
    async with unit_of_work(sessions) as session:
        assert area.colleague.id not in await audience.recipients(session, assigned)
        assert area.colleague.id not in await audience.recipients(session, timed_out)
    # when the lead is away
    await gql.data("TimeAwayRecord", away(TODAY, TODAY + timedelta(days=2)), token=lead)
    # then the deputy is, once, beside the lead
    async with unit_of_work(sessions) as session:
        for event in (assigned, timed_out):
            wanted = await audience.recipients(session, event)
            assert wanted.count(area.colleague.id) == 1 and area.lead.id in wanted


async def test_an_action_set_while_the_lead_is_away_reaches_the_deputys_inbox(gql, sessions):
    # given the colleague named deputy and the lead away
    area = await create_area(sessions)
    lead, deputy = await sign_in(gql, area.lead), await sign_in(gql, area.colleague)
    await gql.data("DeputyLeadSet", deputy_input(area, area.colleague), token=lead)
    await gql.data("TimeAwayRecord", away(TODAY, TODAY + timedelta(days=2)), token=lead)
    # when an action for the lead is set (here by the lead before leaving)
    action = {
        "familyId": str(area.family.id),
        "description": "Call the housing officer",
        "ownerUserId": str(area.lead.id),
        "dueDate": (TODAY + timedelta(days=5)).isoformat(),
    }
    made = (await gql.data("PlanActionAdd", {"input": action}, token=lead))["planActionAdd"]
    # then the deputy's inbox holds it
    inbox = (await gql.data("Inbox", {"first": 50}, token=deputy))["inbox"]["nodes"]
    assert made["owner"]["id"] == str(area.lead.id)
    mine = [n for n in inbox if n["familyId"] == str(area.family.id) and n["kind"] == "action_assigned"]
    assert len(mine) == 1, inbox  # (its words are early help's, not shared with the school: told, not shown)
    assert "Call the housing officer" not in str(mine)
