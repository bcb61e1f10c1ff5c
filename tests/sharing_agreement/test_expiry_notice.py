"""An agreement ending within 30 days tells the information-governance officers of its parties, exactly
once, whatever the number of instances and however often it is changed without moving its end."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from notifications import outbox, timers
from notifications.events import NO_FAMILY, AgreementExpiring
from server.agency.models import AgencyKind
from server.db.engine import create_session_factory, unit_of_work
from server.user.models import SystemRole
from tests.auth_helpers import sign_in
from tests.builders import create_agency, create_area, create_user
from tests.sharing_agreement.test_agreements import create, days, update

pytestmark = pytest.mark.long

NOTICES = "SELECT count(*) FROM notification WHERE recipient_user_id = :user AND kind = 'agreement_expiring'"
SENT = "SELECT count(*) FROM notification_outbox WHERE kind = 'agreement_expiring' AND payload->>'agreement_id' = :id"


async def count(sessions, sql: str, **params) -> int:
    async with sessions() as session:
        return (await session.exec(sa.text(sql), params=params)).one()[0]


async def settled(sessions, user, expected: int) -> int:
    """The user's agreement notices, once `expected` arrived (or 10 s passed), and a moment more for extras."""
    for _ in range(200):
        if await count(sessions, NOTICES, user=user.id) >= expected:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.5)  # more than a timer interval: a second firing, if any, would show
    return await count(sessions, NOTICES, user=user.id)


async def parties_and_onlookers(sessions):
    area = await create_area(sessions, agreement=False)
    housing = await create_agency(sessions, kind=AgencyKind.housing)
    people = {
        "early_help_ig": area.ig,
        "housing_ig": await create_user(sessions, agency=housing, role=SystemRole.ig_officer),
        "school_ig": await create_user(sessions, agency=area.school, role=SystemRole.ig_officer),
        "lead": area.lead,
        "manager": area.manager,
    }
    return area, housing, people


async def extra_timer_loops(database_url: str, count_: int = 2):
    """More instances' timer loops (with the real clock), racing the two running servers'."""
    engines = [create_async_engine(database_url) for _ in range(count_)]
    loops = [asyncio.create_task(timers.run(create_session_factory(e), interval=0.01)) for e in engines]

    async def stop() -> None:
        for loop in loops:
            loop.cancel()
        await asyncio.gather(*loops, return_exceptions=True)
        for engine in engines:
            await engine.dispose()

    return stop


async def test_an_agreement_ending_within_30_days_tells_the_ig_officers_of_its_parties_once(
    gql, sessions, database_url, live_server, second_server
):
    # given IG officers of early help and housing, and of the school, which is not a party
    area, housing, people = await parties_and_onlookers(sessions)
    ig = await sign_in(gql, area.ig)
    stop = await extra_timer_loops(database_url)
    try:
        # when an agreement between early help and housing, ending in 20 days, is recorded (four instances'
        # timer loops running)
        recorded = await create(gql, ig, [area.early_help, housing], endsOn=days(20), reviewOn=days(10))
        # then the IG officers of both parties are told exactly once
        assert await settled(sessions, people["housing_ig"], 1) == 1
        assert await count(sessions, NOTICES, user=area.ig.id) == 1
        assert await count(sessions, SENT, id=recorded["id"]) == 1
        # and when it is changed without moving its end, nobody is told again
        changed = await update(gql, ig, recorded, [area.early_help, housing], endsOn=days(20), reviewOn=days(12))
        assert "errors" not in changed, changed
        assert await settled(sessions, people["housing_ig"], 2) == 1
    finally:
        await stop()
    # and nobody else is told: not the school's IG officer, not the practitioners or managers of the parties
    for name in ("school_ig", "lead", "manager"):
        assert await count(sessions, NOTICES, user=people[name].id) == 0, name
    # and the notice says which agreement ends when, about no family, in the IG officer's inbox
    inbox = (await gql.data("Inbox", {"first": 5}, token=await sign_in(gql, people["housing_ig"])))["inbox"]
    notice = next(node for node in inbox["nodes"] if node["kind"] == "agreement_expiring")
    assert notice["payload"]["agreement_id"] == recorded["id"]
    assert notice["payload"]["ends_on"] == days(20)
    assert notice["familyId"] == str(NO_FAMILY)
    assert notice["contentVisible"] is False and notice["reason"] is None


