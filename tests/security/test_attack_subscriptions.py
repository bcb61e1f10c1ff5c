"""The notifications subscription, tried by every hostile actor kind: a socket without a valid sign-in is
refused at connection_init, and a signed-in outsider - subscribed live and replaying from the start -
receives nothing about a family that is not theirs while the family's lead receives it all."""

from __future__ import annotations

import asyncio
import contextlib
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests import ws_client
from tests.builders import issue_token
from tests.notifications.test_notification_delivery import append, escalation, meeting
from tests.security.test_attack_matrix import HOSTILE, target  # noqa: F401 (the shared fixture)

UNSIGNED = {"no_token", "expired_token", "forged_token"}


async def refused_at_init(base_url: str, token: str | None) -> int:
    """The close code the server answers connection_init with."""
    params = {"Authorization": f"Bearer {token}"} if token else {}
    async with connect(ws_client.ws_url(base_url), subprotocols=[ws_client.PROTOCOL], open_timeout=10) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": params}))
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), 10))
                assert message["type"] != "connection_ack", message
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


async def drain(ws, seconds: float) -> list[dict]:
    """Everything the server sends within `seconds` (answering keep-alive pings)."""
    received: list[dict] = []
    deadline = asyncio.get_running_loop().time() + seconds
    while (left := deadline - asyncio.get_running_loop().time()) > 0:
        try:
            received.append(await ws_client.receive(ws, wait=left))
        except TimeoutError:
            break
    return received


@pytest.mark.parametrize("actor", sorted(UNSIGNED))
async def test_a_socket_without_a_valid_sign_in_is_refused(live_server, target, actor):  # noqa: F811
    assert await refused_at_init(live_server, target["tokens"][actor]) == 4403


async def test_no_signed_in_outsider_receives_anything_about_the_family(gql, sessions, live_server, target):  # noqa: F811
    # given the family's lead and every signed-in hostile actor subscribed, live and replaying from the start
    family, area = target["family"], target["area"]
    actors = [actor for actor in HOSTILE if actor not in UNSIGNED]
    lead = await issue_token(sessions, area.lead)
    async with contextlib.AsyncExitStack() as stack:
        lead_ws = await stack.enter_async_context(ws_client.following(live_server, lead, after="0"))
        sockets = {}
        for actor in actors:
            params = {"Authorization": f"Bearer {target['tokens'][actor]}"}
            sockets[actor] = await stack.enter_async_context(ws_client.socket(live_server, params))
            await ws_client.subscribe(sockets[actor], {"after": "0"})
        await asyncio.sleep(0.5)
        already = dict(zip(sockets, await asyncio.gather(*(drain(ws, 0.5) for ws in sockets.values())), strict=True))
        # when the family gets a meeting and an urgent escalation whose reason is police information
        await append(sessions, meeting(family.id), escalation(family.id, area.school.id))
        lead_got = await ws_client.notifications(lead_ws, 2, wait=15)
        later = dict(zip(sockets, await asyncio.gather(*(drain(ws, 2) for ws in sockets.values())), strict=True))
    # then the lead has both, and no hostile actor received anything that names the family or the reason
    assert {n["familyId"] for n in lead_got} == {str(family.id)}
    for actor in actors:
        text = json.dumps(already[actor] + later[actor])
        assert str(family.id) not in text and "Disclosure at school" not in text, (actor, text[:500])
        assert all(m["type"] == "next" for m in later[actor]), (actor, later[actor])
        inbox = await gql.op("Inbox", {"first": 100}, token=target["tokens"][actor])
        assert str(family.id) not in json.dumps(inbox), actor
