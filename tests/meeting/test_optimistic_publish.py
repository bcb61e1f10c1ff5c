"""MinutesPublish is written optimistically, its dispatch with it (server/writes.py `write_optimistically` with the
server's fanout): the meeting, its family and the chair's facts are read without a lock, then the family's team,
and one statement alone publishes the minutes, writes the audit event and the event already dispatched, and tells
the team (notifications and their NOTIFY), only if it locks the meeting and its family as they were read. These tests
hold a change between the reads and the write and check that the publication is decided again on what it left,
tells only the team as it then is, writes nothing when refused, never holds the dispatch's lock while it waits for
the audit chain's, and that a dispatch that fails costs no publication."""

from __future__ import annotations

import asyncio
import uuid

import sqlalchemy as sa
from sqlalchemy import event

from notifications import outbox
from notifications.dispatcher import DISPATCH_LOCK
from server.audit.models import CHAIN_LOCK
from tests.auth_helpers import sign_in
from tests.builders import create_user
from tests.builders_meet import MeetingArea, create_meeting_area, create_minutes_item, join_team
from tests.graphql_client import code
from tests.meeting.test_optimistic_minutes import HOLD_FAMILY, _while_held
from tests.notifications.test_dispatch_at_commit import heard

PUBLISHED = sa.text(
    "SELECT o.id, o.dispatched_at IS NOT NULL, array_agg(n.recipient_user_id ORDER BY n.id)"
    " FILTER (WHERE n.id IS NOT NULL)"
    " FROM notification_outbox o LEFT JOIN notification n ON n.outbox_id = o.id"
    " WHERE o.family_id = :family AND o.kind = 'meeting_minutes_published' GROUP BY o.id"
)


async def _publishable(gql, sessions) -> tuple[MeetingArea, str, dict]:
    """A held meeting with one item (at version 1), its chair signed in, and the input that publishes it."""
    m = await create_meeting_area(sessions)
    await create_minutes_item(sessions, meeting=m.meeting, agency=m.area.early_help)
    return m, await sign_in(gql, m.area.lead), {"meetingId": str(m.meeting.id), "expectedVersion": 1}


async def _published(sessions, m: MeetingArea) -> tuple[list[tuple], bool, tuple[int, int]]:
    """The publication's events (id, dispatched, told in order), whether the minutes are published, and the family's
    audit events of it (allowed, denied)."""
    async with sessions() as session:
        events = (await session.exec(PUBLISHED, params={"family": m.area.family.id})).all()
        published = (
            await session.exec(
                sa.text("SELECT minutes_published_at IS NOT NULL FROM taf_meeting WHERE id = :m"),
                params={"m": m.meeting.id},
            )
        ).scalar_one()
        audited = (
            await session.exec(
                sa.text(
                    "SELECT count(*) FILTER (WHERE outcome = 'allowed'), count(*) FILTER (WHERE outcome = 'denied')"
                    " FROM audit_event WHERE family_id = :f AND action = 'minutesPublish'"
                ),
                params={"f": m.area.family.id},
            )
        ).one()
    return [tuple(row) for row in events], published, tuple(audited)


async def test_publishing_takes_no_transaction_and_tells_the_team_in_its_own_statement(
    gql, app, sessions, database_url
):
    m, lead, variables = await _publishable(gql, sessions)
    await gql.data("Me", token=lead)
    begun: list[object] = []

    def begin(connection) -> None:
        begun.append(connection)

    engine = app.state.taf.engine.sync_engine
    event.listen(engine, "begin", begin)
    try:
        async with (
            heard(database_url, outbox.NOTIFICATION_CHANNEL) as told_notices,
            heard(database_url, outbox.OUTBOX_CHANNEL) as outbox_notices,
        ):
            meeting = await gql.data("MinutesPublish", {"input": variables}, token=lead)
    finally:
        event.remove(engine, "begin", begin)
    assert meeting["minutesPublish"]["minutesPublishedAt"] is not None
    assert meeting["minutesPublish"]["version"] == 2
    assert begun == []  # no transaction of its own: its statements were each sent alone
    [(outbox_id, dispatched, recipients)], published, audited = await _published(sessions, m)
    # the event was written dispatched, with a notification for each of the team but the chair who published
    assert (dispatched, published, audited) == (True, True, (1, 0))
    assert sorted(recipients) == sorted([m.area.colleague.id, m.health_visitor.id])
    assert told_notices  # live delivery was woken
    assert not [notice for notice in outbox_notices if notice.endswith(f":{outbox_id}")]  # no dispatcher was


