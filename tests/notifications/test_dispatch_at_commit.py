"""A mutation dispatches its own events in its own transaction: the notifications commit with the change,
so no dispatcher transaction stands between the mutation's response and delivery. A dispatch that fails
costs no change: the event is left to the background dispatcher, which delivers it."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
import sqlalchemy as sa

from notifications import outbox
from notifications.dispatcher import _WRITE_PARAMETERS, _WRITE_SQL, Fanout, _write_values, dispatch_appended
from notifications.events import MeetingScheduled
from server.agency.models import AgencyKind
from server.clock import utcnow
from server.db.engine import unit_of_work
from server.inbox.runtime import asyncpg_dsn
from tests.api.test_query_counts import counting
from tests.auth_helpers import sign_in
from tests.builders import create_agency, create_area, create_family, create_user

CONTACT = {"agencyRole": "Attendance support"}

DISPATCHED = sa.text(
    "SELECT o.id, o.dispatched_at IS NOT NULL, array_agg(n.recipient_user_id ORDER BY n.id)"
    " FILTER (WHERE n.id IS NOT NULL)"
    " FROM notification_outbox o LEFT JOIN notification n ON n.outbox_id = o.id"
    " WHERE o.family_id = :family AND o.kind = :kind GROUP BY o.id"
)


@contextlib.asynccontextmanager
async def heard(database_url: str, channel: str) -> AsyncIterator[list[str]]:
    """The payloads of the NOTIFYs on `channel` while the block runs (and a moment after)."""
    payloads: list[str] = []
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await connection.add_listener(channel, lambda *args: payloads.append(args[-1]))
        yield payloads
        await asyncio.sleep(0.3)  # notices of the block's commits are on their way
    finally:
        await connection.close()


async def test_a_mutation_commits_its_notifications_with_the_change(gql, sessions, database_url):
    area = await create_area(sessions)
    lead_token = await sign_in(gql, area.lead)
    async with heard(database_url, outbox.OUTBOX_CHANNEL) as outbox_notices:
        # when the lead adds a worker to the team
        await gql.data(
            "TeamMemberAdd",
            {"input": {"familyId": str(area.family.id), "userId": str(area.outsider.id), "contact": CONTACT}},
            token=lead_token,
        )
        # then, as soon as the response is in, the event is dispatched and each teammate has their copy
        async with sessions() as session:
            [(outbox_id, dispatched, recipients)] = (
                await session.exec(DISPATCHED, params={"family": area.family.id, "kind": "team_member_added"})
            ).all()
    assert dispatched
    assert sorted(recipients) == sorted([area.colleague.id, area.outsider.id])  # not the lead, who did it
    # and no background dispatcher was woken for it
    assert not [notice for notice in outbox_notices if notice.endswith(f":{outbox_id}")]


async def _divide_by_zero(session, _event) -> list[uuid.UUID]:
    await session.exec(sa.text("SELECT 1 / 0"))  # a failed statement: the transaction needs its savepoint
    return []


async def _raise(_session, _event) -> list[uuid.UUID]:
    raise RuntimeError("a defect in deciding who must know")


@pytest.mark.parametrize("recipients", [_divide_by_zero, _raise], ids=["database error", "python error"])
async def test_a_failed_dispatch_keeps_the_change_and_the_background_dispatcher_delivers_it(
    recipients, sessions, database_url, live_server
):
    # given a family whose team is the lead and a colleague, and a dispatch that fails
    area = await create_area(sessions)
    failing = Fanout(recipients=recipients, told=_never)
    event = MeetingScheduled(family_id=area.family.id, meeting_id=uuid.uuid4(), starts_at=utcnow())
    # when a transaction appends the event, dispatches it at commit and goes on to commit
    async with heard(database_url, outbox.OUTBOX_CHANNEL) as outbox_notices, unit_of_work(sessions) as session:
        outbox.dispatch_at_commit(session)
        await outbox.append(session, event)
        await dispatch_appended(session, failing)
        # then the transaction is still usable
        assert (await session.exec(sa.text("SELECT 1"))).scalar_one() == 1
    # and the event was committed and announced for the background dispatcher
    async with sessions() as session:
        outbox_id = (
            await session.exec(
                sa.text("SELECT id FROM notification_outbox WHERE family_id = :f"), params={"f": area.family.id}
            )
        ).scalar_one()
    assert f"{outbox.INSTANCE}:{outbox_id}" in outbox_notices
    # which dispatches it to the team (the live server's dispatcher, woken by that notice)
    for _ in range(100):
        async with sessions() as session:
            [(_, dispatched, delivered_to)] = (
                await session.exec(DISPATCHED, params={"family": area.family.id, "kind": "meeting_scheduled"})
            ).all()
        if dispatched:
            break
        await asyncio.sleep(0.05)
    assert dispatched
    assert sorted(delivered_to) == sorted([area.lead.id, area.colleague.id])


async def _never(_session, _event, _users) -> list:
    raise AssertionError("not reached: deciding who must know failed first")


async def raise_statements(gql, app, sessions, contributors: int) -> int:
    """Statements of one escalation raised by the lead of a team of `contributors`, each of another agency."""
    lead = await create_user(sessions, agency=await create_agency(sessions, kind=AgencyKind.early_help))
    team = [await create_user(sessions, agency=await create_agency(sessions)) for _ in range(contributors)]
    family = await create_family(sessions, lead=lead, contributors=tuple(team))
    token = await sign_in(gql, lead)
    variables = {"familyId": str(family.id), "level": "urgent", "category": "education", "reason": "A disclosure"}
    with counting(app.state.taf.engine) as statements:
        await gql.data("EscalationRaise", {"input": variables}, token=token)
    async with sessions() as session:
        told = (
            await session.exec(
                sa.text("SELECT count(*) FROM notification WHERE family_id = :f AND kind = 'escalation_raised'"),
                params={"f": family.id},
            )
        ).scalar_one()
    assert told == contributors  # each contributor was told (not the lead who raised it), at commit
    return len(statements)


async def test_dispatching_at_commit_costs_the_same_statements_for_a_team_of_two_or_twenty(gql, app, sessions):
    assert await raise_statements(gql, app, sessions, 2) == await raise_statements(gql, app, sessions, 20)


def _told(family_id: uuid.UUID, outbox_id: int, users: list[uuid.UUID]) -> list[dict]:
    """Notification rows of one event for `users`, as the fan-out writes them."""
    common = {"outbox_id": outbox_id, "kind": "meeting_scheduled", "family_id": family_id, "urgent": False}
    common |= {"delivery": "live", "payload": "{}", "created_at": utcnow()}
    unset = dict.fromkeys(("subject_kind", "subject_id", "owning_agency_id", "category"))
    return [{**common, **unset, "recipient_user_id": user} for user in users]


async def _estimate(session, rows: list[dict], outbox_ids: list[int]) -> float:
    explain = sa.text("EXPLAIN (FORMAT JSON) " + _WRITE_SQL).bindparams(*_WRITE_PARAMETERS)
    (plan,) = (await session.exec(explain, params=_write_values(rows, outbox_ids))).one()
    return plan[0]["Plan"]["Total Cost"]


async def test_the_notification_write_is_planned_alike_for_any_number_told(sessions):
    # given one event's notifications for a team of 2 and for a team of 32 (nothing is written: only planned)
    family, users = uuid.uuid4(), [uuid.uuid4() for _ in range(32)]
    async with sessions() as session:
        # when PostgreSQL plans the dispatch's write for the values at hand, as it does on a connection's first runs
        few = await _estimate(session, _told(family, 1, users[:2]), [1])
        many = await _estimate(session, _told(family, 1, users), [1])
    # then it expects the same of both: the plan it keeps for the connection never looks dearer than one for the
    # values, so it is kept. Plans that saw the arrays' lengths looked cheaper for the bench's team of 32 every
    # time, and the write was planned anew for every dispatch (~0.14 ms of PostgreSQL's CPU; bench/README.md)
    assert few == many
