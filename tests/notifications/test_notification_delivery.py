"""Notifications end to end: a change on one instance, a real websocket subscriber on the other."""

from __future__ import annotations

import asyncio
import json
import uuid

import sqlalchemy as sa
from websockets.exceptions import ConnectionClosed

from notifications import outbox
from notifications.events import EscalationRaised, MeetingScheduled, OverrideUsed
from server.agency.models import AgencyKind
from server.clock import utcnow
from server.db.engine import unit_of_work
from tests import ws_client
from tests.auth_helpers import sign_in
from tests.builders import create_agency, create_area, create_consent, create_family, create_user
from tests.builders_notify import create_escalation, raised

CONTACT = {"agencyRole": "Attendance support"}
REASON = "Disclosure at school this morning"


async def append(sessions, *events) -> None:
    async with unit_of_work(sessions) as session:
        for event in events:
            await outbox.append(session, event)


def meeting(family_id: uuid.UUID) -> MeetingScheduled:
    return MeetingScheduled(family_id=family_id, meeting_id=uuid.uuid4(), starts_at=utcnow())


def escalation(family_id: uuid.UUID, agency_id: uuid.UUID, *, urgent: bool = True) -> EscalationRaised:
    return EscalationRaised(
        family_id=family_id,
        owning_agency_id=agency_id,
        category="education",
        escalation_id=uuid.uuid4(),
        level="high",
        urgent=urgent,
    )


async def test_a_team_change_on_one_instance_reaches_a_subscriber_on_the_other(gql, sessions, second_server):
    # given the colleague subscribed on the second instance
    area = await create_area(sessions)
    lead_token = await sign_in(gql, area.lead)
    async with ws_client.following(second_server, await sign_in(gql, area.colleague), after="0") as ws:
        # when the lead adds a worker through the first instance
        await gql.data(
            "TeamMemberAdd",
            {"input": {"familyId": str(area.family.id), "userId": str(area.outsider.id), "contact": CONTACT}},
            token=lead_token,
        )
        # then
        [received] = await ws_client.notifications(ws, 1)
    assert received["kind"] == "team_member_added"
    assert received["familyId"] == str(area.family.id)
    assert received["payload"]["user_id"] == str(area.outsider.id)


async def test_the_actor_is_not_told_of_their_own_change_and_a_refused_change_emits_nothing(gql, sessions):
    area = await create_area(sessions)
    colleague_token = await sign_in(gql, area.colleague)
    # when a contributor (not allowed) tries to change the team, then the lead does
    await gql.error(
        "TeamMemberAdd",
        {"input": {"familyId": str(area.family.id), "userId": str(area.outsider.id), "contact": CONTACT}},
        token=colleague_token,
    )
    await gql.data(
        "LeadProfessionalSet",
        {"input": {"familyId": str(area.family.id), "userId": str(area.colleague.id)}},
        token=await sign_in(gql, area.lead),
    )
    # then only the hand-over is in the outbox, and the colleague is told of it
    async with sessions() as session:
        kinds = (
            await session.exec(
                sa.text("SELECT kind FROM notification_outbox WHERE family_id = :f ORDER BY id"),
                params={"f": area.family.id},
            )
        ).all()
    assert [k for (k,) in kinds] == ["lead_professional_changed"]


async def test_a_recipient_who_cannot_see_the_family_never_receives_it(gql, sessions, second_server):
    # given an outsider, subscribed, on the team of another family only
    area = await create_area(sessions)
    theirs = await create_family(sessions, lead=area.lead, contributors=(area.outsider,))
    async with ws_client.following(second_server, await sign_in(gql, area.outsider), after="0") as ws:
        # when an escalation is raised on the family they are not on, then a meeting on theirs
        await append(sessions, escalation(area.family.id, area.school.id))
        await append(sessions, meeting(theirs.id))
        # then the first thing they receive is the meeting
        [received] = await ws_client.notifications(ws, 1)
    assert (received["kind"], received["familyId"]) == ("meeting_scheduled", str(theirs.id))


