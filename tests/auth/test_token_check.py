"""The token check's own connections (server/db/driver.py): more concurrent requests than it has
connections are all answered (the rest check on a pooled connection), and a connection PostgreSQL closed is
replaced, not reported as the database being down."""

from __future__ import annotations

import asyncio

from server.app import TOKEN_CHECK_CONNECTIONS
from tests.auth_helpers import sign_in
from tests.builders import create_area
from tests.db_helpers import end_connections

CHECK = "FROM session_token AS t JOIN app_user AS u"


async def test_more_concurrent_requests_than_connections_are_all_answered(gql, app, sessions):
    # given a signed-in worker
    area = await create_area(sessions)
    token = await sign_in(gql, area.colleague, fresh=True)

    # when far more requests than the check has connections arrive at once
    answers = await asyncio.gather(*(gql.data("Me", token=token) for _ in range(4 * TOKEN_CHECK_CONNECTIONS)))

    # then every one is answered as the worker, and the check opened no more connections than it may
    assert all(answer["me"]["id"] for answer in answers)
    assert app.state.taf.token_check.open_connections <= TOKEN_CHECK_CONNECTIONS


async def test_a_connection_postgres_closed_is_replaced(gql, sessions):
    # given a signed-in worker whose requests have been checked on the check's connections
    area = await create_area(sessions)
    token = await sign_in(gql, area.colleague, fresh=True)
    assert (await gql.data("Me", token=token))["me"]["id"]

    # when PostgreSQL ends every connection whose last statement was the token check
    assert await end_connections(sessions, f"%{CHECK}%")

    # then the next requests are answered as the worker, not refused as the database being down
    for _ in range(3):
        assert (await gql.data("Me", token=token))["me"]["id"]
