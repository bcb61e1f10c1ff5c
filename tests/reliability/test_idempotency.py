"""A client that retries a create after a timeout gets the item it created, not a second one."""

from __future__ import annotations

import asyncio
import uuid

import sqlalchemy as sa

from server.contribution.models import Contribution
from tests.auth_helpers import sign_in
from tests.builders import create_area
from tests.graphql_client import code


def item(family_id, key: str | None, title: str = "Attendance up to 85%") -> dict:
    return {
        "input": {
            "familyId": str(family_id),
            "kind": "update",
            "category": "education",
            "title": title,
            "body": "Mentoring is working.",
            "idempotencyKey": key,
        }
    }


async def stored(sessions, family_id) -> int:
    async with sessions() as session:
        return (
            await session.exec(
                sa.select(sa.func.count()).select_from(Contribution).where(Contribution.family_id == family_id)
            )
        ).one()[0]


async def test_a_retry_with_the_same_key_returns_the_first_item(gql, sessions):
    area = await create_area(sessions)
    token = await sign_in(gql, area.colleague)
    key = str(uuid.uuid4())
    first = (await gql.data("ContributionAdd", item(area.family.id, key), token=token))["contributionAdd"]
    retry = (await gql.data("ContributionAdd", item(area.family.id, key), token=token))["contributionAdd"]
    assert retry["id"] == first["id"]
    assert await stored(sessions, area.family.id) == 1


async def test_concurrent_retries_create_one_item(gql, sessions):
    area = await create_area(sessions)
    token = await sign_in(gql, area.colleague)
    key = str(uuid.uuid4())
    results = await asyncio.gather(
        *(gql.data("ContributionAdd", item(area.family.id, key), token=token) for _ in range(4))
    )
    assert len({result["contributionAdd"]["id"] for result in results}) == 1
    assert await stored(sessions, area.family.id) == 1


async def test_a_key_reused_for_a_different_request_is_a_conflict_and_keys_are_per_user(gql, sessions):
    area = await create_area(sessions)
    key = str(uuid.uuid4())
    await gql.data("ContributionAdd", item(area.family.id, key), token=await sign_in(gql, area.colleague))
    family = {
        "input": {
            "displayName": "The Rivers family",
            "levelOfNeed": "targeted",
            "idempotencyKey": key,
            "members": [{"fullName": "Leo Rivers", "relationship": "son", "isSubjectChild": True}],
            "leadContact": {"agencyRole": "Family support"},
        }
    }
    assert code(await gql.error("FamilyOpen", family, token=await sign_in(gql, area.colleague))) == "CONFLICT"
    # another user's identical key is theirs alone
    other = await gql.data("ContributionAdd", item(area.family.id, key), token=await sign_in(gql, area.lead))
    assert other["contributionAdd"]["owningAgency"]["id"] == str(area.early_help.id)


async def test_without_a_key_each_call_creates(gql, sessions):
    area = await create_area(sessions)
    token = await sign_in(gql, area.colleague)
    await gql.data("ContributionAdd", item(area.family.id, None), token=token)
    await gql.data("ContributionAdd", item(area.family.id, None), token=token)
    assert await stored(sessions, area.family.id) == 2