async def test_the_notice_waits_for_30_days_before_the_end_and_follows_the_end_date(
    gql, sessions, database_url, live_server, second_server
):
    # given an agreement between early help and housing ending in 60 days
    area, housing, people = await parties_and_onlookers(sessions)
    ig = await sign_in(gql, area.ig)
    recorded = await create(gql, ig, [area.early_help, housing], endsOn=days(60), reviewOn=days(30))
    pending = "SELECT due_at::date FROM timer WHERE subject_id = :id AND fired_at IS NULL"
    async with sessions() as session:
        due = (await session.exec(sa.text(pending), params={"id": recorded["id"]})).all()
    # then nobody is told yet, and the notice is due 30 days before the end
    assert [row[0].isoformat() for row in due] == [days(30)]
    # when its end moves to 90 days away, the pending notice moves with it (one, not two)
    moved = await update(gql, ig, recorded, [area.early_help, housing], endsOn=days(90), reviewOn=days(30))
    current = moved["data"]["dataSharingAgreementUpdate"]
    async with sessions() as session:
        due = (await session.exec(sa.text(pending), params={"id": recorded["id"]})).all()
    assert [row[0].isoformat() for row in due] == [days(60)]
    # and when that day comes (time moved for this timer only), four instances tell the parties once
    stop = await extra_timer_loops(database_url)
    try:
        async with sessions() as session, session.begin():
            await session.exec(
                sa.text("UPDATE timer SET due_at = now() - interval '1 second' WHERE subject_id = :id"),
                params={"id": recorded["id"]},
            )
        assert await settled(sessions, people["early_help_ig"], 1) == 1
        assert await count(sessions, NOTICES, user=people["housing_ig"].id) == 1
    finally:
        await stop()
    inbox = (await gql.data("Inbox", {"first": 5}, token=ig))["inbox"]
    notice = next(node for node in inbox["nodes"] if node["kind"] == "agreement_expiring")
    assert notice["payload"]["ends_on"] == current["endsOn"]


async def test_an_agreement_ended_before_its_notice_sends_none(gql, sessions, live_server, second_server):
    # given an agreement ending in 60 days (its notice pending), ended early
    area, housing, people = await parties_and_onlookers(sessions)
    ig = await sign_in(gql, area.ig)
    recorded = await create(gql, ig, [area.early_help, housing], endsOn=days(60), reviewOn=days(30))
    end = {"input": {"agreementId": recorded["id"], "expectedVersion": 1, "reason": "Superseded by the new ISA"}}
    await gql.data("DataSharingAgreementEnd", end, token=ig)
    # then its pending notice is gone, and nobody is ever told it is about to end
    assert await count(sessions, "SELECT count(*) FROM timer WHERE subject_id = :id", id=recorded["id"]) == 0
    assert await settled(sessions, people["housing_ig"], 1) == 0


async def test_a_notice_dispatched_after_the_agreement_ended_tells_nobody(gql, sessions, live_server):
    # given an agreement that was ended after its notice had fired, but before the notice was dispatched
    area, housing, people = await parties_and_onlookers(sessions)
    ig = await sign_in(gql, area.ig)
    recorded = await create(gql, ig, [area.early_help, housing], endsOn=days(60), reviewOn=days(30))
    end = {"input": {"agreementId": recorded["id"], "expectedVersion": 1, "reason": "Superseded"}}
    await gql.data("DataSharingAgreementEnd", end, token=ig)
    async with unit_of_work(sessions) as session:
        await outbox.append(session, AgreementExpiring(agreement_id=recorded["id"], ends_on=recorded["endsOn"]))
    # when the running dispatcher takes the event
    dispatched = SENT + " AND dispatched_at IS NOT NULL"
    for _ in range(200):
        if await count(sessions, dispatched, id=recorded["id"]) == 1:
            break
        await asyncio.sleep(0.05)
    assert await count(sessions, dispatched, id=recorded["id"]) == 1
    # then it tells nobody
    for user in people.values():
        assert await count(sessions, NOTICES, user=user.id) == 0
