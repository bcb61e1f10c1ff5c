"""Adding minutes items and decisions and publishing lock the family FOR SHARE and the meeting FOR UPDATE
(server/writes.py `share_family_of`): these changes to different meetings of one family run side
by side; each still waits for a change holding the family FOR UPDATE (the team's, say) and decides on the
family as it left it, and waits for a change of the same meeting and reads the meeting as it left it."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from tests.auth_helpers import sign_in
from tests.builders_meet import create_held_meeting, create_meeting_area, create_minutes_item
from tests.graphql_client import code

CHANGES = [
    ("MinutesItemAdd", {"expectedVersion": 1, "heading": "Update", "text": "Said"}),
    ("MeetingDecisionAdd", {"text": "Keep the plan"}),
    ("MinutesPublish", {"expectedVersion": 1}),
]


async def _holding(sessions, statement: str, **params):
    """A transaction holding a row lock, as another guarded write does until it commits."""
    session = sessions()
    await (await session.connection()).execute(sa.text(statement), params)
    return session


async def _given(sessions, gql):
    m = await create_meeting_area(sessions)
    await create_minutes_item(sessions, meeting=m.meeting, agency=m.area.early_help)  # publishable, at version 1
    return m, await sign_in(gql, m.area.lead)


@pytest.mark.parametrize(("operation", "fields"), CHANGES, ids=[c[0] for c in CHANGES])
async def test_a_change_does_not_wait_for_one_to_another_meeting_of_the_family(gql, sessions, operation, fields):
    m, lead = await _given(sessions, gql)
    other = await create_held_meeting(sessions, family=m.area.family, chair=m.area.lead)
    other_change = await _holding(
        sessions,
        "SELECT 1 FROM taf_meeting JOIN family ON family.id = taf_meeting.family_id WHERE taf_meeting.id = :id"
        " FOR SHARE OF family FOR UPDATE OF taf_meeting",
        id=other.id,
    )
    try:
        variables = {"input": {"meetingId": str(m.meeting.id), **fields}}
        done = await asyncio.wait_for(gql.data(operation, variables, token=lead), 20)
    finally:
        await other_change.rollback()
        await other_change.close()
    assert next(iter(done.values()))["id"] == str(m.meeting.id)


@pytest.mark.parametrize(("operation", "fields"), CHANGES, ids=[c[0] for c in CHANGES])
async def test_a_change_waits_for_a_team_change_and_decides_on_the_team_it_left(gql, sessions, operation, fields):
    m, lead = await _given(sessions, gql)
    team_change = await _holding(sessions, "SELECT 1 FROM family WHERE id = :id FOR UPDATE", id=m.area.family.id)
    try:
        change = asyncio.ensure_future(
            gql.error(operation, {"input": {"meetingId": str(m.meeting.id), **fields}}, token=lead)
        )
        await asyncio.sleep(1.0)
        assert not change.done()  # waiting for the family's lock
        await (await team_change.connection()).execute(
            sa.text("UPDATE team_membership SET valid_to = now() WHERE family_id = :f AND user_id = :u"),
            {"f": m.area.family.id, "u": m.area.lead.id},
        )
        await team_change.commit()
    finally:
        await team_change.close()
    assert code(await asyncio.wait_for(change, 20)) in ("FORBIDDEN", "NOT_FOUND")


@pytest.mark.parametrize(("operation", "fields"), CHANGES, ids=[c[0] for c in CHANGES])
async def test_a_change_waits_for_a_publication_and_reads_the_meeting_it_left(gql, sessions, operation, fields):
    # given another publication of the meeting under way (holding the meeting's lock)
    m, lead = await _given(sessions, gql)
    publication = await _holding(
        sessions,
        "SELECT 1 FROM taf_meeting JOIN family ON family.id = taf_meeting.family_id WHERE taf_meeting.id = :id"
        " FOR SHARE OF family FOR UPDATE OF taf_meeting",
        id=m.meeting.id,
    )
    try:
        change = asyncio.ensure_future(
            gql.error(operation, {"input": {"meetingId": str(m.meeting.id), **fields}}, token=lead)
        )
        await asyncio.sleep(1.0)
        assert not change.done()  # waiting for the meeting's lock
        await (await publication.connection()).execute(
            sa.text("UPDATE taf_meeting SET minutes_published_at = now(), version = 2 WHERE id = :id"),
            {"id": m.meeting.id},
        )
        await publication.commit()
    finally:
        await publication.close()
    # then the change sees the minutes published (a decision has no trigger behind this check)
    error = await asyncio.wait_for(change, 20)
    assert code(error) == "CONFLICT" and "addendum" in error["message"], error


async def test_an_exclusive_change_of_the_meeting_under_way_does_not_deadlock_with_an_add(gql, sessions):
    # given a change holding the family FOR UPDATE (an item's edit, say), that will then update the meeting
    m, lead = await _given(sessions, gql)
    edit = await _holding(sessions, "SELECT 1 FROM family WHERE id = :id FOR UPDATE", id=m.area.family.id)
    try:
        variables = {"input": {"meetingId": str(m.meeting.id), **CHANGES[0][1]}}
        add = asyncio.ensure_future(gql.error("MinutesItemAdd", variables, token=lead))
        await asyncio.sleep(1.0)
        assert not add.done()
        # when it updates the meeting: the waiting add holds no lock on it (the family's is taken first)
        await asyncio.wait_for(
            (await edit.connection()).execute(
                sa.text("UPDATE taf_meeting SET version = version + 1 WHERE id = :id"), {"id": m.meeting.id}
            ),
            10,
        )
        await edit.commit()
    finally:
        await edit.close()
    # then the add reads the meeting as the edit left it: stale
    error = await asyncio.wait_for(add, 20)
    assert code(error) == "CONFLICT" and "since you opened it" in error["message"], error
