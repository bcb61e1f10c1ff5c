"""A write that locks its family FOR SHARE reads the actor's facts in the same statement (server/writes.py
`share_and_require`, facts.with_locked_facts) and keeps them only if the family row it locked is the one they were
read from and it did not wait: every change of what the facts read moves the family row on (migration 0011).
These tests hold the database to that: which tables the facts read, that each moves the family on, and what the
lock's statement sees of a change that committed while it waited; and the same of the meeting's lock, which
reads the facts with the meeting."""

from __future__ import annotations

import asyncio
import importlib
import json
import uuid

import sqlalchemy as sa

from server.access.actor import Actor
from server.access.facts import facts_from_rows, facts_query, locked_facts, row_locked_with_facts
from server.db.prepared import Prepared
from server.meeting.models import Meeting
from server.writes import _SHARE_WITH_FACTS
from tests.builders import create_area, create_consent, create_family_member, create_override
from tests.builders_meet import create_held_meeting

FACTS_VERSION = importlib.import_module("server.db.migrations.versions.0011_family_facts_version")

# What the facts read that is not the family's record: no family lock orders a decision after a change to these,
# with or without the lock's statement reading the facts (an agreement between agencies, a lead's absence, which
# agencies are police).
NOT_THE_FAMILYS = {"agency", "data_sharing_agreement", "data_sharing_agreement_party", "lead_absence"}


def _actor(user) -> Actor:
    return Actor(user.id, user.display_name, "staff", str(user.role), user.agency_id, None)


def _relations(plan: dict) -> set[str]:
    found = {plan["Relation Name"]} if "Relation Name" in plan else set()
    for child in plan.get("Plans", []):
        found |= _relations(child)
    return found


async def test_the_family_tables_the_facts_read_are_the_ones_that_move_the_family_on(sessions):
    area = await create_area(sessions)
    statement, values = facts_query(_actor(area.colleague), [area.family.id])
    async with sessions() as session:
        connection = await session.connection()
        prepared = Prepared(statement, connection.dialect)
        # Every id given (a plan leaves out what a null rules out: a staff member's family member, say).
        given = {**values, "member_id": uuid.uuid4()}
        explain = f"EXPLAIN (VERBOSE, FORMAT JSON) {prepared.sql}"
        (explained,) = (await connection.exec_driver_sql(explain, tuple(given[n] for n in prepared.names))).one()
        triggers = {
            (row.table, row.name)
            for row in await connection.execute(
                sa.text(
                    "SELECT tgrelid::regclass::text AS table, tgname AS name FROM pg_trigger WHERE NOT tgisinternal"
                )
            )
        }
    plan = (json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]
    read = _relations(plan) - {"family"}
    assert read - NOT_THE_FAMILYS == set(FACTS_VERSION.FACTS_TABLES)
    for table in FACTS_VERSION.FACTS_TABLES:
        for event in ("inserted", "updated", "deleted"):
            assert (table, f"{table}_facts_{event}") in triggers


async def _facts_version(sessions, family_id: uuid.UUID) -> int:
    async with sessions() as session:
        return (
            await (await session.connection()).execute(
                sa.text("SELECT facts_version FROM family WHERE id = :f"), {"f": family_id}
            )
        ).one()[0]


async def test_adding_changing_and_ending_what_the_facts_read_moves_the_family_on(sessions):
    area = await create_area(sessions)
    family, newcomer = area.family, area.outsider
    changes = [
        "INSERT INTO team_membership (id, family_id, user_id, agency_id, role, agency_role, contact_in_hours,"
        " contact_out_of_hours, valid_from, created_at)"
        " SELECT gen_random_uuid(), :f, :u, agency_id, 'contributor', 'Teacher', '', '', now(), now()"
        " FROM app_user WHERE id = :u",
        "UPDATE team_membership SET valid_to = now() WHERE family_id = :f AND user_id = :u",
        "DELETE FROM team_membership WHERE family_id = :f AND user_id = :u",
        lambda: create_consent(sessions, family=family, recorded_by=area.lead, categories=["health"]),
        "UPDATE consent SET withdrawn_at = now() WHERE family_id = :f",
        lambda: create_override(
            sessions, family=family, decided_by=area.lead, categories=["health"], recipients=[area.school]
        ),
        "UPDATE safeguarding_override SET revoked_at = now() WHERE family_id = :f",
        lambda: create_family_member(sessions, family=family),
        "DELETE FROM family_member WHERE family_id = :f AND relationship = 'father'",
    ]
    for change in changes:
        before = await _facts_version(sessions, family.id)
        if callable(change):
            await change()
        else:
            async with sessions() as session:
                result = await (await session.connection()).execute(sa.text(change), {"f": family.id, "u": newcomer.id})
                assert result.rowcount == 1
                await session.commit()
        assert await _facts_version(sessions, family.id) == before + 1, change


