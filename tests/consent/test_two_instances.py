"""Two server instances on one database: a consent change on one counts on the other's next request."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn

from server.app import create_app
from tests.auth_helpers import sign_in
from tests.builders import create_area, create_contribution
from tests.conftest import free_port
from tests.graphql_client import GraphQLClient, code


@pytest.fixture(scope="module")
async def second_instance(settings) -> AsyncIterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


async def test_a_withdrawal_on_one_instance_denies_the_next_read_on_the_other(gql, sessions, second_instance):
    # given an education item, and consent recorded through instance A
    area = await create_area(sessions)
    item = await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
    token = await sign_in(gql, area.lead)
    family = (await gql.data("Family", {"id": str(area.family.id)}, token=token))["family"]
    consent = (
        await gql.data(
            "ConsentRecord",
            {
                "input": {
                    "familyId": str(area.family.id),
                    "givenByMemberId": family["members"][0]["id"],
                    "capacity": "parental_responsibility",
                    "decision": "given",
                    "categories": ["education"],
                    "purpose": "Attendance plan",
                    "wholeTeam": True,
                }
            },
            token=token,
        )
    )["consentRecord"]
    async with httpx.AsyncClient(base_url=second_instance) as http:
        other = GraphQLClient(http)
        # then instance B sees the item
        assert (await other.data("Contribution", {"id": str(item.id)}, token=token))["contribution"]["id"] == str(
            item.id
        )
        # when the consent is withdrawn through instance A
        await gql.data(
            "ConsentWithdraw", {"input": {"consentId": consent["id"], "reason": "Dad withdrew it"}}, token=token
        )
        # then the very next read on instance B is refused
        assert code(await other.error("Contribution", {"id": str(item.id)}, token=token)) == "NOT_FOUND"
