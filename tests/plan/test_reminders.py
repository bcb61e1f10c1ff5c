"""Reminders of the plan's actions: due soon and overdue timers follow an action (set, moved, cancelled),
and fire exactly once with two instances running, reaching the action's owner and the lead."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from notifications import timers
from server.db.engine import create_session_factory
from server.plan.reminders import DUE_SOON_DAYS
from tests.auth_helpers import sign_in
from tests.builders import create_area
from tests.graphql_client import GraphQLClient


def action_input(family_id, owner, due: date) -> dict:
    return {
        "input": {
            "familyId": str(family_id),
            "description": "Book the housing repair visit",
            "ownerUserId": str(owner.id),
            "dueDate": due.isoformat(),
        }
    }


async def pending_timers(sessions, action_id: str) -> set[tuple[str, datetime]]:
    async with sessions() as session:
        rows = await session.exec(
            sa.text("SELECT kind, due_at FROM timer WHERE subject_id = :s AND fired_at IS NULL"),
            params={"s": uuid.UUID(action_id)},
        )
        return {(kind, due_at) for kind, due_at in rows.all()}


def reminders_for(due: date) -> set[tuple[str, datetime]]:
    return {
        ("action_due_soon", datetime.combine(due - timedelta(days=DUE_SOON_DAYS), time(8, 0), tzinfo=UTC)),
        ("action_overdue", datetime.combine(due + timedelta(days=1), time(0, 0), tzinfo=UTC)),
    }


async def test_an_actions_reminders_follow_it(gql: GraphQLClient, sessions):
    # given an action due in five days
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    due = date.today() + timedelta(days=5)
    action = (await gql.data("PlanActionAdd", action_input(area.family.id, area.colleague, due), lead))["planActionAdd"]
    # then it will be reminded of two days before, and once overdue
    assert await pending_timers(sessions, action["id"]) == reminders_for(due)
    # when its due date moves, the reminders move with it
    later = due + timedelta(days=10)
    edit = {"input": {"actionId": action["id"], "expectedVersion": 1, "dueDate": later.isoformat()}}
    await gql.data("PlanActionEdit", edit, lead)
    assert await pending_timers(sessions, action["id"]) == reminders_for(later)
    # and once it is done, nothing is left to remind of
    done = {"input": {"actionId": action["id"], "expectedVersion": 2, "status": "done"}}
    await gql.data("PlanActionEdit", done, await sign_in(gql, area.colleague))
    assert await pending_timers(sessions, action["id"]) == set()


async def test_no_reminder_is_set_for_a_time_already_past(gql: GraphQLClient, sessions):
    area = await create_area(sessions)
    due = date.today() + timedelta(days=1)
    lead = await sign_in(gql, area.lead)
    action = (await gql.data("PlanActionAdd", action_input(area.family.id, area.lead, due), lead))["planActionAdd"]
    # "due soon" would have been yesterday morning: only the overdue reminder is set
    assert {kind for kind, _ in await pending_timers(sessions, action["id"])} == {"action_overdue"}


async def count(sessions, sql: str, **params) -> int:
    async with sessions() as session:
        return (await session.exec(sa.text(sql), params=params)).one()[0]


async def test_reminders_fire_exactly_once_with_two_instances(
    gql: GraphQLClient, database_url, sessions, live_server, second_server
):
    # given an action of the school's, due in five days (the running servers' real clocks won't reach it)
    area = await create_area(sessions)
    due = date.today() + timedelta(days=5)
    lead = await sign_in(gql, area.lead)
    action = (await gql.data("PlanActionAdd", action_input(area.family.id, area.colleague, due), lead))["planActionAdd"]
    after_both = datetime.combine(due + timedelta(days=1), time(0, 1), tzinfo=UTC)
    # when two more instances, each with its own engine and a clock past both reminders, run their timer loops
    engines = [create_async_engine(database_url) for _ in range(2)]
    loops = [
        asyncio.create_task(timers.run(create_session_factory(e), clock=lambda: after_both, interval=0.01))
        for e in engines
    ]
    events = "SELECT count(*) FROM notification_outbox WHERE payload->>'action_id' = :a AND kind = :k"
    try:
        for _ in range(200):
            if await count(sessions, events, a=action["id"], k="action_overdue") >= 1:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # let a double firing, if any, show
    finally:
        for loop in loops:
            loop.cancel()
        await asyncio.gather(*loops, return_exceptions=True)
        for engine in engines:
            await engine.dispose()
    # then each reminder was emitted exactly once
    for kind in ("action_due_soon", "action_overdue"):
        assert await count(sessions, events, a=action["id"], k=kind) == 1, kind
    assert await pending_timers(sessions, action["id"]) == set()
    # and the owner and the lead are each told once of each, through the running dispatchers
    told = "SELECT count(*) FROM notification WHERE recipient_user_id = :u AND kind = :k AND subject_id = :s"
    for user in (area.colleague, area.lead):
        for kind in ("action_due_soon", "action_overdue"):
            for _ in range(100):
                if await count(sessions, told, u=user.id, k=kind, s=uuid.UUID(action["id"])) >= 1:
                    break
                await asyncio.sleep(0.05)
            assert await count(sessions, told, u=user.id, k=kind, s=uuid.UUID(action["id"])) == 1, (user, kind)
    # and the owner's inbox shows the reminder with the action's words (their agency's)
    inbox = (await gql.data("Inbox", {"first": 20}, await sign_in(gql, area.colleague)))["inbox"]["nodes"]
    due_soon = [n for n in inbox if n["kind"] == "action_due_soon" and n["familyId"] == str(area.family.id)]
    assert [n["title"] for n in due_soon] == ["Book the housing repair visit"]
