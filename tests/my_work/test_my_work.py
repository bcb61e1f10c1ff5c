"""My work: one query for a member of staff's actions, meetings, escalations to acknowledge, reviews due
and unread notifications, each with its family, and nothing a family page would hide."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from server.clock import utcnow
from server.db.engine import unit_of_work
from server.plan.models import PlanAction
from tests.api.test_query_counts import counting
from tests.auth_helpers import sign_in
from tests.builders import create_agency, create_family, create_user
from tests.builders_notify import create_action, create_escalation


async def my_work(gql, token: str, first: int = 10) -> dict:
    return (await gql.data("MyWork", {"first": first}, token=token))["myWork"]


def family_of(node: dict) -> tuple[str, str]:
    return node["family"]["reference"], node["family"]["displayName"]


async def a_team(sessions):
    lead = await create_user(sessions, agency=await create_agency(sessions))
    colleague = await create_user(sessions, agency=await create_agency(sessions))
    family = await create_family(sessions, lead=lead, contributors=(colleague,))
    return lead, colleague, family


async def test_my_actions_list_what_i_own_soonest_first_with_the_family_and_only_words_i_may_read(gql, sessions):
    # given a colleague who owns two actions on a family's plan: one of their own agency, one whose
    # description is the lead's agency's health information, which they may not read; and an action
    # in a family whose team they are not on
    lead, colleague, family = await a_team(sessions)
    own = await create_action(sessions, family=family, owner=colleague, set_by=lead, description="Call the school")
    withheld = await create_action(
        sessions,
        family=family,
        owner=colleague,
        set_by=lead,
        description="Health visitor notes",
        category="health",
        owning_agency_id=lead.agency_id,
    )
    elsewhere = await create_family(sessions, lead=lead)
    await create_action(sessions, family=elsewhere, owner=colleague, set_by=lead, description="Not my team")
    async with unit_of_work(sessions) as session:  # one of them overdue since last week
        (await session.get(PlanAction, own.id)).due_date = date.today() - timedelta(days=7)
    # when the colleague reads their work
    actions = (await my_work(gql, await sign_in(gql, colleague)))["actions"]
    # then both actions on their team's family are listed, overdue first, each with its family
    assert actions["totalCount"] == 2
    first, second = actions["nodes"]
    assert first["action"]["id"] == str(own.id) and first["action"]["overdue"] is True
    assert first["action"]["description"] == "Call the school"
    assert family_of(first) == (family.reference, family.display_name)
    assert second["action"]["id"] == str(withheld.id) and second["dueSoon"] is True
    assert second["action"]["description"] is None and second["action"]["contentVisible"] is False
    # and the lead, who may read the whole plan, would see those words (the item rule decided, not the list)
    lead_plan = await gql.data("FamilyPlan", {"familyId": str(family.id)}, token=await sign_in(gql, lead))
    words = {action["id"]: action["description"] for action in lead_plan["familyPlan"]["actions"]}
    assert words[str(withheld.id)] == "Health visitor notes"


async def test_a_done_action_drops_out(gql, sessions):
    # given an action of the colleague's that is then done
    lead, colleague, family = await a_team(sessions)
    action = await create_action(sessions, family=family, owner=colleague, set_by=lead, description="Visit")
    token = await sign_in(gql, colleague)
    assert (await my_work(gql, token))["actions"]["totalCount"] == 1
    async with unit_of_work(sessions) as session:
        row = await session.get(PlanAction, action.id)
        row.status = "done"
    # then it is no longer on their list
    actions = (await my_work(gql, token))["actions"]
    assert actions["totalCount"] == 0 and actions["nodes"] == []


async def test_meetings_i_am_invited_to_or_chair_are_listed_and_cancelled_ones_are_not(gql, sessions):
    # given a lead who arranges a review inviting a colleague, and an outsider with no part in it
    lead, colleague, family = await a_team(sessions)
    outsider = await create_user(sessions, agency=await create_agency(sessions))
    lead_token, colleague_token = await sign_in(gql, lead), await sign_in(gql, colleague)
    at = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    meeting = (
        await gql.data(
            "MeetingSchedule",
            {
                "input": {
                    "familyId": str(family.id),
                    "kind": "review",
                    "scheduledAt": at.isoformat(),
                    "location": "Children's centre",
                    "inviteeUserIds": [str(colleague.id)],
                }
            },
            token=lead_token,
        )
    )["meetingSchedule"]
    # when each reads their work
    for token in (lead_token, colleague_token):
        meetings = (await my_work(gql, token))["meetings"]
        # then the chair and the invitee both see it, with the family
        assert meetings["totalCount"] == 1
        (node,) = meetings["nodes"]
        assert node["meeting"]["id"] == meeting["id"] and node["meeting"]["location"] == "Children's centre"
        assert family_of(node) == (family.reference, family.display_name)
    assert (await my_work(gql, await sign_in(gql, outsider)))["meetings"]["totalCount"] == 0
    # and once cancelled it is gone
    cancel = {"input": {"meetingId": meeting["id"], "expectedVersion": meeting["version"], "reason": "Family away"}}
    await gql.data("MeetingCancel", cancel, token=lead_token)
    assert (await my_work(gql, colleague_token))["meetings"]["totalCount"] == 0


async def test_escalations_wait_for_the_lead_until_acknowledged(gql, sessions):
    # given a colleague who raises an urgent escalation
    lead, colleague, family = await a_team(sessions)
    colleague_token, lead_token = await sign_in(gql, colleague), await sign_in(gql, lead)
    raised = (
        await gql.data(
            "EscalationRaise",
            {
                "input": {
                    "familyId": str(family.id),
                    "level": "urgent",
                    "category": "education",
                    "reason": "Not at school",
                }
            },
            token=colleague_token,
        )
    )["escalationRaise"]
    # when the lead reads their work
    escalations = (await my_work(gql, lead_token))["escalations"]
    # then it waits there, with its deadline, who raised it, and the reason exactly as the family page shows it
    assert escalations["totalCount"] == 1
    (node,) = escalations["nodes"]
    shown = (await gql.data("Escalation", {"id": raised["id"]}, token=lead_token))["escalation"]
    assert node["escalation"]["id"] == raised["id"] and node["escalation"]["level"] == "urgent"
    assert node["escalation"]["ackDueAt"] == raised["ackDueAt"]
    assert node["escalation"]["raisedBy"]["displayName"] == colleague.display_name
    assert node["escalation"]["reason"] == shown["reason"]
    assert family_of(node) == (family.reference, family.display_name)
    # and the colleague, who cannot acknowledge it, has nothing to acknowledge
    assert (await my_work(gql, colleague_token))["escalations"]["totalCount"] == 0
    # and once acknowledged it leaves the lead's list
    await gql.data("EscalationAcknowledge", {"input": {"escalationId": raised["id"]}}, token=lead_token)
    assert (await my_work(gql, lead_token))["escalations"]["totalCount"] == 0


async def test_an_escalation_reason_i_may_not_read_is_not_shown(gql, sessions):
    # given an escalation whose reason is the colleague's agency's police information
    lead, colleague, family = await a_team(sessions)
    escalation = await create_escalation(
        sessions, family=family, raised_by=colleague, reason="Intelligence", category="police"
    )
    lead_token = await sign_in(gql, lead)
    # when the lead reads their work and the escalation itself
    (node,) = (await my_work(gql, lead_token))["escalations"]["nodes"]
    shown = (await gql.data("Escalation", {"id": str(escalation.id)}, token=lead_token))["escalation"]
    # then both say the same: the reason is withheld
    assert shown["reasonVisible"] is False
    assert node["escalation"]["reason"] is None and node["escalation"]["reasonVisible"] is False


async def test_reviews_due_list_open_cases_with_no_review_booked_and_the_caseload_shows_the_next_review(gql, sessions):
    # given a lead's family with no review on the calendar
    lead, colleague, family = await a_team(sessions)
    lead_token = await sign_in(gql, lead)
    # when the lead reads their work
    reviews = (await my_work(gql, lead_token))["reviews"]
    # then the family is listed as missing a review, due within twelve weeks of the referral
    (node,) = [node for node in reviews["nodes"] if node["family"]["id"] == str(family.id)]
    assert node["schedule"]["missing"] is True and node["schedule"]["nextReviewAt"] is None
    assert node["schedule"]["dueBy"] == (utcnow().date() + timedelta(weeks=12)).isoformat()
    # and the colleague, who does not chair the family's meetings, has no reviews to arrange
    assert (await my_work(gql, await sign_in(gql, colleague)))["reviews"]["totalCount"] == 0
    # when a review is booked three weeks away
    at = (utcnow() + timedelta(weeks=3)).replace(microsecond=0)
    schedule = {"familyId": str(family.id), "kind": "review", "scheduledAt": at.isoformat(), "location": "Hub"}
    await gql.data("MeetingSchedule", {"input": schedule}, token=lead_token)
    # then it is no longer due, and the caseload shows when it is
    reviews = (await my_work(gql, lead_token))["reviews"]
    assert str(family.id) not in {node["family"]["id"] for node in reviews["nodes"]}
    caseload = (await gql.data("Caseload", {"first": 100}, token=lead_token))["families"]["nodes"]
    (row,) = [row for row in caseload if row["id"] == str(family.id)]
    assert row["reviewSchedule"]["nextReviewAt"].startswith(at.date().isoformat())
    assert row["reviewSchedule"]["missing"] is False


async def test_unread_notifications_come_with_their_family(gql, sessions):
    # given a colleague told that an action was given to them
    lead, colleague, family = await a_team(sessions)
    lead_token = await sign_in(gql, lead)
    variables = {
        "input": {
            "familyId": str(family.id),
            "description": "Book a visit",
            "ownerUserId": str(colleague.id),
            "dueDate": (date.today() + timedelta(days=5)).isoformat(),
        }
    }
    await gql.data("PlanActionAdd", variables, token=lead_token)
    token = await sign_in(gql, colleague)
    work = await wait_for_unread(gql, token)
    # then the notification names its family
    (node,) = [node for node in work["notifications"]["nodes"] if node["kind"] == "action_assigned"]
    assert node["family"]["displayName"] == family.display_name
    assert work["unreadCount"] >= 1


async def wait_for_unread(gql, token: str) -> dict:
    """The dispatcher turns outbox rows into notifications shortly after the commit."""
    for _ in range(100):
        work = await my_work(gql, token)
        if work["notifications"]["nodes"]:
            return work
        await asyncio.sleep(0.1)
    raise AssertionError("no notification arrived")


def is_request_read(statement: str) -> bool:
    """A read, and not one of the background dispatcher's or timers' (they share the engine, and a backlog left
    by earlier tests keeps them busy)."""
    text = statement.lower()
    return text.lstrip().startswith("select") and "outbox" not in text and "timer" not in text


MY_WORK_STATEMENTS = 13


async def test_my_work_takes_the_same_number_of_statements_for_few_or_many_items(gql, app, sessions):
    async def statements(items: int) -> int:
        lead = await create_user(sessions, agency=await create_agency(sessions))
        colleague = await create_user(sessions, agency=await create_agency(sessions))
        for _ in range(items):
            family = await create_family(sessions, lead=lead, contributors=(colleague,))
            await create_action(sessions, family=family, owner=lead, set_by=lead, description="Act")
            await create_escalation(sessions, family=family, raised_by=colleague, reason="Worry")
        token = await sign_in(gql, lead)
        counts = []
        # the fewest of five, a moment apart: the app's background work (the dispatcher turning these items'
        # outbox rows into notifications, timers) shares the engine and only ever adds statements
        for _ in range(5):
            with counting(app.state.taf.engine) as executed:
                work = await my_work(gql, token, first=50)
            counts.append(len([statement for statement in executed if is_request_read(statement)]))
            await asyncio.sleep(0.2)
        assert work["actions"]["totalCount"] == items and work["escalations"]["totalCount"] == items
        assert len(work["reviews"]["nodes"]) == items
        return min(counts)

    # A fixed ceiling, not equality: the sharing facts load in one batch or two depending on the order the
    # lists' resolvers reach the loader (12 or 13 statements for any number of items); what must not happen
    # is a statement per item, which twelve items would show.
    few, many = await statements(2), await statements(12)
    assert few <= MY_WORK_STATEMENTS and many <= MY_WORK_STATEMENTS, (few, many)


async def test_each_list_pages_by_a_cursor_and_checks_its_size(gql, sessions):
    # given a lead who owns five actions
    lead, _, family = await a_team(sessions)
    made = [await create_action(sessions, family=family, owner=lead, set_by=lead, description="Act") for _ in range(5)]
    token = await sign_in(gql, lead)
    # when they page through their actions two at a time
    seen, after = [], None
    while True:
        variables = {"first": 2, "after": after}
        actions = (await gql.data("MyActions", variables, token=token))["myWork"]["actions"]
        assert actions["totalCount"] == 5
        seen += [node["action"]["id"] for node in actions["nodes"]]
        if not actions["pageInfo"]["hasNextPage"]:
            break
        after = actions["pageInfo"]["endCursor"]
    # then every action comes once, in due-date order
    assert sorted(seen) == sorted(str(action.id) for action in made) and len(seen) == 5
    # and a list size out of range is refused
    result = await gql.op("MyWork", {"first": 0}, token=token)
    assert {error["extensions"]["code"] for error in result["errors"]} == {"BAD_USER_INPUT"}
