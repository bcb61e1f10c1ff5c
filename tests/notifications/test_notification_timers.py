"""Timers fire exactly once with several instances, and the dispatcher makes each copy exactly once (the
instance that committed an event dispatches it; the others only try the lock, later)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import asyncpg
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from notifications import outbox, timers
from notifications.dispatcher import DISPATCH_LOCK, Dispatcher
from notifications.events import EscalationTimedOut
from server.access.enforcer import build_enforcer
from server.clock import utcnow
from server.db.engine import create_session_factory, unit_of_work
from server.inbox import audience
from server.inbox.runtime import asyncpg_dsn
from tests.builders import create_area
from tests.notifications.test_notification_delivery import append, meeting


def timed_out(area) -> EscalationTimedOut:
    return EscalationTimedOut(
        family_id=area.family.id,
        owning_agency_id=area.school.id,
        category="education",
        escalation_id=uuid.uuid4(),
        level="high",
    )


PENDING = "SELECT count(*) FROM notification_outbox WHERE family_id = :f AND dispatched_at IS NULL"


async def count(sessions, sql: str, **params) -> int:
    async with sessions() as session:
        return (await session.exec(sa.text(sql), params=params)).one()[0]


async def test_a_due_timer_fires_once_with_two_instances_and_reaches_the_leads_manager(
    database_url, sessions, live_server, second_server
):
    # given twenty acknowledgement deadlines a day away (the running servers' real clocks won't reach them)
    area = await create_area(sessions)
    due = utcnow() + timedelta(days=1)
    events = [timed_out(area) for _ in range(20)]
    async with unit_of_work(sessions) as session:
        for event in events:
            await timers.schedule(session, due_at=due, subject_id=event.escalation_id, event=event)
            await timers.schedule(session, due_at=due, subject_id=event.escalation_id, event=event)  # idempotent
    ids = [str(event.escalation_id) for event in events]
    fired = "SELECT count(*) FROM timer WHERE subject_id = ANY(CAST(:ids AS uuid[])) AND fired_at IS NOT NULL"
    await timers.fire_due(sessions, now=due - timedelta(seconds=1))  # (other tests' earlier timers may fire)
    assert await count(sessions, fired, ids=ids) == 0  # ours: not yet
    # when two instances, each with its own engine and a clock past the deadline, run their timer loops
    engines = [create_async_engine(database_url) for _ in range(2)]
    loops = [
        asyncio.create_task(
            timers.run(create_session_factory(e), clock=lambda: due + timedelta(seconds=1), interval=0.01)
        )
        for e in engines
    ]
    query = "SELECT count(*) FROM notification_outbox WHERE payload->>'escalation_id' = ANY(:ids)"
    try:
        for _ in range(200):
            if await count(sessions, query, ids=ids) >= 20:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)  # let a double firing, if any, show
    finally:
        for loop in loops:
            loop.cancel()
        await asyncio.gather(*loops, return_exceptions=True)
        for engine in engines:
            await engine.dispose()
    # then each fired exactly once
    assert await count(sessions, query, ids=ids) == 20
    unfired = "SELECT count(*) FROM timer WHERE subject_id = ANY(CAST(:ids AS uuid[])) AND fired_at IS NULL"
    assert await count(sessions, unfired, ids=ids) == 0
    # and the lead's manager is told, through the running dispatchers
    manager = "SELECT count(*) FROM notification WHERE recipient_user_id = :user AND kind = :kind"
    for _ in range(100):
        if await count(sessions, manager, user=area.manager.id, kind="escalation_timed_out") == 20:
            break
        await asyncio.sleep(0.05)
    assert await count(sessions, manager, user=area.manager.id, kind="escalation_timed_out") == 20
    assert await count(sessions, manager, user=area.other_manager.id, kind="escalation_timed_out") == 0


async def test_concurrent_dispatchers_make_each_copy_exactly_once(settings, sessions, live_server, second_server):
    # given thirty events for a team of two, and extra dispatchers racing the running instances'
    area = await create_area(sessions)
    enforcer = build_enforcer(settings.policies_dir)
    extra = [Dispatcher(sessions, recipients=audience.recipients, told=audience.told(enforcer)) for _ in range(3)]
    await append(sessions, *(meeting(area.family.id) for _ in range(30)))
    await asyncio.gather(*(dispatcher.dispatch_pending() for dispatcher in extra))
    for _ in range(100):
        pending = await count(sessions, PENDING, f=area.family.id)
        if pending == 0:
            break
        await asyncio.sleep(0.05)
    # then every event made one copy for each of the lead and the colleague
    rows = "SELECT count(*) FROM notification WHERE family_id = :f"
    distinct = "SELECT count(DISTINCT (outbox_id, recipient_user_id)) FROM notification WHERE family_id = :f"
    assert await count(sessions, rows, f=area.family.id) == 60
    assert await count(sessions, distinct, f=area.family.id) == 60


async def test_a_dispatcher_that_only_tries_the_lock_leaves_events_to_the_holder(
    settings, sessions, live_server, second_server
):
    # given another dispatcher holding the dispatch lock, and then an event for a team of two
    area = await create_area(sessions)
    enforcer = build_enforcer(settings.policies_dir)
    dispatcher = Dispatcher(sessions, recipients=audience.recipients, told=audience.told(enforcer))
    async with sessions() as holder, holder.begin():
        await holder.exec(sa.text("SELECT pg_advisory_xact_lock(:key)"), params={"key": DISPATCH_LOCK})
        await append(sessions, meeting(area.family.id))
        # when a follow-up (try the lock, do not wait) runs meanwhile
        dispatched = await dispatcher.dispatch_pending(wait_for_lock=False)
        # then it dispatches nothing and does not wait: the event is still pending (no one else could take it)
        assert dispatched == 0
        assert await count(sessions, PENDING, f=area.family.id) == 1
    # and once the lock is released the event is dispatched exactly once (by this follow-up or an instance's)
    await dispatcher.dispatch_pending(wait_for_lock=False)
    for _ in range(100):
        if await count(sessions, PENDING, f=area.family.id) == 0:
            break
        await asyncio.sleep(0.05)
    assert await count(sessions, "SELECT count(*) FROM notification WHERE family_id = :f", f=area.family.id) == 2


async def test_an_outbox_notice_names_the_instance_that_committed_it(database_url, sessions):
    # given a connection listening on the outbox channel
    area = await create_area(sessions)
    notices: asyncio.Queue[str] = asyncio.Queue()
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await connection.add_listener(outbox.OUTBOX_CHANNEL, lambda _c, _p, _ch, payload: notices.put_nowait(payload))
        # when this process appends an event
        await append(sessions, meeting(area.family.id))
        outbox_id = await count(
            sessions, "SELECT max(id) FROM notification_outbox WHERE family_id = :f", f=area.family.id
        )
        notice = await asyncio.wait_for(notices.get(), timeout=10)
        while not notice.endswith(f":{outbox_id}"):  # (a running instance's timers may append too)
            notice = await asyncio.wait_for(notices.get(), timeout=10)
    finally:
        await connection.close()
    # then its notice names this process (which dispatches it at once); no other process reads it as its own
    assert notice == f"{outbox.INSTANCE}:{outbox_id}"
    assert outbox.sent_here(notice)
    assert not outbox.sent_here(f"{uuid.uuid4().hex}:{outbox_id}")
