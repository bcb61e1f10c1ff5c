"""ContributionAdd is written optimistically (server/writes.py `write_optimistically`): it reads the family, its facts
and its row's version without a lock, decides, then writes the item, its audit event and its key's claim in one
statement that locks the family's row FOR SHARE only if it is still the version decided on. These tests hold a
change to the family between the two, and check that the add waits for it, decides again on the family as it left
it, and is written once, with its audit event and its key's result, or refused with nothing written."""

from __future__ import annotations

import asyncio
import uuid

import sqlalchemy as sa

from tests.auth_helpers import sign_in
from tests.builders import create_area
from tests.contribution.test_concurrent_adds import _holding
from tests.contribution.test_contributions import new_item
from tests.graphql_client import code


async def _written(sessions, area, title: str) -> tuple[int, tuple[int, int], list]:
    """Items of that title in the family, contributionAdd audit events about it (allowed, denied), the results of the
    author's keys."""
    family_id = area.family.id
    async with sessions() as session:
        connection = await session.connection()
        titled = sa.text("SELECT count(*) FROM contribution WHERE family_id = :f AND title = :t")
        items = (await connection.execute(titled, {"f": family_id, "t": title})).scalar()
        audited = sa.text(
            "SELECT count(*) FILTER (WHERE outcome = 'allowed'), count(*) FILTER (WHERE outcome = 'denied')"
            " FROM audit_event WHERE family_id = :f AND action = 'contributionAdd'"
        )
        events = tuple((await connection.execute(audited, {"f": family_id})).one())
        results = sa.text("SELECT result_id FROM idempotency_key WHERE user_id = :u")
        keys = (await connection.execute(results, {"u": area.colleague.id})).all()
    return items, events, [row[0] for row in keys]


async def _add_while_the_family_changes(gql, sessions, area, token, change: str, variables: dict):
    """Start the add while another transaction holds the family's row, changed by `change`; let it commit once the
    add has had time to decide and reach its write; the add's answer (data or error)."""
    holder = await _holding(sessions, area.family.id, "FOR UPDATE")
    try:
        await (await holder.connection()).execute(
            sa.text(change), {"f": area.family.id, "u": area.colleague.id} if ":u" in change else {"f": area.family.id}
        )
        add = asyncio.ensure_future(gql.op("ContributionAdd", variables, token))
        await asyncio.sleep(1.0)
        assert not add.done()  # its write waits for the family's row
        await holder.commit()
    finally:
        await holder.close()
    return await asyncio.wait_for(add, 20)


async def _an_author_and_their_add(gql, sessions, title: str):
    """A team member of a new area, signed in, and the variables of their add of an item so titled, with a key."""
    area = await create_area(sessions)
    token = await sign_in(gql, area.colleague)
    return area, token, new_item(area.family.id, title=title, idempotencyKey=str(uuid.uuid4()))


async def test_an_add_that_met_another_change_to_the_family_is_decided_again_and_written_once(gql, sessions):
    area, token, variables = await _an_author_and_their_add(gql, sessions, "Written once")
    rename = "UPDATE family SET display_name = display_name || ' (renamed)' WHERE id = :f"
    answer = await _add_while_the_family_changes(gql, sessions, area, token, rename, variables)
    added = answer["data"]["contributionAdd"]
    assert added["title"] == "Written once" and added["version"] == 1
    items, events, results = await _written(sessions, area, "Written once")
    assert (items, events) == (1, (1, 0))
    assert [str(result) for result in results] == [added["id"]]
    again = await gql.data("ContributionAdd", variables, token=token)  # the retry replays it, audited as a replay
    assert again["contributionAdd"]["id"] == added["id"]
    assert (await _written(sessions, area, "Written once"))[:2] == (1, (2, 0))


async def test_an_add_whose_author_left_the_team_while_it_was_decided_is_refused_with_nothing_written(gql, sessions):
    area, token, variables = await _an_author_and_their_add(gql, sessions, "Never written")
    leave = "UPDATE team_membership SET valid_to = now() WHERE family_id = :f AND user_id = :u"
    answer = await _add_while_the_family_changes(gql, sessions, area, token, leave, variables)
    assert code(answer["errors"][0]) in ("FORBIDDEN", "NOT_FOUND")
    items, events, results = await _written(sessions, area, "Never written")
    assert (items, events, results) == (0, (0, 1), [])  # the refusal audited
