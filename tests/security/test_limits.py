"""Every API limit answers with a clear error and a stable code (values in docs/CONFIGURATION.md)."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import uuid

import pytest
from websockets.exceptions import ConnectionClosed

from tests import ws_client
from tests.auth_helpers import sign_in
from tests.builders import create_area, create_contribution
from tests.graphql_client import code


async def test_query_depth_aliases_and_tokens_are_limited(gql, sessions):
    area = await create_area(sessions)
    token = await sign_in(gql, area.lead)
    too_deep = "query { " + "a: families { nodes { " * 12 + "id" + " } }" * 12 + " }"
    many_aliases = "{ " + " ".join(f"a{i}: me {{ id }}" for i in range(16)) + " }"
    many_tokens = "{ me { " + " ".join("id" for _ in range(2100)) + " } }"
    for query in (too_deep, many_aliases, many_tokens):
        result = await gql.raw(query, token=token)
        assert code(result["errors"][0]) == "LIMIT_EXCEEDED", (query[:40], result)


async def test_websocket_subscriptions_per_connection_are_limited(gql, sessions, live_server):
    area = await create_area(sessions)
    token = await sign_in(gql, area.lead)
    async with ws_client.socket(live_server, {"Authorization": f"Bearer {token}"}) as ws:
        for op_id in range(5):
            await ws_client.subscribe(ws, {"after": None}, op_id=str(op_id))
        await ws_client.subscribe(ws, {"after": None}, op_id="6")
        message = await ws_client.receive(ws)
    assert message["type"] == "error" and message["id"] == "6"
    assert message["payload"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"


async def test_a_socket_that_never_initialises_is_closed(live_server):
    async with ws_client.socket(live_server, None) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.rcvd.code == 4408


@pytest.mark.serial  # compares medians of response times: not while another worker loads the machine
async def test_a_withheld_item_takes_as_long_to_refuse_as_a_missing_one(gql, sessions):
    """Timing must not tell a curious colleague that an id exists."""
    area = await create_area(sessions)
    withheld = await create_contribution(sessions, family=area.family, author=area.colleague, category="police")
    token = await sign_in(gql, area.lead)

    async def timed(item_id: str) -> float:
        started = time.perf_counter()
        await gql.op("Contribution", {"id": item_id}, token=token)
        return time.perf_counter() - started

    for _ in range(5):  # warm up both paths
        await timed(str(withheld.id))
        await timed(str(uuid.uuid4()))
    hidden = [await timed(str(withheld.id)) for _ in range(40)]
    missing = [await timed(str(uuid.uuid4())) for _ in range(40)]
    difference = abs(statistics.median(hidden) - statistics.median(missing))
    spread = max(statistics.pstdev(hidden), statistics.pstdev(missing), 0.002)
    assert difference < 2 * spread, (statistics.median(hidden), statistics.median(missing), spread)


async def test_a_json_batch_is_not_accepted(http):
    response = await http.post(
        "/graphql", content=json.dumps([{"query": "{ me { id } }"}] * 3), headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
