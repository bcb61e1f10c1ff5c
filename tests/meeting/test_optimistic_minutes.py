"""MinutesItemAdd and MeetingDecisionAdd without an idempotency key are written optimistically (server/writes.py
`share_family_of`, `write_optimistically`): the meeting, its family and the chair's facts are read without a lock,
the change is decided on them, and one statement alone writes it (the item with the meeting's new version, or the
decision, and the audit event) only if it locks the meeting and its family as they were read, and the item's agency
is on the team. These tests hold a change between the two statements, and check that the addition waits for it,
is decided again on what it left, and is written once or refused with nothing written."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from tests.auth_helpers import sign_in
from tests.builders_meet import MeetingArea, create_meeting_area
from tests.graphql_client import code

ADDITIONS = [
    ("MinutesItemAdd", "minutesItemAdd", {"expectedVersion": 1, "heading": "Update", "text": "Said"}),
    ("MeetingDecisionAdd", "meetingDecisionAdd", {"text": "Keep the plan"}),
]
IDS = [operation for operation, _, _ in ADDITIONS]


async def _recorded(sessions, m: MeetingArea, action: str) -> tuple[int, int, int, tuple[int, int]]:
    """The meeting's version, its items, its decisions, and its family's audit events of `action` (allowed,
    denied)."""
    async with sessions() as session:
        connection = await session.connection()
        row = await connection.execute(
            sa.text(
                "SELECT version, (SELECT count(*) FROM taf_meeting_minutes_item WHERE meeting_id = :m),"
                " (SELECT count(*) FROM taf_meeting_decision WHERE meeting_id = :m) FROM taf_meeting WHERE id = :m"
            ),
            {"m": m.meeting.id},
        )
        version, items, decisions = row.one()
        audited = await connection.execute(
            sa.text(
                "SELECT count(*) FILTER (WHERE outcome = 'allowed'), count(*) FILTER (WHERE outcome = 'denied')"
                " FROM audit_event WHERE family_id = :f AND action = :a"
            ),
            {"f": m.area.family.id, "a": action},
        )
        return version, items, decisions, tuple(audited.one())


async def _while_held(gql, sessions, token: str, operation: str, variables: dict, lock: str, change: str, **values):
    """Start the addition while another transaction holds a row (`lock`) and has changed it or what hangs from it
    (`change`); let it commit once the addition has had time to decide and reach its write; the answer."""
    holder = sessions()
    try:
        connection = await holder.connection()
        await connection.execute(sa.text(lock), values)
        await connection.execute(sa.text(change), values)
        addition = asyncio.ensure_future(gql.op(operation, {"input": variables}, token))
        await asyncio.sleep(1.0)
        assert not addition.done()  # its write waits for the row
        await holder.commit()
    finally:
        await holder.close()
    return await asyncio.wait_for(addition, 20)


HOLD_FAMILY = "SELECT 1 FROM family WHERE id = :f FOR UPDATE"


async def _chair_adding(gql, sessions, fields: dict) -> tuple[MeetingArea, str, dict]:
    """A held meeting, its chair signed in, and the input of an addition to it with `fields`."""
    m = await create_meeting_area(sessions)
    return m, await sign_in(gql, m.area.lead), {"meetingId": str(m.meeting.id), **fields}


@pytest.mark.parametrize(("operation", "action", "fields"), ADDITIONS, ids=IDS)
async def test_an_addition_that_met_a_change_to_the_family_is_decided_again_and_written_once(
    gql, sessions, operation, action, fields
):
    m, lead, variables = await _chair_adding(gql, sessions, fields)
    rename = "UPDATE family SET display_name = display_name || ' (renamed)' WHERE id = :f"
    answer = await _while_held(gql, sessions, lead, operation, variables, HOLD_FAMILY, rename, f=m.area.family.id)
    meeting = answer["data"][action]
    assert meeting["id"] == str(m.meeting.id)
    version, items, decisions, audited = await _recorded(sessions, m, action)
    if operation == "MinutesItemAdd":
        assert (meeting["version"], version, items, decisions) == (2, 2, 1, 0)
    else:
        assert (meeting["version"], version, items, decisions) == (1, 1, 0, 1)
    assert audited == (1, 0)


@pytest.mark.parametrize(("operation", "action", "fields"), ADDITIONS, ids=IDS)
async def test_an_addition_that_met_a_change_to_the_meeting_reads_the_meeting_it_left(
    gql, sessions, operation, action, fields
):
    m, lead, variables = await _chair_adding(gql, sessions, fields)
    hold = "SELECT 1 FROM taf_meeting WHERE id = :m FOR UPDATE"
    moved = "UPDATE taf_meeting SET agenda = 'Moved on', version = version + 1 WHERE id = :m"
    answer = await _while_held(gql, sessions, lead, operation, variables, hold, moved, m=m.meeting.id)
    version, items, decisions, audited = await _recorded(sessions, m, action)
    if operation == "MinutesItemAdd":  # decided again on version 2: the chair's version 1 is stale
        assert code(answer["errors"][0]) == "CONFLICT" and "since you opened it" in answer["errors"][0]["message"]
        assert (version, items, decisions, audited) == (2, 0, 0, (0, 0))
    else:  # a decision does not depend on the version: written on the meeting as it was left
        assert answer["data"][action]["agenda"] == "Moved on"
        assert (version, items, decisions, audited) == (2, 0, 1, (1, 0))


async def test_an_item_whose_agency_left_the_team_while_it_was_decided_is_refused_with_nothing_written(gql, sessions):
    m, lead, variables = await _chair_adding(gql, sessions, ADDITIONS[0][2])
    variables["agencyId"] = str(m.health.id)
    leave = "UPDATE team_membership SET valid_to = now() WHERE family_id = :f AND user_id = :u"
    answer = await _while_held(
        gql, sessions, lead, "MinutesItemAdd", variables, HOLD_FAMILY, leave, f=m.area.family.id, u=m.health_visitor.id
    )
    error = answer["errors"][0]
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "agencyId")
    assert await _recorded(sessions, m, "minutesItemAdd") == (1, 0, 0, (0, 0))


async def test_an_item_of_an_agency_not_on_the_team_leaves_the_meeting_as_it_was(gql, sessions):
    m, lead, variables = await _chair_adding(gql, sessions, ADDITIONS[0][2])
    variables["agencyId"] = str(m.area.outsider.agency_id)
    await _leave(sessions, m)  # the school is no longer on the team
    error = await gql.error("MinutesItemAdd", {"input": variables}, token=lead)
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "agencyId")
    # neither the item, nor the meeting's new version, nor an audit event of it was written
    assert await _recorded(sessions, m, "minutesItemAdd") == (1, 0, 0, (0, 0))


async def _leave(sessions, m: MeetingArea) -> None:
    async with sessions() as session:
        await session.exec(
            sa.text("UPDATE team_membership SET valid_to = now() WHERE family_id = :f AND agency_id = :a"),
            params={"f": m.area.family.id, "a": m.area.school.id},
        )
        await session.commit()


@pytest.mark.parametrize(("operation", "action", "fields"), ADDITIONS, ids=IDS)
async def test_an_addition_takes_no_transaction_of_its_own_unless_it_has_a_key(
    gql, app, sessions, operation, action, fields
):
    m, lead, variables = await _chair_adding(gql, sessions, fields)
    await gql.data("Me", token=lead)
    engine = app.state.taf.engine.sync_engine
    begun: list[object] = []

    def begin(connection) -> None:
        begun.append(connection)

    event.listen(engine, "begin", begin)
    try:
        await gql.data(operation, {"input": variables}, token=lead)
        without_key = len(begun)
        keyed = {**variables, "idempotencyKey": str(uuid.uuid4())}
        if operation == "MinutesItemAdd":
            keyed["expectedVersion"] = 2
        await gql.data(operation, {"input": keyed}, token=lead)
    finally:
        event.remove(engine, "begin", begin)
    assert (without_key, len(begun)) == (0, 1)  # with a key: under the locks, in a transaction
    assert (await _recorded(sessions, m, action))[3] == (2, 0)
