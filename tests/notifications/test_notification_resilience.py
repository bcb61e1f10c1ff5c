"""Nothing is lost: clients that drop, a server process killed, a lost LISTEN connection, PostgreSQL
restarting. Every case ends with the complete set, in id order, de-duplicable by id."""

from __future__ import annotations

import asyncio
import signal

import sqlalchemy as sa

from notifications.bus import BUS_APPLICATION_NAME
from tests import ws_client
from tests.auth_helpers import sign_in
from tests.builders import create_area
from tests.notifications.test_notification_delivery import append, meeting
from tests.server_process import serve_process


def ids_of(received: list[dict]) -> list[int]:
    return [int(n["id"]) for n in received]


async def test_a_client_that_drops_resumes_on_the_other_instance_with_nothing_lost(
    gql, sessions, live_server, second_server
):
    area = await create_area(sessions)
    token = await sign_in(gql, area.colleague)
    async with ws_client.following(live_server, token, after="0") as ws:
        await append(sessions, *(meeting(area.family.id) for _ in range(3)))
        before = await ws_client.notifications(ws, 2)  # the client drops before reading the third
    # when five more happen while it is away, and it comes back to the other instance
    await append(sessions, *(meeting(area.family.id) for _ in range(5)))
    async with ws_client.following(second_server, token, after=before[-1]["id"]) as ws:
        after = await ws_client.notifications(ws, 6)
    # then it has all eight, in order, with no gaps and no duplicates
    ids = ids_of(before + after)
    assert ids == sorted(set(ids)) and len(ids) == 8


async def test_after_a_server_process_is_killed_its_clients_resume_on_another(gql, sessions, settings, second_server):
    # given a server process with a subscriber
    area = await create_area(sessions)
    token = await sign_in(gql, area.colleague)
    async with (
        serve_process(settings.database_url) as (doomed, process),
        ws_client.following(doomed, token, after="0") as ws,
    ):
        await append(sessions, *(meeting(area.family.id) for _ in range(3)))
        first = await ws_client.notifications(ws, 3)
        # when the process is killed outright, and more happens meanwhile
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        await append(sessions, *(meeting(area.family.id) for _ in range(4)))
    # then the client, resuming on another instance from an older cursor, has everything once by id
    async with ws_client.following(second_server, token, after=first[0]["id"]) as ws:
        rest = await ws_client.notifications(ws, 6)
    unique = sorted(set(ids_of(first + rest)))
    assert len(unique) == 7 and ids_of(rest) == unique[1:]


async def test_a_lost_listen_connection_reconnects_and_catches_up(gql, sessions, second_server):
    area = await create_area(sessions)
    async with ws_client.following(second_server, await sign_in(gql, area.colleague), after="0") as ws:
        await append(sessions, meeting(area.family.id))
        await ws_client.notifications(ws, 1)
        # when every instance's LISTEN connection is terminated, and events come while they are down
        async with sessions() as session:
            terminated = (
                await session.exec(
                    sa.text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        " WHERE application_name = :name AND datname = current_database()"
                    ),
                    params={"name": BUS_APPLICATION_NAME},
                )
            ).one()[0]
        await append(sessions, *(meeting(area.family.id) for _ in range(3)))
        # then they arrive anyway
        received = await ws_client.notifications(ws, 3, wait=15)
    assert terminated >= 2
    assert len(set(ids_of(received))) == 3


async def test_after_postgresql_restarts_delivery_resumes(gql, sessions, second_server, restartable_postgres):
    area = await create_area(sessions)
    async with ws_client.following(second_server, await sign_in(gql, area.colleague), after="0") as ws:
        await append(sessions, meeting(area.family.id))
        await ws_client.notifications(ws, 1)
        # when PostgreSQL stops and starts again (every connection is cut)
        started = await _postmaster_start_time(sessions)
        await asyncio.to_thread(restartable_postgres.stop)
        await asyncio.to_thread(restartable_postgres.start)
        await sessions.kw["bind"].dispose()  # the test's own pool holds dead connections
        assert await _postmaster_start_time(sessions) > started
        await append(sessions, *(meeting(area.family.id) for _ in range(2)))
        # then the instance's bus reconnects and the subscriber gets what was committed after the restart
        received = await ws_client.notifications(ws, 2, wait=20)
    assert len(set(ids_of(received))) == 2


async def _postmaster_start_time(sessions):
    async with sessions() as session:
        return (await session.exec(sa.text("SELECT pg_postmaster_start_time()"))).one()[0]
