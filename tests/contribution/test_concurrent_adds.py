"""ContributionAdd locks the family FOR SHARE (server/writes.py `share_and_require`; written optimistically, its
write takes the lock): adds to one family run side by side, and each still waits for a change holding the lock FOR
UPDATE and decides on the family as that change left it (tests/contribution/test_optimistic_adds.py)."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from tests.auth_helpers import sign_in
from tests.builders import create_area
from tests.contribution.test_contributions import new_item
from tests.graphql_client import code


async def _holding(sessions, family_id, mode: str):
    """A transaction holding the family's row lock in `mode`, as another guarded write does."""
    session = sessions()
    connection = await session.connection()
    await connection.execute(sa.text(f"SELECT 1 FROM family WHERE id = :id {mode}"), {"id": family_id})
    return session


async def test_an_add_does_not_wait_for_another_add_to_the_same_family(gql, sessions):
    area = await create_area(sessions)
    token = await sign_in(gql, area.colleague)
    other_add = await _holding(sessions, area.family.id, "FOR SHARE")
    try:
        added = await asyncio.wait_for(gql.data("ContributionAdd", new_item(area.family.id), token=token), 20)
    finally:
        await other_add.rollback()
        await other_add.close()
    assert added["contributionAdd"]["version"] == 1


async def test_an_add_waits_for_a_team_change_and_decides_on_the_team_it_left(gql, sessions):
    area = await create_area(sessions)
    token = await sign_in(gql, area.colleague)
    team_change = await _holding(sessions, area.family.id, "FOR UPDATE")
    try:
        add = asyncio.ensure_future(gql.error("ContributionAdd", new_item(area.family.id), token=token))
        await asyncio.sleep(1.0)
        assert not add.done()  # waiting for the family's lock
        await (await team_change.connection()).execute(
            sa.text("UPDATE team_membership SET valid_to = now() WHERE family_id = :f AND user_id = :u"),
            {"f": area.family.id, "u": area.colleague.id},
        )
        await team_change.commit()
    finally:
        await team_change.close()
    assert code(await asyncio.wait_for(add, 20)) in ("FORBIDDEN", "NOT_FOUND")
