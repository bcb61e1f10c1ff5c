"""In production, a mistyped name gets no "Did you mean 'families'?": introspection is off there, and the
suggestions would spell the schema out name by name. Elsewhere they stay, to help developers."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from server.app import create_app
from server.config import Environment
from tests import ws_client
from tests.auth_helpers import sign_in
from tests.builders import create_agency, create_user
from tests.conftest import serving
from tests.graphql_client import GraphQLClient, code

SUGGESTION = " Did you mean"
ITEM = {"familyId": str(uuid.uuid4()), "kind": "update", "category": "education", "title": "t", "body": "b"}
MISTAKES = {
    "an unknown field": ("{ familes { totalCount } }", None),
    "an unknown argument": ("{ families(frist: 5) { totalCount } }", None),
    "an unknown type": ("query($s: FamilyStatsu) { families(status: $s) { totalCount } }", None),
    "an unknown enum value": ("{ families(status: activ) { totalCount } }", None),
    "an unknown input field in the variables": ("ContributionAdd", {"input": {**ITEM, "titel": "t"}}),
    "an unknown enum value in the variables": ("ContributionAdd", {"input": {**ITEM, "category": "educaton"}}),
}


@pytest.fixture(scope="module")
async def production_server(settings) -> AsyncIterator[str]:
    async with serving(create_app(replace(settings, environment=Environment.production))) as url:
        yield url


async def errors_from(base_url: str, document: str, variables: dict | None, token: str) -> list[dict]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        gql = GraphQLClient(http)
        if " " in document:
            return (await gql.raw(document, variables, token))["errors"]
        return (await gql.op(document, variables, token))["errors"]


@pytest.mark.parametrize("mistake", MISTAKES)
async def test_production_names_nothing_the_caller_did_not_write(
    mistake, gql, sessions, live_server, production_server
):
    # given a mistake that the test environment answers with a suggestion
    token = await sign_in(gql, await create_user(sessions, agency=await create_agency(sessions)))
    document, variables = MISTAKES[mistake]
    suggested = await errors_from(live_server, document, variables, token)
    assert any(SUGGESTION in error["message"] for error in suggested), suggested
    # when production is sent the same
    errors = await errors_from(production_server, document, variables, token)
    # then it says the same, with the same codes, but suggests nothing
    assert [code(error) for error in errors] == [code(error) for error in suggested]
    for error, with_suggestion in zip(errors, suggested, strict=True):
        assert SUGGESTION not in error["message"]
        assert error["message"].startswith(with_suggestion["message"].split(SUGGESTION)[0].rstrip("."))


async def test_production_subscriptions_suggest_nothing_either(gql, sessions, production_server):
    # given a socket to production
    token = await sign_in(gql, await create_user(sessions, agency=await create_agency(sessions)))
    async with ws_client.socket(production_server, {"Authorization": f"Bearer {token}"}) as ws:
        # when a subscription names an argument that does not exist
        payload = {"query": 'subscription { notifications(aftr: "0") { id } }'}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        message = await ws_client.receive(ws)
    # then the error names only what was sent
    assert message["type"] == "error"
    assert [error["message"] for error in message["payload"]] == [
        "Unknown argument 'aftr' on field 'Subscription.notifications'."
    ]
