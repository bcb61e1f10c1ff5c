"""Budgets for expensive operations (per user; per address when no one is known), counted in PostgreSQL so
they hold across instances; the websocket messages-per-second limit; and the statement timeout."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import replace
from datetime import date

import httpx
import pytest
import sqlalchemy as sa
from websockets.exceptions import ConnectionClosed

from server.app import create_app
from server.db.engine import unit_of_work
from tests import ws_client
from tests.auth_helpers import sign_in
from tests.builders import PASSWORD, create_area, create_contribution, issue_token
from tests.conftest import serving
from tests.graphql_client import GraphQLClient, code

WINDOW = 3600  # long, so that no window ends in the middle of a test


@pytest.fixture(scope="module")
async def two_tight_instances(settings):
    """Two instances of the service on one database, with budgets of 3 (invites 2) an hour."""
    tight = replace(
        settings,
        rate_window_seconds=WINDOW,
        rate_reports_per_window=3,
        rate_searches_per_window=3,
        rate_invites_per_window=2,
        rate_anonymous_per_window=3,
    )
    async with (
        serving(create_app(tight)) as first,
        serving(create_app(tight)) as second,
        httpx.AsyncClient(base_url=first, timeout=30) as a,
        httpx.AsyncClient(base_url=second, timeout=30) as b,
    ):
        yield GraphQLClient(a), GraphQLClient(b)


@pytest.fixture(autouse=True)
async def not_at_the_end_of_a_window():
    left = WINDOW - time.time() % WINDOW
    if left < 30:
        await asyncio.sleep(left + 1)


def retry_after(error: dict) -> int:
    assert code(error) == "RATE_LIMITED", error
    seconds = error["extensions"]["retryAfterSeconds"]
    assert isinstance(seconds, int) and 1 <= seconds <= WINDOW, error
    assert f"{seconds} seconds" in error["message"]
    return seconds


async def test_a_users_report_budget_holds_across_instances(sessions, two_tight_instances):
    # given a lead professional and two instances of the service
    a, b = two_tight_instances
    area = await create_area(sessions)
    token = await issue_token(sessions, area.lead)
    period = {"exitedFrom": "2026-01-01", "exitedTo": date.today().isoformat()}
    # when they run the outcomes report three times, alternating instances
    for client in (a, b, a):
        await client.data("CaseloadOutcomes", period, token=token)
    # then the fourth, on either instance, is RATE_LIMITED with a retry-after hint, and nothing else
    retry_after(await b.error("CaseloadOutcomes", period, token=token))
    assert (await a.op("CaseloadOutcomes", period, token=token)).get("data") is None
    # and the audit log (also a report) shares that budget
    retry_after(await a.error("AuditEvents", {}, token=token))
    # and another user's budget is their own
    await a.data("CaseloadOutcomes", period, token=await issue_token(sessions, area.manager))


async def test_list_queries_and_additions_have_budgets_too(sessions, two_tight_instances):
    a, b = two_tight_instances
    area = await create_area(sessions)
    token = await issue_token(sessions, area.lead)
    # list queries: the caseload, the staff directory (search)
    await a.data("Caseload", {}, token=token)
    await b.data("StaffDirectory", {"search": "a"}, token=token)
    await a.data("Caseload", {}, token=token)
    retry_after(await b.error("Caseload", {}, token=token))
    retry_after(await a.error("StaffDirectory", {"search": "b"}, token=token))
    # additions: opening families (and adding people) - two, then no more for now
    family = {
        "displayName": "The Budget family",
        "levelOfNeed": "targeted",
        "members": [{"fullName": "Ann Budget", "relationship": "daughter", "isSubjectChild": True}],
        "leadContact": {"agencyRole": "Family support"},
    }
    await a.data("FamilyOpen", {"input": family}, token=token)
    await b.data("FamilyOpen", {"input": family}, token=token)
    before = await families_named(sessions, "The Budget family")
    retry_after(await a.error("FamilyOpen", {"input": family}, token=token))
    assert await families_named(sessions, "The Budget family") == before


async def families_named(sessions, name: str) -> int:
    async with sessions() as session:
        statement = sa.text("SELECT count(*) FROM family WHERE display_name = :n")
        return (await session.exec(statement, params={"n": name})).one()[0]


async def test_sign_in_attempts_from_one_address_have_a_budget_even_with_the_right_password(
    sessions, two_tight_instances
):
    a, b = two_tight_instances
    area = await create_area(sessions)
    async with unit_of_work(sessions) as session:  # this address's earlier sign-ins (the rest of the suite)
        await session.exec(sa.text("DELETE FROM rate_limit_window WHERE bucket = 'anonymous'"))
    # when three attempts come from one address, to two instances
    for client, email in ((a, "nobody@x.example"), (b, "no-one@x.example"), (a, area.colleague.email)):
        await client.op("Login", {"email": email, "password": "wrong"})
    # then the fourth is RATE_LIMITED, even with the right password, and no token is issued
    result = await b.op("Login", {"email": area.lead.email, "password": PASSWORD})
    assert result.get("data") is None
    retry_after(result["errors"][0])
    async with unit_of_work(sessions) as session:
        await session.exec(sa.text("DELETE FROM rate_limit_window WHERE bucket = 'anonymous'"))


async def test_a_websocket_client_sending_too_many_messages_a_second_is_closed(gql, sessions, live_server):
    area = await create_area(sessions)
    token = await sign_in(gql, area.colleague)
    async with ws_client.socket(live_server, {"Authorization": f"Bearer {token}"}) as ws:
        # given a client at a normal pace: pings are answered
        for _ in range(5):
            await ws.send(json.dumps({"type": "ping"}))
            assert (await ws_client.receive(ws))["type"] == "pong"
            await asyncio.sleep(0.25)
        # when it sends 50 messages at once (the limit is 20 a second)
        for _ in range(50):
            await ws.send(json.dumps({"type": "ping"}))
        # then the server closes the socket with 4429 and says why
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4429
    assert "Too many messages" in closed.value.rcvd.reason
    # and a new connection is served as before
    async with ws_client.socket(live_server, {"Authorization": f"Bearer {token}"}) as ws:
        await ws.send(json.dumps({"type": "ping"}))
        assert (await ws_client.receive(ws))["type"] == "pong"


@pytest.fixture(scope="module")
async def impatient_server(settings):
    """An instance whose statements may run for 300 ms at most (TAF_STATEMENT_TIMEOUT_MS)."""
    async with (
        serving(create_app(replace(settings, statement_timeout_ms=300))) as url,
        httpx.AsyncClient(base_url=url, timeout=30) as client,
    ):
        yield GraphQLClient(client)


async def test_a_statement_over_the_timeout_is_stopped_with_a_clear_error_and_the_server_carries_on(
    sessions, impatient_server
):
    # given an item, and a lock on its table held elsewhere (a slow migration, say)
    area = await create_area(sessions)
    item = await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
    token = await issue_token(sessions, area.colleague)
    title = f"written under a lock {uuid.uuid4()}"
    add = {
        "input": {
            "familyId": str(area.family.id),
            "kind": "update",
            "category": "education",
            "title": title,
            "body": "b",
        }
    }
    async with sessions() as session, session.begin():
        await session.exec(sa.text("LOCK TABLE contribution IN ACCESS EXCLUSIVE MODE"))
        # when a read and a write need that table
        started = time.perf_counter()
        read = await impatient_server.error("Contribution", {"id": str(item.id)}, token=token)
        write = await impatient_server.error("ContributionAdd", add, token=token)
        waited = time.perf_counter() - started
    # then both are stopped by the statement timeout with TIMEOUT, in words, with no internals
    for error in (read, write):
        assert code(error) == "TIMEOUT", error
        assert "took too long" in error["message"]
        text = json.dumps(error).lower()
        assert not any(word in text for word in ("traceback", "asyncpg", "canceling statement", "sqlalchemy"))
    assert waited < 20
    # and once the lock is gone the same server answers, and the timed-out write was not stored
    assert (await impatient_server.data("Contribution", {"id": str(item.id)}, token=token))["contribution"]
    async with sessions() as session:
        stored = sa.text("SELECT count(*) FROM contribution WHERE title = :t")
        assert (await session.exec(stored, params={"t": title})).one()[0] == 0
