"""Caseload filters for what needs attention: overdue actions and open escalations. They count and
filter only what the caller may read, through the same policy as the family page."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from server.db.engine import unit_of_work
from server.plan.models import PlanAction
from tests.api.test_query_counts import counting
from tests.auth_helpers import sign_in
from tests.builders import create_agency, create_area, create_family, create_user


def action_input(family_id, owner) -> dict:
    return {
        "input": {
            "familyId": str(family_id),
            "description": "Book a housing repairs visit",
            "ownerUserId": str(owner.id),
            "dueDate": (date.today() + timedelta(days=7)).isoformat(),
        }
    }


async def add_overdue_action(gql, sessions, family, owner, token) -> str:
    action = (await gql.data("PlanActionAdd", action_input(family.id, owner), token=token))["planActionAdd"]
    async with unit_of_work(sessions) as session:  # as if it had been set weeks ago
        row = await session.get(PlanAction, uuid.UUID(action["id"]))
        row.due_date = date.today() - timedelta(days=3)
    return action["id"]


async def raise_escalation(gql, family, token) -> str:
    variables = {"input": {"familyId": str(family.id), "level": "concern", "category": "education", "reason": "Absent"}}
    return (await gql.data("EscalationRaise", variables, token=token))["escalationRaise"]["id"]


def ids(page) -> list[str]:
    return [node["id"] for node in page["families"]["nodes"]]


async def test_the_caseload_filters_by_overdue_actions_and_open_escalations(gql, sessions):
    # given a lead with three families: one with an overdue action, one with an open escalation, one quiet
    agency = await create_agency(sessions)
    lead = await create_user(sessions, agency=agency)
    overdue, escalated, quiet = [await create_family(sessions, lead=lead) for _ in range(3)]
    token = await sign_in(gql, lead)
    await add_overdue_action(gql, sessions, overdue, lead, token)
    await gql.data("PlanActionAdd", action_input(quiet.id, lead), token=token)  # due next week: not overdue
    await raise_escalation(gql, escalated, token)
    # when the caseload is filtered
    by_overdue = await gql.data("Caseload", {"overdueActions": True}, token=token)
    by_escalation = await gql.data("Caseload", {"openEscalations": True}, token=token)
    by_both = await gql.data("Caseload", {"overdueActions": True, "openEscalations": True}, token=token)
    everything = await gql.data("Caseload", {"first": 50}, token=token)
    # then each filter keeps only the matching families, and counts them
    assert ids(by_overdue) == [str(overdue.id)] and by_overdue["families"]["totalCount"] == 1
    assert ids(by_escalation) == [str(escalated.id)] and by_escalation["families"]["totalCount"] == 1
    assert ids(by_both) == [] and by_both["families"]["totalCount"] == 0
    # and every family says how many of each it has
    counts = {n["id"]: (n["overdueActionCount"], n["openEscalationCount"]) for n in everything["families"]["nodes"]}
    assert counts == {str(overdue.id): (1, 0), str(escalated.id): (0, 1), str(quiet.id): (0, 0)}


async def test_a_resolved_escalation_and_a_done_action_no_longer_need_attention(gql, sessions):
    # given a family with an overdue action and an escalation
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    action_id = await add_overdue_action(gql, sessions, area.family, area.lead, lead)
    escalation_id = await raise_escalation(gql, area.family, lead)
    # when the action is done and the escalation resolved
    edit = {"input": {"actionId": action_id, "expectedVersion": 1, "status": "done"}}
    await gql.data("PlanActionEdit", edit, token=lead)
    resolve = {"input": {"escalationId": escalation_id, "outcome": "managed_within_plan"}}
    await gql.data("EscalationResolve", resolve, token=lead)
    # then neither filter finds the family
    assert ids(await gql.data("Caseload", {"overdueActions": True}, token=lead)) == []
    assert ids(await gql.data("Caseload", {"openEscalations": True}, token=lead)) == []


@pytest.mark.parametrize(
    ("who", "sees"),
    [("lead", True), ("colleague", True), ("manager", True), ("outsider", False), ("other_manager", False)],
)
async def test_the_filters_never_reveal_a_family_the_caller_may_not_see(gql, sessions, who, sees):
    # given a family with an overdue action and an open escalation
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    await add_overdue_action(gql, sessions, area.family, area.colleague, lead)
    await raise_escalation(gql, area.family, lead)
    # when each person filters their caseload
    token = await sign_in(gql, getattr(area, who))
    found = [
        await gql.data("Caseload", {"overdueActions": True}, token=token),
        await gql.data("Caseload", {"openEscalations": True}, token=token),
    ]
    # then only those who may read the plan and the escalations find it (the family page's own rules)
    for page in found:
        assert (str(area.family.id) in ids(page)) is sees
        assert page["families"]["totalCount"] == (1 if sees else 0)


async def test_the_counts_do_not_add_statements_as_the_caseload_grows(gql, app, sessions):
    async def statements(families: int) -> int:
        agency = await create_agency(sessions)
        lead = await create_user(sessions, agency=agency)
        for _ in range(families):
            await create_family(sessions, lead=lead)
        token = await sign_in(gql, lead)
        with counting(app.state.taf.engine) as seen:
            page = await gql.data("Caseload", {"first": 50, "overdueActions": False}, token=token)
        assert all(node["overdueActionCount"] == 0 for node in page["families"]["nodes"])
        return len(seen)

    assert await statements(2) == await statements(15)