async def _locking(sessions, area) -> asyncio.Task:
    """The lock's statement of a ContributionAdd by the colleague, sent while another transaction holds the
    family FOR UPDATE: it waits."""
    values = {"locked_family_id": area.family.id, **facts_query(_actor(area.colleague), [area.family.id])[1]}
    return await _waiting(sessions, _SHARE_WITH_FACTS, values)


async def _waiting(sessions, statement, values) -> asyncio.Task:
    """`statement` sent in a transaction of its own, which is found waiting for a lock half a second later."""

    async def run():
        async with sessions() as session:
            row = (await (await session.connection()).execute(statement, values)).one()
            await session.rollback()
            return row

    task = asyncio.ensure_future(run())
    await asyncio.sleep(0.5)
    assert not task.done()  # waiting for a lock
    return task


async def _holding(sessions, family_id):
    session = sessions()
    await (await session.connection()).execute(
        sa.text("SELECT 1 FROM family WHERE id = :f FOR UPDATE"), {"f": family_id}
    )
    return session


async def test_a_team_change_that_committed_while_the_lock_waited_shows_as_a_newer_family_row(sessions):
    area = await create_area(sessions)
    team_change = await _holding(sessions, area.family.id)
    waiting = await _locking(sessions, area)
    await (await team_change.connection()).execute(
        sa.text("UPDATE team_membership SET valid_to = now() WHERE family_id = :f AND user_id = :u"),
        {"f": area.family.id, "u": area.colleague.id},
    )
    await team_change.commit()
    await team_change.close()
    locked, promptly, *facts = await asyncio.wait_for(waiting, 20)
    assert not promptly
    assert locked[1] != facts[-1]  # the row it locked is newer than the one the facts were read from
    assert facts[1] is True  # the snapshot still had the colleague on the team: the facts must not count
    assert locked_facts(locked[1], True, facts, area.colleague.agency_id) is None
    assert locked_facts(locked[1], promptly, facts, area.colleague.agency_id) is None


async def test_a_lock_held_without_a_change_finds_the_row_the_facts_were_read_from(sessions):
    area = await create_area(sessions)
    holder = await _holding(sessions, area.family.id)
    waiting = await _locking(sessions, area)
    await holder.commit()
    await holder.close()
    locked, promptly, *facts = await asyncio.wait_for(waiting, 20)
    assert locked[1] == facts[-1]
    assert not promptly  # it waited: its time checks are as of before the wait, so the facts are read again
    assert locked_facts(locked[1], promptly, facts, area.colleague.agency_id) is None


async def test_facts_read_with_a_lock_taken_at_once_are_the_facts_statements(sessions):
    area = await create_area(sessions)
    actor = _actor(area.colleague)
    statement, values = facts_query(actor, [area.family.id])
    async with sessions() as session:
        locked, promptly, *facts = (
            await (await session.connection()).execute(
                _SHARE_WITH_FACTS, {"locked_family_id": area.family.id, **values}
            )
        ).one()
        alone = (await (await session.connection()).execute(statement, values)).all()
        await session.rollback()
    assert promptly and locked[0] == str(area.family.status) and locked[1] == facts[-1]
    expected = facts_from_rows([area.family.id], [tuple(row) for row in alone], actor.agency_id)[area.family.id]
    assert locked_facts(locked[1], promptly, facts, actor.agency_id) == expected
    assert expected.named_worker


async def test_no_family_gives_no_status_and_no_facts(sessions):
    area = await create_area(sessions)
    nowhere = uuid.uuid4()
    values = {"locked_family_id": nowhere, **facts_query(_actor(area.colleague), [nowhere])[1]}
    async with sessions() as session:
        locked, promptly, *facts = (await (await session.connection()).execute(_SHARE_WITH_FACTS, values)).one()
        await session.rollback()
    assert locked is None and all(column is None for column in facts)
    assert locked_facts(None, promptly, facts, area.colleague.agency_id) is None


