"""The daily digest: held notifications become one digest a day per recipient, exactly once with several
instances, delivered live like any other notification, with nothing the recipient may not see."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from notifications import digest
from notifications.events import ActionAssigned, EscalationRaised
from server.access.enforcer import build_enforcer
from server.agency.models import AgencyKind
from server.clock import utcnow
from server.db.engine import create_session_factory
from server.inbox import audience
from tests import ws_client
from tests.auth_helpers import sign_in
from tests.builders import create_agency, create_area, create_consent, create_family, create_user
from tests.builders_notify import assigned, create_action, create_escalation, raised
from tests.notifications.test_notification_delivery import append, meeting

LONDON = digest.Schedule(time(8, 0), ZoneInfo("Europe/London"))
HELD_KINDS = ("meeting_scheduled", "action_assigned", "escalation_raised")
SECRET_REASON = "Disclosure at school this morning"
SECRET_TITLE = "Speak to the school nurse about the bruising"


def next_digest_time() -> datetime:
    """Just after the first digest time to come (so every row made now is before it)."""
    day, _ = LONDON.due(utcnow())
    return datetime.combine(day + timedelta(days=1), LONDON.at, tzinfo=LONDON.zone) + timedelta(minutes=1)


async def choose(gql, token: str, delivery: str, kinds=HELD_KINDS) -> None:
    for kind in kinds:
        await gql.data("NotificationPreferenceSet", {"input": {"kind": kind, "delivery": delivery}}, token=token)


async def rows(sessions, user_id: uuid.UUID, where: str = "true") -> list:
    async with sessions() as session:
        result = await session.exec(
            sa.text(f"SELECT id, kind, delivery, payload FROM notification WHERE recipient_user_id = :u AND {where}"),
            params={"u": user_id},
        )
        return list(result.all())


async def wait_for_rows(sessions, user_id: uuid.UUID, count: int) -> None:
    for _ in range(200):
        if len(await rows(sessions, user_id, "kind <> 'daily_digest'")) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the dispatcher did not make {count} notifications")


async def digests(sessions, user_id: uuid.UUID) -> list[dict]:
    return [row.payload for row in await rows(sessions, user_id, "kind = 'daily_digest'")]


async def action_for(sessions, owner, area) -> ActionAssigned:
    """An action given to `owner` whose words are the school's education information."""
    row = await create_action(
        sessions,
        family=area.family,
        owner=owner,
        set_by=area.lead,
        description=SECRET_TITLE,
        category="education",
        owning_agency_id=area.school.id,
    )
    return assigned(row)


async def school_escalation(sessions, area, *, urgent: bool) -> EscalationRaised:
    row = await create_escalation(sessions, family=area.family, raised_by=area.colleague, reason=SECRET_REASON)
    return raised(row, urgent=urgent)


async def digest_read(gql, token: str) -> list[dict]:
    """The items of the caller's latest digest, as the inbox renders them now."""
    nodes = (await gql.data("Inbox", {"first": 20}, token=token))["inbox"]["nodes"]
    return next(node for node in nodes if node["kind"] == "daily_digest")["items"]


async def remove_from_team(gql, lead_token: str, family_id: uuid.UUID, user_id: uuid.UUID) -> None:
    family = (await gql.data("Family", {"id": str(family_id)}, token=lead_token))["family"]
    membership = next(member for member in family["team"] if member["worker"]["id"] == str(user_id))
    await gql.data(
        "TeamMemberEnd", {"input": {"membershipId": membership["id"], "reason": "moved school"}}, token=lead_token
    )


async def compile_now(settings, sessions, now: datetime) -> int:
    visible = audience.digest_filter(build_enforcer(settings.policies_dir))
    return await digest.compile_due(sessions, schedule=LONDON, visible=visible, now=now)


