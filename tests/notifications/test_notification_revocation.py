"""A sign-out, or leaving a family's team, takes effect at once on idle sockets on every instance."""

from __future__ import annotations

import asyncio
import time

import sqlalchemy as sa
from websockets.exceptions import ConnectionClosed

from notifications.bus import BUS_APPLICATION_NAME
from server.db.engine import unit_of_work
from tests import ws_client
from tests.auth_helpers import sign_in
from tests.builders import create_area, create_family
from tests.notifications.test_notification_delivery import append, meeting
from tests.notifications.test_notification_digest import remove_from_team


async def closed_with(ws, wait: float) -> tuple[int | None, float]:
    """Wait for the server to close the socket (answering pings meanwhile): its close code and when."""
    started = time.monotonic()
    try:
        while True:
            message = await ws_client.receive(ws, wait)
            raise AssertionError(f"expected the socket to close, received {message}")
    except ConnectionClosed as closed:
        return (closed.rcvd.code if closed.rcvd else None), time.monotonic() - started


async def test_signing_out_closes_that_sign_ins_idle_sockets_on_every_instance_at_once(
    gql, sessions, live_server, second_server
):
    # given a worker signed in twice (say a laptop and a phone), with idle subscriptions of the first
    # sign-in on both instances and one of the second sign-in
    area = await create_area(sessions)
    laptop = await sign_in(gql, area.colleague, fresh=True)
    phone = await sign_in(gql, area.colleague, fresh=True)
    async with (
        ws_client.following(live_server, laptop) as on_a,
        ws_client.following(second_server, laptop) as on_b,
        ws_client.following(second_server, phone) as other,
    ):
        # when the laptop signs out, with nothing flowing on any socket
        await gql.data("Logout", token=laptop)
        # then both of the laptop's sockets close with 4403, well before any periodic check (10 s)
        (code_a, after_a), (code_b, after_b) = await asyncio.gather(closed_with(on_a, 5), closed_with(on_b, 5))
        assert (code_a, code_b) == (4403, 4403)
        assert max(after_a, after_b) < 3, (after_a, after_b)
        # and the phone's socket stays open and still receives
        await append(sessions, meeting(area.family.id))
        [received] = await ws_client.notifications(other, 1)
    assert received["kind"] == "meeting_scheduled"


async def test_an_idle_socket_whose_sign_in_expires_is_closed_by_the_periodic_check(gql, sessions, second_server):
    # given an idle subscription
    area = await create_area(sessions)
    token = await sign_in(gql, area.colleague)
    async with ws_client.following(second_server, token) as ws:
        # when its sign-in expires (no sign-out: no notice is sent)
        async with unit_of_work(sessions) as session:
            await session.exec(
                sa.text(
                    "UPDATE session_token SET expires_at = now() WHERE user_id = :u AND revoked_at IS NULL"
                    " AND expires_at > now()"
                ),
                params={"u": area.colleague.id},
            )
        # then the instance's check of its open sign-ins (every 10 s) closes it with 4403
        code, _ = await closed_with(ws, 25)
    assert code == 4403


async def test_a_sign_out_whose_notice_was_lost_closes_the_socket_when_listen_reconnects(gql, sessions, second_server):
    # given an idle subscription
    area = await create_area(sessions)
    token = await sign_in(gql, area.colleague, fresh=True)
    async with ws_client.following(second_server, token) as ws:
        # when its sign-in is revoked with no notice reaching any instance (as while LISTEN is down), and
        # then every instance's LISTEN connection is lost
        async with unit_of_work(sessions) as session:
            await session.exec(
                sa.text("UPDATE session_token SET revoked_at = now() WHERE user_id = :u AND revoked_at IS NULL"),
                params={"u": area.colleague.id},
            )
        async with sessions() as session:
            await session.exec(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = :name AND datname = current_database()"
                ),
                params={"name": BUS_APPLICATION_NAME},
            )
        # then the instance checks its open sign-ins as soon as it listens again, before the periodic check
        code, after = await closed_with(ws, 15)
    assert code == 4403
    assert after < 4, after  # (the periodic check, every 10 s, could explain it only 4 times in 10)


async def test_leaving_a_team_stops_that_familys_notifications_at_once_on_an_idle_socket(
    gql, sessions, live_server, second_server
):
    # given a colleague on two families' teams, with a notification of the first not yet received, and
    # an idle subscription on the second instance
    area = await create_area(sessions)
    other = await create_family(sessions, lead=area.lead, contributors=(area.colleague,))
    colleague_token = await sign_in(gql, area.colleague)
    await append(sessions, meeting(area.family.id))
    for _ in range(100):
        inbox = (await gql.data("Inbox", {"first": 5}, token=colleague_token))["inbox"]["nodes"]
        if inbox:
            break
        await asyncio.sleep(0.05)
    [before] = inbox
    async with ws_client.following(second_server, colleague_token, after=str(int(before["id"]) - 1)) as ws:
        [replayed] = await ws_client.notifications(ws, 1)
        assert replayed["id"] == before["id"]
        # when the lead removes them from the first family's team through the first instance, and then
        # meetings are arranged on both families
        await remove_from_team(gql, await sign_in(gql, area.lead), area.family.id, area.colleague.id)
        await append(sessions, meeting(area.family.id), meeting(other.id))
        # then the socket yields only the family they still work with
        [received] = await ws_client.notifications(ws, 1)
        assert received["familyId"] == str(other.id)
    # and resuming from before that first notification no longer replays it, nor does the inbox show it
    async with ws_client.following(live_server, colleague_token, after=str(int(before["id"]) - 1)) as ws:
        [replayed] = await ws_client.notifications(ws, 1)
    assert replayed["familyId"] == str(other.id)
    inbox = (await gql.data("Inbox", {"first": 5}, token=colleague_token))["inbox"]["nodes"]
    assert {node["familyId"] for node in inbox} == {str(other.id)}