# A change to a meeting's draft minutes locks the meeting FOR UPDATE and its family FOR SHARE, and reads the caller's
# facts, in one statement (server/writes.py `share_family_of`, facts.row_locked_with_facts): the same rule holds.
MEETING_LOCK = row_locked_with_facts(Meeting.__table__)
MEETING_COLUMNS = len(Meeting.__table__.c)


async def _locking_meeting(sessions, area, meeting_id: uuid.UUID) -> asyncio.Task:
    """The meeting lock's statement of the lead, sent while another transaction holds the family or the meeting
    FOR UPDATE: it waits."""
    values = {"locked_row_id": meeting_id, **facts_query(_actor(area.lead), [None])[1]}
    return await _waiting(sessions, MEETING_LOCK, values)


async def test_the_meeting_lock_sees_a_team_change_that_committed_while_it_waited_as_a_newer_family_row(sessions):
    area = await create_area(sessions)
    meeting = await create_held_meeting(sessions, family=area.family, chair=area.lead)
    team_change = await _holding(sessions, area.family.id)
    waiting = await _locking_meeting(sessions, area, meeting.id)
    await (await team_change.connection()).execute(
        sa.text("UPDATE team_membership SET valid_to = now() WHERE family_id = :f AND user_id = :u"),
        {"f": area.family.id, "u": area.lead.id},
    )
    await team_change.commit()
    await team_change.close()
    row = await asyncio.wait_for(waiting, 20)
    locked, promptly, *facts = row[MEETING_COLUMNS:]
    assert not promptly
    assert locked[1] != facts[-1]  # the family row it locked is newer than the one the facts were read from
    assert facts[1] is True  # the snapshot still had the lead on the team: the facts must not count
    assert locked_facts(locked[1], True, facts, area.lead.agency_id) is None


async def test_the_meeting_lock_reads_the_meeting_as_a_change_that_committed_while_it_waited_left_it(sessions):
    area = await create_area(sessions)
    meeting = await create_held_meeting(sessions, family=area.family, chair=area.lead)
    other_change = sessions()
    await (await other_change.connection()).execute(
        sa.text("UPDATE taf_meeting SET version = 2, status = 'held' WHERE id = :m"), {"m": meeting.id}
    )
    waiting = await _locking_meeting(sessions, area, meeting.id)
    await other_change.commit()
    await other_change.close()
    row = await asyncio.wait_for(waiting, 20)
    values = dict(zip([column.name for column in Meeting.__table__.c], row[:MEETING_COLUMNS], strict=True))
    assert values["id"] == meeting.id and values["version"] == 2 and values["status"] == "held"
    locked, promptly, *facts = row[MEETING_COLUMNS:]
    assert locked[1] == facts[-1]  # the family row did not change
    assert not promptly  # but it waited: the facts are read again


async def test_the_meeting_lock_taken_at_once_gives_the_meeting_and_the_facts_statements_facts(sessions):
    area = await create_area(sessions)
    meeting = await create_held_meeting(sessions, family=area.family, chair=area.lead)
    actor = _actor(area.lead)
    statement, values = facts_query(actor, [area.family.id])
    async with sessions() as session:
        connection = await session.connection()
        row = (await connection.execute(MEETING_LOCK, {"locked_row_id": meeting.id, **values})).one()
        alone = (await connection.execute(statement, values)).all()
        await session.rollback()
    assert row[0] == meeting.id and row[1] == area.family.id
    locked, promptly, *facts = row[MEETING_COLUMNS:]
    assert promptly and locked[0] == str(area.family.status) and locked[1] == facts[-1]
    expected = facts_from_rows([area.family.id], [tuple(r) for r in alone], actor.agency_id)[area.family.id]
    assert locked_facts(locked[1], promptly, facts, actor.agency_id) == expected
    assert expected.lead_professional and expected.named_worker


async def test_no_meeting_gives_no_row(sessions):
    area = await create_area(sessions)
    values = {"locked_row_id": uuid.uuid4(), **facts_query(_actor(area.lead), [None])[1]}
    async with sessions() as session:
        assert (await (await session.connection()).execute(MEETING_LOCK, values)).all() == []
        await session.rollback()
