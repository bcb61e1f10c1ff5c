"""Follow-up checks after closure: closing schedules checks at 3, 6 and 12 months from the closure date;
the lead sees those due and records each once (after the closure, not in the future); re-opening cancels
those not recorded; their timers fire exactly once across two instances and tell only the lead."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from notifications import timers
from server.db.engine import create_session_factory
from server.follow_up.service import months_after
from tests.auth_helpers import sign_in
from tests.builders import create_area
from tests.builders_journey import close_through_the_api, open_since
from tests.graphql_client import code

TODAY = date.today()


@pytest.mark.parametrize(
    ("start", "months", "due"),
    [
        (date(2026, 1, 31), 3, date(2026, 4, 30)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2026, 11, 15), 12, date(2027, 11, 15)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
    ],
)
def test_a_check_falls_due_on_the_same_day_months_later_or_the_months_last_day(start, months, due):
    assert months_after(start, months) == due


async def closed_100_days_ago(gql, sessions):
    area = await create_area(sessions)
    await open_since(sessions, area.family, 200)
    lead = await sign_in(gql, area.lead)
    closed_on = TODAY - timedelta(days=100)
    await close_through_the_api(gql, area.family, lead, on=closed_on)
    return area, lead, closed_on


async def checks(gql, area, token) -> list[dict]:
    return (await gql.data("FamilyFollowUps", {"familyId": str(area.family.id)}, token=token))["familyFollowUps"]


def record_input(check, **overrides) -> dict:
    values = {
        "followUpId": check["id"],
        "expectedVersion": check["version"],
        "checkedOn": TODAY.isoformat(),
        "stillAtHome": True,
        "reReferred": False,
        "note": "Kwame is at home and at school every day.",
    }
    return {"input": values | overrides}


async def test_closing_schedules_checks_at_3_6_and_12_months_and_the_lead_sees_those_due(gql, sessions):
    area, lead, closed_on = await closed_100_days_ago(gql, sessions)
    found = await checks(gql, area, lead)
    assert [(c["months"], c["dueOn"], c["status"]) for c in found] == [
        (3, months_after(closed_on, 3).isoformat(), "due"),
        (6, months_after(closed_on, 6).isoformat(), "scheduled"),
        (12, months_after(closed_on, 12).isoformat(), "scheduled"),
    ]
    transitions = await gql.data("FamilyTransitions", {"familyId": str(area.family.id)}, token=lead)
    assert transitions["familyTransitions"][-1]["careOutcome"] == "remained_at_home"
    # the lead's list of checks due holds the 3-month check, with the family it is about
    due = (await gql.data("FollowUpsDue", {"first": 100}, token=lead))["followUpsDue"]
    assert [(c["id"], c["familyReference"]) for c in due["nodes"]] == [(found[0]["id"], area.family.reference)]
    assert due["totalCount"] == 1
    # and a colleague on the team sees the checks but none is due for them, and may not record one
    colleague = await sign_in(gql, area.colleague)
    assert [c["id"] for c in await checks(gql, area, colleague)] == [c["id"] for c in found]
    assert (await gql.data("FollowUpsDue", token=colleague))["followUpsDue"]["totalCount"] == 0
    assert code(await gql.error("FollowUpRecord", record_input(found[0]), token=colleague)) == "FORBIDDEN"
    # and someone not on the team cannot tell they exist
    outsider = await sign_in(gql, area.outsider)
    assert code(await gql.error("FollowUpRecord", record_input(found[0]), token=outsider)) == "NOT_FOUND"
    error = await gql.error("FamilyFollowUps", {"familyId": str(area.family.id)}, token=outsider)
    assert code(error) == "NOT_FOUND"


async def test_the_lead_records_a_check_once(gql, sessions):
    area, lead, closed_on = await closed_100_days_ago(gql, sessions)
    check = (await checks(gql, area, lead))[0]
    # bad input is refused, and nothing is saved
    for overrides, field in (
        ({"checkedOn": closed_on.isoformat()}, "checkedOn"),
        ({"checkedOn": (closed_on - timedelta(days=1)).isoformat()}, "checkedOn"),
        ({"checkedOn": (TODAY + timedelta(days=1)).isoformat()}, "checkedOn"),
        ({"note": "x" * 2001}, "note"),
    ):
        error = await gql.error("FollowUpRecord", record_input(check, **overrides), token=lead)
        assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", field)
    assert (await checks(gql, area, lead))[0] == check
    # a stale version conflicts
    assert code(await gql.error("FollowUpRecord", record_input(check, expectedVersion=7), token=lead)) == "CONFLICT"
    # recorded, it leaves the lead's list of checks due
    recorded = (await gql.data("FollowUpRecord", record_input(check), token=lead))["followUpRecord"]
    assert (recorded["status"], recorded["stillAtHome"], recorded["reReferred"]) == ("recorded", True, False)
    assert recorded["recordedBy"]["id"] == str(area.lead.id)
    assert (await gql.data("FollowUpsDue", token=lead))["followUpsDue"]["totalCount"] == 0
    # and it is recorded once
    again = await gql.error("FollowUpRecord", record_input(recorded), token=lead)
    assert code(again) == "CONFLICT"


async def test_re_opening_cancels_the_checks_not_yet_recorded_and_their_timers(gql, sessions):
    area, lead, _ = await closed_100_days_ago(gql, sessions)
    first = (await checks(gql, area, lead))[0]
    await gql.data("FollowUpRecord", record_input(first), token=lead)
    family = (await gql.data("Family", {"id": str(area.family.id)}, token=lead))["family"]
    reopen = {"familyId": str(area.family.id), "expectedVersion": family["version"], "reason": "New concerns"}
    await gql.data("FamilyReopen", {"input": reopen}, token=lead)
    found = await checks(gql, area, lead)
    assert [c["status"] for c in found] == ["recorded", "cancelled", "cancelled"]
    assert code(await gql.error("FollowUpRecord", record_input(found[1]), token=lead)) == "CONFLICT"
    pending = "SELECT count(*) FROM timer WHERE subject_id = ANY(CAST(:ids AS uuid[])) AND fired_at IS NULL"
    async with sessions() as session:
        ids = [c["id"] for c in found]
        assert (await session.exec(sa.text(pending), params={"ids": ids})).one()[0] == 0


async def count(sessions, sql: str, **params) -> int:
    async with sessions() as session:
        return (await session.exec(sa.text(sql), params=params)).one()[0]


async def test_the_checks_timers_fire_once_across_two_instances_and_tell_only_the_lead(
    gql, database_url, sessions, live_server, second_server
):
    # given a family closed today: its checks are due 3, 6 and 12 months away
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    await close_through_the_api(gql, area.family, lead)
    ids = [c["id"] for c in await checks(gql, area, lead)]
    # when two instances run their timer loops with a clock past the last check's date
    later = timers.system_clock() + timedelta(days=400)
    engines = [create_async_engine(database_url) for _ in range(2)]
    loops = [
        asyncio.create_task(timers.run(create_session_factory(e), clock=lambda: later, interval=0.01)) for e in engines
    ]
    fired = "SELECT count(*) FROM notification_outbox WHERE payload->>'follow_up_id' = ANY(:ids)"
    try:
        for _ in range(200):
            if await count(sessions, fired, ids=ids) >= 3:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)  # let a double firing, if any, show
    finally:
        for loop in loops:
            loop.cancel()
        await asyncio.gather(*loops, return_exceptions=True)
        for engine in engines:
            await engine.dispose()
    # then each check's timer fired exactly once
    assert await count(sessions, fired, ids=ids) == 3
    # and the running dispatchers told the lead of each, and nobody else on the team
    told = "SELECT count(*) FROM notification WHERE recipient_user_id = :user AND kind = 'follow_up_due'"
    for _ in range(100):
        if await count(sessions, told, user=area.lead.id) == 3:
            break
        await asyncio.sleep(0.05)
    assert await count(sessions, told, user=area.lead.id) == 3
    assert await count(sessions, told, user=area.colleague.id) == 0