async def test_a_publication_that_met_a_change_to_the_team_tells_the_team_as_it_was_left(gql, sessions):
    m, lead, variables = await _publishable(gql, sessions)
    newcomer = await create_user(sessions, agency=m.health)
    await join_team(sessions, family=m.area.family, user=newcomer)  # before the publication reads the team
    # while the publication is decided, the colleague leaves the team (their membership ended, the family moved on)
    leave = "UPDATE team_membership SET valid_to = now() WHERE family_id = :f AND user_id = :u"
    answer = await _while_held(
        gql, sessions, lead, "MinutesPublish", variables, HOLD_FAMILY, leave, f=m.area.family.id, u=m.area.colleague.id
    )
    assert answer["data"]["minutesPublish"]["version"] == 2
    [(_, dispatched, recipients)], published, audited = await _published(sessions, m)
    assert (dispatched, published, audited) == (True, True, (1, 0))
    # the colleague who left is not told; the others are, once each
    assert sorted(recipients) == sorted([m.health_visitor.id, newcomer.id])


async def test_a_publication_that_met_a_change_to_the_meeting_is_refused_with_nothing_written(gql, sessions):
    m, lead, variables = await _publishable(gql, sessions)
    hold = "SELECT 1 FROM taf_meeting WHERE id = :m FOR UPDATE"
    moved = "UPDATE taf_meeting SET agenda = 'Moved on', version = version + 1 WHERE id = :m"
    answer = await _while_held(gql, sessions, lead, "MinutesPublish", variables, hold, moved, m=m.meeting.id)
    assert code(answer["errors"][0]) == "CONFLICT" and "since you opened it" in answer["errors"][0]["message"]
    # not published, no event, nobody told, no audit event of a publication
    assert await _published(sessions, m) == ([], False, (0, 0))


async def test_minutes_without_items_are_refused_with_nothing_written(gql, sessions):
    m = await create_meeting_area(sessions)
    lead = await sign_in(gql, m.area.lead)
    error = await gql.error("MinutesPublish", {"input": {"meetingId": str(m.meeting.id), "expectedVersion": 1}}, lead)
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "minutes")
    assert await _published(sessions, m) == ([], False, (0, 0))


# The advisory locks of these keys in this test's database (another worker's database has its own).
ADVISORY = sa.text(
    "SELECT objid, granted FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 AND objid = ANY (:keys)"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


async def test_a_publication_waiting_for_the_audit_chain_holds_no_dispatch_lock(gql, sessions):
    # given a transaction that holds the audit chain's lock, as a change under the lock does until it commits
    m, lead, variables = await _publishable(gql, sessions)
    holder = sessions()
    try:
        connection = await holder.connection()
        await connection.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHAIN_LOCK})
        # when the chair publishes
        publication = asyncio.ensure_future(gql.op("MinutesPublish", {"input": variables}, lead))
        await asyncio.sleep(1.0)
        # then the publication waits for the chain's lock, and has not taken the dispatch's: a change that holds the
        # chain's lock and waits for the dispatch's can finish first (no deadlock)
        assert not publication.done()
        async with sessions() as session:
            locks = (await session.exec(ADVISORY, params={"keys": [CHAIN_LOCK, DISPATCH_LOCK]})).all()
        assert (CHAIN_LOCK, False) in locks
        assert [key for key, granted in locks if key == DISPATCH_LOCK and granted] == []
        await holder.commit()
    finally:
        await holder.close()
    answer = await asyncio.wait_for(publication, 20)
    assert answer["data"]["minutesPublish"]["version"] == 2
    [(_, dispatched, recipients)], published, _ = await _published(sessions, m)
    assert (dispatched, published, len(recipients)) == (True, True, 2)


