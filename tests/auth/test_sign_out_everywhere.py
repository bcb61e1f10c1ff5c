"""Ending a sign-in takes effect at once on every instance: the very next request on another instance, sent
as soon as the ending one has answered, is refused. Each instance has just accepted the sign-in several times
over, so any memory of it an instance kept would show here (issue 15: the token check is cheap, not cached)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.accounts.support import account_of, token_of
from tests.auth_helpers import sign_in
from tests.builders import create_area, create_user
from tests.graphql_client import GraphQLClient, code

TIMES_ACCEPTED = 5


@pytest.fixture
async def other_instance(second_server: str) -> AsyncIterator[GraphQLClient]:
    """A client of a second instance of the service on the same database."""
    async with httpx.AsyncClient(base_url=second_server, timeout=30) as client:
        yield GraphQLClient(client)


async def accepted_everywhere(token: str, *instances: GraphQLClient) -> None:
    for instance in instances:
        for _ in range(TIMES_ACCEPTED):
            assert (await instance.data("Me", token=token))["me"]["id"]


async def refused(instance: GraphQLClient, token: str) -> str:
    return code(await instance.error("Me", token=token))


async def test_signing_out_on_one_instance_is_refused_on_another_at_once(gql, other_instance, sessions):
    # given a worker signed in twice (a laptop and a phone), each sign-in accepted on both instances
    area = await create_area(sessions)
    laptop = await sign_in(gql, area.colleague, fresh=True)
    phone = await sign_in(gql, area.colleague, fresh=True)
    await accepted_everywhere(laptop, gql, other_instance)
    await accepted_everywhere(phone, gql, other_instance)

    # when the laptop signs out on the first instance
    await gql.data("Logout", token=laptop)

    # then the next request with it on the other instance is refused, and on the first
    assert await refused(other_instance, laptop) == "UNAUTHENTICATED"
    assert await refused(gql, laptop) == "UNAUTHENTICATED"
    # and the phone's sign-in goes on working on both
    await accepted_everywhere(phone, other_instance, gql)


async def test_deactivating_an_account_on_one_instance_is_refused_on_another_at_once(gql, other_instance, sessions):
    # given a practitioner whose sign-in both instances have accepted
    area = await create_area(sessions)
    user = await create_user(sessions, agency=area.school)
    token = await sign_in(gql, user, fresh=True)
    admin = await sign_in(gql, area.admin)
    await accepted_everywhere(token, gql, other_instance)

    # when an administrator deactivates the account on the first instance
    account = await account_of(gql, admin, user)
    await gql.data("AccountDeactivate", {"input": {"id": account["id"], "version": account["version"]}}, token=admin)

    # then the next request with the sign-in on the other instance is refused
    assert await refused(other_instance, token) == "UNAUTHENTICATED"


async def test_a_password_reset_on_one_instance_ends_sign_ins_on_another_at_once(gql, other_instance, sessions):
    # given a practitioner whose sign-in both instances have accepted, and a reset link for them
    area = await create_area(sessions)
    user = await create_user(sessions, agency=area.school)
    token = await sign_in(gql, user, fresh=True)
    admin = await sign_in(gql, area.admin)
    issued = await gql.data("PasswordResetIssue", {"input": {"userId": str(user.id)}}, token=admin)
    await accepted_everywhere(token, gql, other_instance)

    # when the link is used on the first instance
    redeem = {"token": token_of(issued["passwordResetIssue"]["link"]), "newPassword": "a new password please"}
    fresh = (await gql.data("PasswordResetRedeem", {"input": redeem}))["passwordResetRedeem"]["token"]

    # then the old sign-in is refused on the other instance at once, and the new one is accepted there
    assert await refused(other_instance, token) == "UNAUTHENTICATED"
    await accepted_everywhere(fresh, other_instance)