def test_the_digest_is_due_at_the_local_time_in_summer_and_in_winter():
    # 08:00 in London is 07:00 UTC in summer and 08:00 UTC in winter
    assert LONDON.due(datetime(2026, 7, 1, 7, 0, tzinfo=UTC))[0].isoformat() == "2026-07-01"
    assert LONDON.due(datetime(2026, 7, 1, 6, 59, tzinfo=UTC))[0].isoformat() == "2026-06-30"
    assert LONDON.due(datetime(2026, 12, 1, 7, 59, tzinfo=UTC))[0].isoformat() == "2026-11-30"
    day, due_at = LONDON.due(datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
    assert (day.isoformat(), due_at.astimezone(UTC).hour) == ("2026-12-01", 8)


async def test_the_digest_fires_once_with_two_instances_with_the_held_items_and_nothing_withheld(
    gql, sessions, settings, database_url, live_server, second_server
):
    # given a family whose lead may read the school's education information (by consent) and a health
    # worker on the team who may not, both taking meetings, actions and escalations as a daily digest
    area = await create_area(sessions)
    health = await create_user(sessions, agency=await create_agency(sessions, kind=AgencyKind.health))
    family = await create_family(sessions, lead=area.lead, contributors=(area.colleague, health))
    area.family = family
    await create_consent(
        sessions, family=family, recorded_by=area.lead, categories=["education"], agencies=[area.early_help]
    )
    lead_token, health_token = await sign_in(gql, area.lead), await sign_in(gql, health)
    await choose(gql, lead_token, "daily_digest")
    await choose(gql, health_token, "daily_digest")
    async with ws_client.following(second_server, health_token) as ws:
        # when a meeting, an action for the health worker and a non-urgent escalation are held, and an
        # urgent escalation happens
        await append(
            sessions,
            meeting(family.id),
            await action_for(sessions, health, area),
            await school_escalation(sessions, area, urgent=False),
            await school_escalation(sessions, area, urgent=True),
        )
        [urgent] = await ws_client.notifications(ws, 1)  # the urgent one is pushed at once
        await wait_for_rows(sessions, health.id, 4)
        # and two instances, each with its own engine and a clock past the next digest time, compile digests
        engines = [create_async_engine(database_url) for _ in range(2)]
        visible = audience.digest_filter(build_enforcer(settings.policies_dir))
        at = next_digest_time()
        loops = [
            asyncio.create_task(
                digest.run(create_session_factory(e), schedule=LONDON, visible=visible, clock=lambda: at, interval=0.01)
            )
            for e in engines
        ]
        try:
            # then the subscriber receives the digest, live, next after the urgent escalation
            [pushed] = await ws_client.notifications(ws, 1)
            await asyncio.sleep(0.3)  # let a second digest, if any, show
        finally:
            for loop in loops:
                loop.cancel()
            await asyncio.gather(*loops, return_exceptions=True)
            for engine in engines:
                await engine.dispose()
    assert (urgent["kind"], urgent["urgent"]) == ("escalation_raised", True)
    assert (pushed["kind"], pushed["urgent"], pushed["familyId"]) == ("daily_digest", False, str(uuid.UUID(int=0)))
    # and each recipient has exactly one digest, holding the three held items and not the urgent one
    [for_health] = await digests(sessions, health.id)
    [for_lead] = await digests(sessions, area.lead.id)
    assert pushed["payload"] == for_health
    for payload in (for_health, for_lead):
        assert payload["total"] == 3
        assert payload["counts"] == {"action_assigned": 1, "escalation_raised": 1, "meeting_scheduled": 1}
        assert payload["digest_on"] == (at - timedelta(minutes=1)).astimezone(LONDON.zone).date().isoformat()
    held_ids = {str(row.id) for row in await rows(sessions, health.id, "delivery = 'daily_digest'")}
    assert {item["id"] for item in for_health["items"]} == held_ids
    # and no digest holds any content: its items are references
    for payload in (for_health, for_lead):
        assert SECRET_TITLE not in json.dumps(payload) and SECRET_REASON not in json.dumps(payload)
    # and, read, the lead's digest shows the title and the reason (shared by consent); the health worker's
    # shows what happened but neither
    lead_items = {item["kind"]: item for item in await digest_read(gql, lead_token)}
    assert (lead_items["action_assigned"]["title"], lead_items["escalation_raised"]["reason"]) == (
        SECRET_TITLE,
        SECRET_REASON,
    )
    health_items = await digest_read(gql, health_token)
    assert sorted(item["kind"] for item in health_items) == sorted(HELD_KINDS)
    assert SECRET_TITLE not in json.dumps(health_items) and SECRET_REASON not in json.dumps(health_items)
    # and compiling again later the same day, after a restart, sends nothing more
    assert await compile_now(settings, sessions, at + timedelta(hours=6)) == 0
    assert len(await digests(sessions, health.id)) == 1
    # and the digest is in the inbox, like any notification
    inbox = (await gql.data("Inbox", {"first": 5}, token=health_token))["inbox"]["nodes"]
    assert inbox[0]["kind"] == "daily_digest"


async def test_a_missed_digest_is_caught_up_once_and_an_empty_day_sends_nothing(gql, sessions, settings):
    # given a worker taking meetings as a digest, with one meeting held, and another with nothing held
    area = await create_area(sessions)
    await choose(gql, await sign_in(gql, area.lead), "daily_digest", ["meeting_scheduled"])
    await choose(gql, await sign_in(gql, area.colleague), "daily_digest", ["action_assigned"])
    await append(sessions, meeting(area.family.id))
    await wait_for_rows(sessions, area.lead.id, 1)
    # when no instance ran at the digest time, and one starts three hours later
    at = next_digest_time() + timedelta(hours=3)
    await compile_now(settings, sessions, at)
    # then the missed digest is sent, once, even if the check runs again or another instance starts
    await compile_now(settings, sessions, at + timedelta(minutes=5))
    await compile_now(settings, sessions, at + timedelta(hours=20))  # before the next day's digest time
    [payload] = await digests(sessions, area.lead.id)
    assert payload["counts"] == {"meeting_scheduled": 1}
    # and the colleague, with nothing held (the meeting reached them live), gets no digest at all
    assert await digests(sessions, area.colleague.id) == []
    assert [row.delivery for row in await rows(sessions, area.colleague.id)] == ["live"]
    # and the next day, with nothing held since, the lead gets no second digest
    await compile_now(settings, sessions, at + timedelta(days=1))
    assert len(await digests(sessions, area.lead.id)) == 1


async def test_a_preference_change_takes_effect_for_the_next_event(gql, sessions, settings, second_server):
    # given a lead who takes meetings as a digest
    area = await create_area(sessions)
    token = await sign_in(gql, area.lead)
    await choose(gql, token, "daily_digest", ["meeting_scheduled"])
    async with ws_client.following(second_server, token) as ws:
        await append(sessions, meeting(area.family.id))
        await wait_for_rows(sessions, area.lead.id, 1)
        # when they switch meetings back to live, and another meeting is arranged
        await choose(gql, token, "live", ["meeting_scheduled"])
        await append(sessions, meeting(area.family.id))
        # then that one is pushed (the held one was not: it is the first thing received)
        [pushed] = await ws_client.notifications(ws, 1)
    held, live = sorted(await rows(sessions, area.lead.id), key=lambda row: row.id)
    assert (held.delivery, live.delivery) == ("daily_digest", "live")
    assert pushed["id"] == str(live.id)
    # and the digest holds only the first
    await compile_now(settings, sessions, next_digest_time())
    [payload] = await digests(sessions, area.lead.id)
    assert [item["id"] for item in payload["items"]] == [str(held.id)]


async def test_a_held_item_about_a_family_the_recipient_left_is_not_in_the_digest(gql, sessions, settings):
    # given a colleague taking meetings as a digest, with meetings held on two of their families
    area = await create_area(sessions)
    other = await create_family(sessions, lead=area.lead, contributors=(area.colleague,))
    await choose(gql, await sign_in(gql, area.colleague), "daily_digest", ["meeting_scheduled"])
    await append(sessions, meeting(area.family.id), meeting(other.id))
    await wait_for_rows(sessions, area.colleague.id, 2)
    # when they leave the first family's team before the digest is compiled
    await remove_from_team(gql, await sign_in(gql, area.lead), area.family.id, area.colleague.id)
    await compile_now(settings, sessions, next_digest_time())
    # then their digest lists only the meeting on the family they still work with
    [payload] = await digests(sessions, area.colleague.id)
    assert [item["family_id"] for item in payload["items"]] == [str(other.id)]
    assert payload["total"] == 1