async def test_case_content_reaches_only_those_who_may_read_its_category(gql, sessions, live_server):
    # given a health worker on the team too, and everyone subscribed
    area = await create_area(sessions)
    health = await create_user(sessions, agency=await create_agency(sessions, kind=AgencyKind.health))
    family = await create_family(sessions, lead=area.lead, contributors=(area.colleague, health))
    await create_consent(
        sessions, family=family, recorded_by=area.lead, categories=["education"], agencies=[area.early_help]
    )
    row = await create_escalation(sessions, family=family, raised_by=area.colleague, reason=REASON)
    received = {}
    for who in (area.lead, area.colleague, health):
        async with ws_client.following(live_server, await sign_in(gql, who), after="0") as ws:
            if who is area.lead:
                # when the school (the colleague's agency) raises an escalation in its own category
                await append(sessions, raised(row))
            [received[who.id]] = await ws_client.notifications(ws, 1)
    # then the owning agency and the lead (by consent) read the reason; health learns only that it happened
    assert received[area.lead.id]["reason"] == received[area.colleague.id]["reason"] == REASON
    assert received[health.id]["reason"] is None and not received[health.id]["contentVisible"]
    assert {n["category"] for n in received.values()} == {"education"}  # the category is the team's
    assert received[health.id]["payload"]["level"] == "urgent"
    assert all("reason" not in n["payload"] for n in received.values())


async def test_a_bad_token_is_refused_with_4403_and_subscribing_before_init_with_4401(second_server):
    for params, expected in (({"Authorization": "Bearer nonsense"}, 4403), ({"token": ""}, 4403)):
        async with ws_client.socket(second_server, None) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": params}))
            try:
                await ws_client.receive(ws)
            except ConnectionClosed as closed:
                assert closed.rcvd is not None and closed.rcvd.code == expected
            else:
                raise AssertionError("the socket stayed open")
    async with ws_client.socket(second_server, None) as ws:
        await ws_client.subscribe(ws)
        try:
            await ws_client.receive(ws)
        except ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code == 4401
        else:
            raise AssertionError("the socket stayed open")


async def test_a_revoked_sign_in_receives_nothing_more(gql, sessions, second_server):
    area = await create_area(sessions)
    token = await sign_in(gql, area.colleague, fresh=True)
    async with ws_client.following(second_server, token, after="0") as ws:
        await append(sessions, meeting(area.family.id))
        await ws_client.notifications(ws, 1)
        # when they sign out elsewhere, and another event comes
        await gql.data("Logout", token=token)
        await append(sessions, meeting(area.family.id))
        # then the socket is closed with 4403 (tests/notifications/test_notification_revocation.py) and the
        # event is not delivered (were the socket still open, the stream would end with UNAUTHENTICATED)
        try:
            message = await ws_client.receive(ws)
        except ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code == 4403
        else:
            assert message["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", message


async def test_the_server_pings_to_keep_the_socket_alive(gql, sessions, second_server):
    area = await create_area(sessions)
    async with ws_client.socket(second_server, {"token": await sign_in(gql, area.lead)}) as ws:
        message = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert message == {"type": "ping"}


async def test_an_override_notice_reaches_the_ig_officer_and_the_lead_but_not_the_team(gql, sessions, live_server):
    # given
    area = await create_area(sessions)
    override = OverrideUsed(
        family_id=area.family.id,
        override_id=uuid.uuid4(),
        agency_id=area.school.id,
        categories=("health",),
    )
    # when a safeguarding override is used, then a meeting is scheduled (so every stream shows an event)
    await append(sessions, override, meeting(area.family.id))
    received = {}
    for who in (area.ig, area.lead, area.colleague):
        async with ws_client.following(live_server, await sign_in(gql, who), after="0") as ws:
            received[who.id] = [n["kind"] for n in await ws_client.notifications(ws, 1)]
    # then the IG officer (who sees no case content) is told of the override only as a notice
    assert received[area.ig.id] == ["override_used"]
    assert received[area.lead.id] == ["override_used"]
    assert received[area.colleague.id] == ["meeting_scheduled"]
