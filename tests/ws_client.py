"""A graphql-transport-ws client over the `websockets` library, sending graphql/operations documents."""

from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from tests.graphql_client import operation_documents

PROTOCOL = "graphql-transport-ws"


def ws_url(base_url: str) -> str:
    return base_url.replace("http://", "ws://", 1) + "/graphql"


@asynccontextmanager
async def socket(base_url: str, params: dict[str, Any] | None):
    """An open socket after connection_init was acknowledged (params None: no connection_init sent)."""
    async with connect(ws_url(base_url), subprotocols=[PROTOCOL], open_timeout=10) as ws:  # type: ignore[list-item]
        if params is not None:
            await ws.send(json.dumps({"type": "connection_init", "payload": params}))
            ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert ack["type"] == "connection_ack", ack
        yield ws


async def subscribe(ws: ClientConnection, variables: dict[str, Any] | None = None, op_id: str = "1") -> None:
    payload = {
        "query": operation_documents()["Notifications"],
        "operationName": "Notifications",
        "variables": variables or {},
    }
    await ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": payload}))


async def receive(ws: ClientConnection, wait: float = 10) -> dict[str, Any]:
    """The next protocol message that is not a keep-alive ping (answered with a pong)."""
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), wait))
        if message["type"] == "ping":
            await ws.send(json.dumps({"type": "pong"}))
            continue
        return message


async def notifications(ws: ClientConnection, count: int, wait: float = 10) -> list[dict[str, Any]]:
    """The next `count` notifications; fails on any error or completion."""
    received = []
    while len(received) < count:
        message = await receive(ws, wait)
        assert message["type"] == "next" and "errors" not in message["payload"], message
        received.append(message["payload"]["data"]["notifications"])
    return received


@asynccontextmanager
async def following(base_url: str, token: str, after: str | None = None):
    """A subscribed socket; waits a moment because the protocol has no 'subscribed' acknowledgement."""
    async with socket(base_url, {"Authorization": f"Bearer {token}"}) as ws:
        await subscribe(ws, {"after": after} if after else {})
        await asyncio.sleep(0.3)
        yield ws
