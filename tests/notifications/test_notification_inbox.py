"""The inbox over HTTP, delivery preferences, and a slow subscriber that must resume from its cursor."""

from __future__ import annotations

from dataclasses import replace

from notifications.events import ActionAssigned
from server.app import create_app
from tests import ws_client
from tests.auth_helpers import sign_in
from tests.builders import create_area
from tests.builders_notify import assigned, create_action
from tests.conftest import serving
from tests.notifications.test_notification_delivery import append, escalation, meeting


async def actions(sessions, area, count: int) -> list[ActionAssigned]:
    """Events about `count` real actions given to the colleague (whose agency reads their words)."""
    return [
        assigned(
            await create_action(
                sessions,
                family=area.family,
                owner=area.colleague,
                set_by=area.lead,
                description=f"Book a home visit {n}",
                category="family_history",
            )
        )
        for n in range(count)
    ]


async def inbox_of(gql, token, **variables) -> dict:
    return await gql.data("Inbox", variables, token=token)


async def test_inbox_pages_newest_first_counts_unread_and_marks_read(gql, sessions, live_server):
    # given five notifications for the colleague, the last delivered so we know all are in
    area = await create_area(sessions)
    token = await sign_in(gql, area.colleague)
    async with ws_client.following(live_server, token, after="0") as ws:
        await append(sessions, *(meeting(area.family.id) for _ in range(5)))
        await ws_client.notifications(ws, 5)
    # when paging two at a time
    first = await inbox_of(gql, token, first=2)
    second = await inbox_of(gql, token, first=2, after=first["inbox"]["pageInfo"]["endCursor"])
    # then
    ids = [int(n["id"]) for n in first["inbox"]["nodes"] + second["inbox"]["nodes"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 4
    assert first["unreadCount"] == 5
    marked = await gql.data("NotificationMarkRead", {"ids": [str(i) for i in ids[:3]]}, token=token)
    assert all(n["readAt"] for n in marked["notificationMarkRead"])
    assert (await inbox_of(gql, token, unreadOnly=True))["unreadCount"] == 2
    # and someone else's ids are ignored
    other = await sign_in(gql, area.lead)
    assert (await gql.data("NotificationMarkRead", {"ids": [str(ids[3])]}, token=other))["notificationMarkRead"] == []


async def test_only_escalations_are_acknowledged(gql, sessions, live_server):
    area = await create_area(sessions)
    token = await sign_in(gql, area.lead)
    async with ws_client.following(live_server, token, after="0") as ws:
        await append(sessions, escalation(area.family.id, area.school.id), meeting(area.family.id))
        raised, met = await ws_client.notifications(ws, 2)
    acknowledged = await gql.data("NotificationAcknowledge", {"id": raised["id"]}, token=token)
    assert acknowledged["notificationAcknowledge"]["acknowledgedAt"] is not None
    error = await gql.error("NotificationAcknowledge", {"id": met["id"]}, token=token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    colleague = await sign_in(gql, area.colleague)
    error = await gql.error("NotificationAcknowledge", {"id": raised["id"]}, token=colleague)
    assert error["extensions"]["code"] == "NOT_FOUND"


async def test_a_digest_kind_is_not_pushed_but_urgent_escalations_always_are(gql, sessions, live_server):
    area = await create_area(sessions)
    token = await sign_in(gql, area.lead)
    for kind in ("meeting_scheduled", "escalation_raised"):
        await gql.data("NotificationPreferenceSet", {"input": {"kind": kind, "delivery": "daily_digest"}}, token=token)
    prefs = (await gql.data("NotificationPreferences", token=token))["notificationPreferences"]
    assert {p["kind"]: p["delivery"] for p in prefs}["meeting_scheduled"] == "daily_digest"
    async with ws_client.following(live_server, token, after="0") as ws:
        # when a meeting, a non-urgent and an urgent escalation happen
        await append(
            sessions,
            meeting(area.family.id),
            escalation(area.family.id, area.school.id, urgent=False),
            escalation(area.family.id, area.school.id, urgent=True),
        )
        # then only the urgent escalation is pushed
        [pushed] = await ws_client.notifications(ws, 1)
    assert (pushed["kind"], pushed["urgent"]) == ("escalation_raised", True)
    assert len((await inbox_of(gql, token))["inbox"]["nodes"]) == 3


async def test_a_subscriber_that_falls_behind_is_dropped_and_resumes_from_its_cursor(gql, sessions, settings):
    # given an instance with tiny per-subscriber queues
    area = await create_area(sessions)
    token = await sign_in(gql, area.colleague)
    async with serving(create_app(replace(settings, notification_queue_size=3))) as small:
        burst = await actions(sessions, area, 21)
        async with ws_client.following(small, token, after="0") as ws:
            await append(sessions, burst[0])
            [first] = await ws_client.notifications(ws, 1)
            # when a burst larger than the queue arrives at once
            await append(sessions, *burst[1:])
            message = await ws_client.receive(ws)
            while message["type"] == "next" and "errors" not in message["payload"]:
                first = message["payload"]["data"]["notifications"]
                message = await ws_client.receive(ws)
        # then the stream ends with UNAVAILABLE, and resuming from the last id received gives the rest
        assert message["payload"]["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
        async with ws_client.following(small, token, after=first["id"]) as ws:
            rest = await ws_client.notifications(ws, 20 - int(first["title"].rsplit(" ", 1)[1]))
    titles = [n["title"] for n in rest]
    assert titles == [f"Book a home visit {n}" for n in range(21 - len(rest), 21)]