async def test_the_chain_lock_taken_first_is_the_one_the_audit_trigger_takes(sessions):
    async with sessions() as session:
        source = (
            await session.exec(sa.text("SELECT prosrc FROM pg_proc WHERE proname = 'audit_event_chain'"))
        ).scalar_one()
    assert f"pg_advisory_xact_lock({CHAIN_LOCK})" in source


async def test_a_dispatch_that_fails_costs_no_publication_and_is_left_to_the_dispatcher(gql, sessions, database_url):
    # given notifications of this family that the database refuses to write
    m, lead, variables = await _publishable(gql, sessions)
    name = f"refuse_{uuid.uuid4().hex[:12]}"
    refuse = (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" IF NEW.family_id = '{m.area.family.id}' THEN RAISE EXCEPTION 'refused by the test'; END IF;"
        " RETURN NEW; END $$"
    )
    async with sessions() as session:
        await session.exec(sa.text(refuse))
        await session.exec(
            sa.text(f"CREATE TRIGGER {name} BEFORE INSERT ON notification FOR EACH ROW EXECUTE FUNCTION {name}()")
        )
        await session.commit()
    try:
        # when the chair publishes
        async with heard(database_url, outbox.OUTBOX_CHANNEL) as outbox_notices:
            answer = await gql.data("MinutesPublish", {"input": variables}, token=lead)
        # then the minutes are published and audited all the same, the event left undispatched and announced
        assert answer["minutesPublish"]["version"] == 2
        [(outbox_id, dispatched, recipients)], published, audited = await _published(sessions, m)
        assert (dispatched, recipients, published, audited) == (False, None, True, (1, 0))
        assert f"{outbox.INSTANCE}:{outbox_id}" in outbox_notices
    finally:
        async with sessions() as session:
            await session.exec(sa.text(f"DROP TRIGGER {name} ON notification"))
            await session.exec(sa.text(f"DROP FUNCTION {name}()"))
            await session.commit()


async def test_a_change_under_the_lock_takes_the_outbox_lock_before_the_chain_lock(gql, sessions):
    """The order the optimistic statement's locks follow is the one changes under the lock already take."""
    # given a transaction that holds the outbox's lock
    m = await create_meeting_area(sessions)
    lead = await sign_in(gql, m.area.lead)
    newcomer = await create_user(sessions, agency=m.health)
    holder = sessions()
    try:
        connection = await holder.connection()
        await connection.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": outbox.OUTBOX_LOCK})
        # when the lead adds a worker to the team (a change under the lock that tells the team)
        variables = {"familyId": str(m.area.family.id), "userId": str(newcomer.id), "contact": {"agencyRole": "Nurse"}}
        added = asyncio.ensure_future(gql.op("TeamMemberAdd", {"input": variables}, lead))
        await asyncio.sleep(1.0)
        # then it waits for the outbox's lock holding neither the chain's nor the dispatch's
        assert not added.done()
        async with sessions() as session:
            locks = (
                await session.exec(ADVISORY, params={"keys": [outbox.OUTBOX_LOCK, CHAIN_LOCK, DISPATCH_LOCK]})
            ).all()
        assert (outbox.OUTBOX_LOCK, False) in locks
        assert [key for key, granted in locks if key != outbox.OUTBOX_LOCK and granted] == []
        await holder.commit()
    finally:
        await holder.close()
    answer = await asyncio.wait_for(added, 20)
    assert "errors" not in answer
