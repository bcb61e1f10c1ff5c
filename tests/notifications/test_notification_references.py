"""Notifications hold references, not content (issue 14, point 3): the issue's probe as tests.

Content is raised with canary text in a category shared by consent (or an override); the recipients read
it in the inbox, in `notifications(after: "0")` replay and live over a real socket. Then the sharing ends
(the consent is withdrawn, the override revoked or expired, the worker leaves the team), and the SAME
stored notifications no longer show the canary on any path, while no stored row ever held it.
"""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
import sqlalchemy as sa

from notifications.events import EscalationTimedOut
from server.agency.models import AgencyKind
from server.db.engine import unit_of_work
from server.escalation.notices import escalation_fields
from tests import ws_client
from tests.api.test_query_counts import counting
from tests.auth_helpers import sign_in
from tests.builders import (
    create_agency,
    create_area,
    create_consent,
    create_family,
    create_override,
    create_user,
    join_agreement,
)
from tests.builders_notify import assigned, create_action, create_escalation, raised
from tests.notifications.test_notification_delivery import append, meeting
from tests.notifications.test_notification_digest import choose, compile_now, next_digest_time, remove_from_team


def canary() -> str:
    return f"CANARY-{uuid.uuid4().hex}"


class Probe:
    """The school raises content; the lead (early help) and a health visitor read it by consent or override."""

    def __init__(self, area, health, family, consent, override) -> None:
        self.area, self.health, self.family, self.consent, self.override = area, health, family, consent, override


async def probe_area(sessions, *, by: str, categories=("education",)) -> Probe:
    area = await create_area(sessions)
    health_agency = await create_agency(sessions, kind=AgencyKind.health)
    await join_agreement(sessions, agreement=area.area_agreement, agency=health_agency)
    health = await create_user(sessions, agency=health_agency)
    family = await create_family(sessions, lead=area.lead, contributors=(area.colleague, health))
    consent = override = None
    if by == "consent":
        consent = await create_consent(
            sessions,
            family=family,
            recorded_by=area.lead,
            categories=list(categories),
            agencies=[area.early_help, health_agency],
        )
    else:
        override = await create_override(
            sessions,
            family=family,
            decided_by=area.colleague,
            categories=list(categories),
            recipients=[area.early_help, health_agency],
        )
    return Probe(area, health, family, consent, override)


async def stored_text(sessions, family_id: uuid.UUID) -> str:
    """Every stored notification row of the family, every outbox event and every timer, as text."""
    async with sessions() as session:
        rows = (
            await session.exec(
                sa.text(
                    "SELECT row_to_json(n)::text FROM notification n WHERE n.family_id = :f"
                    " UNION ALL SELECT row_to_json(o)::text FROM notification_outbox o WHERE o.family_id = :f"
                    " UNION ALL SELECT row_to_json(t)::text FROM timer t WHERE t.event->>'family_id' = :fs"
                    " UNION ALL SELECT row_to_json(d)::text FROM notification d WHERE d.kind = 'daily_digest'"
                ),
                params={"f": family_id, "fs": str(family_id)},
            )
        ).all()
    assert rows, "nothing stored: the probe would prove nothing"
    return "\n".join(text for (text,) in rows)


async def inbox(gql, token: str) -> list[dict]:
    return (await gql.data("Inbox", {"first": 50}, token=token))["inbox"]["nodes"]


async def replay(live_server: str, token: str, count: int) -> list[dict]:
    """What `notifications(after: "0")` replays: `count` notifications, then nothing more for a moment."""
    async with ws_client.following(live_server, token, after="0") as ws:
        received = await ws_client.notifications(ws, count) if count else []
        with pytest.raises(TimeoutError):
            await ws_client.receive(ws, wait=0.5)
    return received


async def until_meeting(ws, family_id: uuid.UUID) -> list[dict]:
    """What a live socket receives up to and including the meeting scheduled on `family_id`."""
    received: list[dict] = []
    while not received or (received[-1]["kind"], received[-1]["familyId"]) != ("meeting_scheduled", str(family_id)):
        received += await ws_client.notifications(ws, 1)
    return received


def by_id(nodes: list[dict], notification_id: str) -> dict | None:
    return next((node for node in nodes if node["id"] == notification_id), None)


async def end_sharing(how: str, gql, sessions, probe: Probe) -> None:
    lead_token = await sign_in(gql, probe.area.lead)
    if how == "consent_withdrawn":
        await gql.data(
            "ConsentWithdraw",
            {"input": {"consentId": str(probe.consent.id), "reason": "The mother withdrew consent."}},
            token=lead_token,
        )
    elif how == "override_revoked":
        await gql.data(
            "SafeguardingOverrideRevoke",
            {"input": {"overrideId": str(probe.override.id), "reason": "No longer necessary."}},
            token=await sign_in(gql, probe.area.ig),
        )
    elif how == "override_expired":  # time passes: the override's end date is behind us
        async with unit_of_work(sessions) as session:
            await session.exec(
                sa.text("UPDATE safeguarding_override SET expires_at = now() - interval '1 second' WHERE id = :id"),
                params={"id": probe.override.id},
            )
    else:
        await remove_from_team(gql, lead_token, probe.family.id, probe.health.id)


ENDINGS = [
    ("consent", "consent_withdrawn"),
    ("override", "override_revoked"),
    ("override", "override_expired"),
    ("consent", "left_team"),
]


@pytest.mark.parametrize(("shared_by", "ending"), ENDINGS, ids=[ending for _, ending in ENDINGS])
async def test_an_escalation_reason_is_shown_while_shared_and_nowhere_after(
    shared_by, ending, gql, sessions, live_server
):
    # given a family whose school raises an escalation with canary text, shared by consent or an override
    # with the lead's agency and the health visitor's
    probe = await probe_area(sessions, by=shared_by)
    reason, note = canary(), canary()
    readers = {"lead": probe.area.lead, "health": probe.health}
    tokens = {name: await sign_in(gql, user) for name, user in readers.items()}
    other = await create_family(sessions, lead=probe.area.lead, contributors=(probe.health,))
    async with (
        ws_client.following(live_server, tokens["lead"]) as lead_live,
        ws_client.following(live_server, tokens["health"]) as health_live,
    ):
        raised_escalation = await gql.data(
            "EscalationRaise",
            {
                "input": {
                    "familyId": str(probe.family.id),
                    "level": "urgent",
                    "category": "education",
                    "reason": reason,
                }
            },
            token=await sign_in(gql, probe.area.colleague),
        )
        escalation_id = raised_escalation["escalationRaise"]["id"]
        # then each reader receives it live, with the reason
        live = {"lead": (await ws_client.notifications(lead_live, 1))[0]}
        live["health"] = (await ws_client.notifications(health_live, 1))[0]
        for name in readers:
            assert (live[name]["kind"], live[name]["reason"], live[name]["contentVisible"]) == (
                "escalation_raised",
                reason,
                True,
            )
            assert live[name]["payload"]["escalation_id"] == escalation_id
        # and in the inbox and the replay, the same notification, with the reason
        for name in readers:
            nodes = await inbox(gql, tokens[name])
            assert by_id(nodes, live[name]["id"])["reason"] == reason
            replayed = await replay(live_server, tokens[name], len(nodes))
            assert by_id(replayed, live[name]["id"])["reason"] == reason
        # and no stored row holds the reason: only a reference to the escalation
        assert reason not in await stored_text(sessions, probe.family.id)

        # when the sharing ends
        await end_sharing(ending, gql, sessions, probe)
        # and the lead resolves the escalation with a note in the same canary style
        await gql.data(
            "EscalationResolve",
            {"input": {"escalationId": escalation_id, "outcome": "no_further_action", "note": note}},
            token=tokens["lead"],
        )
        await append(sessions, meeting(other.id))  # so every stream shows something after it
        # then live, the health visitor is told that it was resolved, with its outcome code but no words (or, off
        # the team, is not told at all)
        received = await until_meeting(health_live, other.id)
    resolutions = [n for n in received if n["kind"] == "escalation_resolved"]
    if ending == "left_team":
        assert resolutions == []
    else:
        [resolved] = resolutions
        assert (resolved["kind"], resolved["payload"]["outcome"]) == ("escalation_resolved", "no_further_action")
        assert (resolved["reason"], resolved["outcomeNote"], resolved["contentVisible"]) == (None, None, False)
        assert resolved["category"] == "education"
    assert reason not in json.dumps(received) and note not in json.dumps(received)
    # and the SAME stored notifications no longer show the reason, in the inbox or in the replay
    affected = ["health"] if ending == "left_team" else ["lead", "health"]
    for name in affected:
        nodes = await inbox(gql, tokens[name])
        replayed = await replay(live_server, tokens[name], len(nodes))
        for seen in (nodes, replayed):
            assert reason not in json.dumps(seen) and note not in json.dumps(seen)
            again = by_id(seen, live[name]["id"])
            if ending == "left_team":
                assert again is None  # off the team: the family's notifications are not listed at all
            else:
                assert (again["kind"], again["reason"], again["contentVisible"]) == ("escalation_raised", None, False)
    # and the raising agency still reads the reason and the note of what it is told
    school = await inbox(gql, await sign_in(gql, probe.area.colleague))
    [told] = [n for n in school if n["kind"] == "escalation_resolved" and n["familyId"] == str(probe.family.id)]
    assert (told["reason"], told["outcomeNote"]) == (reason, note)
    # and still no stored row holds either
    stored = await stored_text(sessions, probe.family.id)
    assert reason not in stored and note not in stored


async def test_an_actions_description_is_shown_while_shared_and_not_after(gql, sessions, live_server):
    # given an action set for the health visitor, with canary words, then handed by the lead to the school
    # (it becomes the school's content; the family shares its category with the health agency)
    probe = await probe_area(sessions, by="consent", categories=("other",))
    words = canary()
    lead_token, health_token = await sign_in(gql, probe.area.lead), await sign_in(gql, probe.health)
    async with ws_client.following(live_server, health_token) as ws:
        added = await gql.data(
            "PlanActionAdd",
            {
                "input": {
                    "familyId": str(probe.family.id),
                    "description": words,
                    "ownerUserId": str(probe.health.id),
                    "dueDate": "2099-01-01",
                }
            },
            token=lead_token,
        )
        [told] = await ws_client.notifications(ws, 1)
    action = added["planActionAdd"]
    assert (told["kind"], told["title"], told["payload"]["action_id"]) == ("action_assigned", words, action["id"])
    await gql.data(
        "PlanActionEdit",
        {"input": {"actionId": action["id"], "expectedVersion": 1, "ownerUserId": str(probe.area.colleague.id)}},
        token=lead_token,
    )
    # then the health visitor still reads the words of the notification they were sent, now by consent
    nodes = await inbox(gql, health_token)
    assert by_id(nodes, told["id"])["title"] == words
    assert by_id(await replay(live_server, health_token, len(nodes)), told["id"])["title"] == words
    # and no stored row holds them
    assert words not in await stored_text(sessions, probe.family.id)
    # when the consent is withdrawn
    await end_sharing("consent_withdrawn", gql, sessions, probe)
    # then the same notification is listed without its words, in the inbox and in the replay
    nodes = await inbox(gql, health_token)
    replayed = await replay(live_server, health_token, len(nodes))
    for seen in (nodes, replayed):
        again = by_id(seen, told["id"])
        assert (again["title"], again["contentVisible"], again["category"]) == (None, False, "other")
        assert words not in json.dumps(seen)
    # and the school, which owns it now, still reads it
    school = await inbox(gql, await sign_in(gql, probe.area.colleague))
    assert [n["title"] for n in school if n["payload"].get("action_id") == action["id"]] == [words]
    assert words not in await stored_text(sessions, probe.family.id)


async def test_the_digest_shows_the_reason_while_shared_and_not_after_withdrawal(gql, sessions, settings):
    # given a health visitor taking escalations as a daily digest, and a concern raised by the school
    probe = await probe_area(sessions, by="consent")
    reason = canary()
    health_token = await sign_in(gql, probe.health)
    await choose(gql, health_token, "daily_digest", ["escalation_raised"])
    await gql.data(
        "EscalationRaise",
        {"input": {"familyId": str(probe.family.id), "level": "concern", "category": "education", "reason": reason}},
        token=await sign_in(gql, probe.area.colleague),
    )
    await compile_now(settings, sessions, next_digest_time())

    async def digest_items() -> list[dict]:
        [digest] = [n for n in await inbox(gql, health_token) if n["kind"] == "daily_digest"]
        return digest["items"]

    # then the digest, read while the consent stands, shows the reason
    [item] = await digest_items()
    assert (item["kind"], item["reason"]) == ("escalation_raised", reason)
    assert reason not in await stored_text(sessions, probe.family.id)  # the digest holds a reference
    # and read after it is withdrawn, the same item shows it no more
    await end_sharing("consent_withdrawn", gql, sessions, probe)
    [item] = await digest_items()
    assert (item["kind"], item["reason"], item["contentVisible"]) == ("escalation_raised", None, False)


async def test_a_manager_reads_only_their_own_agencys_words(gql, sessions, live_server):
    # given escalations raised by the lead's agency and by the school, not acknowledged in time
    area = await create_area(sessions)
    own, theirs = canary(), canary()
    by_lead = await create_escalation(sessions, family=area.family, raised_by=area.lead, reason=own)
    by_school = await create_escalation(sessions, family=area.family, raised_by=area.colleague, reason=theirs)
    async with ws_client.following(live_server, await sign_in(gql, area.manager)) as ws:
        await append(
            sessions,
            EscalationTimedOut(**escalation_fields(by_lead)),
            EscalationTimedOut(**escalation_fields(by_school)),
        )
        received = await ws_client.notifications(ws, 2)
    # then the lead's manager is told of both, and reads only the words of their own agency
    assert [n["reason"] for n in received] == [own, None]
    assert theirs not in json.dumps(received)


async def test_a_reference_to_another_familys_record_renders_as_nothing(gql, sessions, live_server):
    # given an escalation of another family that the lead may read, named by an event about this family
    area = await create_area(sessions)
    elsewhere = await create_family(sessions, lead=area.lead)
    secret = canary()
    row = await create_escalation(sessions, family=elsewhere, raised_by=area.lead, reason=secret)
    forged = raised(row).model_copy(update={"family_id": area.family.id})
    lead_token = await sign_in(gql, area.lead)  # who leads both families and reads their own agency's reason
    async with ws_client.following(live_server, lead_token) as ws:
        await append(sessions, forged)
        [received] = await ws_client.notifications(ws, 1)
    # then it says nothing of that record, exactly like a record that does not exist
    missing = raised(row).model_copy(update={"family_id": area.family.id, "escalation_id": uuid.uuid4()})
    async with ws_client.following(live_server, lead_token) as ws:
        await append(sessions, missing)
        [absent] = await ws_client.notifications(ws, 1)
    for notice in (received, absent):
        assert (notice["reason"], notice["contentVisible"]) == (None, False)
    assert secret not in json.dumps(received)


async def inbox_statements(gql, app, sessions, count: int) -> int:
    """Statements of one inbox page of `count` notifications about escalations and actions."""
    area = await create_area(sessions)
    await create_consent(
        sessions, family=area.family, recorded_by=area.lead, categories=["education"], agencies=[area.school]
    )
    events = []
    for n in range(count):
        if n % 2:
            row = await create_escalation(sessions, family=area.family, raised_by=area.lead, reason=f"Reason {n}")
            events.append(raised(row))
        else:
            events.append(
                assigned(
                    await create_action(
                        sessions, family=area.family, owner=area.colleague, set_by=area.lead, description=f"Do {n}"
                    )
                )
            )
    await append(sessions, *events)
    token = await sign_in(gql, area.colleague)
    for _ in range(200):
        if len(await inbox(gql, token)) == count:
            break
        await asyncio.sleep(0.05)
    with counting(app.state.taf.engine) as statements:
        nodes = (await gql.data("Inbox", {"first": count}, token=token))["inbox"]["nodes"]
    assert len(nodes) == count and all(node["contentVisible"] for node in nodes)
    return len(statements)


async def test_inbox_statements_stay_flat_with_the_number_of_notifications(gql, app, sessions, live_server):
    assert await inbox_statements(gql, app, sessions, 2) == await inbox_statements(gql, app, sessions, 20)


async def test_a_stored_notification_names_its_subject(gql, sessions, live_server):
    area = await create_area(sessions)
    row = await create_escalation(sessions, family=area.family, raised_by=area.colleague, reason=canary())
    async with ws_client.following(live_server, await sign_in(gql, area.lead)) as ws:
        await append(sessions, raised(row))
        [notice] = await ws_client.notifications(ws, 1)
    async with sessions() as session:
        stored = (
            await session.exec(
                sa.text("SELECT subject_kind, subject_id, owning_agency_id, category FROM notification WHERE id = :id"),
                params={"id": int(notice["id"])},
            )
        ).one()
    assert tuple(stored) == ("escalation_reason", row.id, area.school.id, "education")


def test_every_subject_kind_is_a_content_kind_of_the_policy():
    from notifications.events import EVENT_TYPES, SubjectEvent
    from server.access.kinds import CONTENT_KINDS

    kinds = {cls.subject_kind for cls in EVENT_TYPES.values() if issubclass(cls, SubjectEvent)}
    assert kinds == {"escalation_reason", "plan_action"} and kinds <= set(CONTENT_KINDS)


async def reads_audited(sessions, user_id: uuid.UUID, escalation_id: str) -> list[str]:
    """The addresses of the audit events recording that `user_id` read the escalation's reason."""
    async with sessions() as session:
        rows = (
            await session.exec(
                sa.text(
                    "SELECT address FROM audit_event WHERE actor_user_id = :u AND action = 'escalation_reason_read'"
                    " AND detail->'items' ? :e ORDER BY id"
                ),
                params={"u": user_id, "e": escalation_id},
            )
        ).all()
    return [address for (address,) in rows]


async def test_reads_delivered_live_and_on_replay_are_audited(gql, sessions, live_server):
    # given a health visitor who may read the school's education information by consent
    probe = await probe_area(sessions, by="consent")
    token = await sign_in(gql, probe.health)
    async with ws_client.following(live_server, token) as live:
        # when the school raises an escalation and the reason reaches her live
        raised_escalation = await gql.data(
            "EscalationRaise",
            {"input": {"familyId": str(probe.family.id), "level": "urgent", "category": "education", "reason": "x"}},
            token=await sign_in(gql, probe.area.colleague),
        )
        escalation_id = raised_escalation["escalationRaise"]["id"]
        assert (await ws_client.notifications(live, 1))[0]["contentVisible"] is True
    # then the read is audited as a read of the school's escalation reason, delivered over the socket
    for _ in range(50):
        if await reads_audited(sessions, probe.health.id, escalation_id):
            break
        await asyncio.sleep(0.1)
    assert await reads_audited(sessions, probe.health.id, escalation_id) == ["websocket"]
    # and reading the inbox (over HTTP), then replaying from the start over a socket, are audited too
    await replay(live_server, token, len(await inbox(gql, token)))
    assert await reads_audited(sessions, probe.health.id, escalation_id) == ["websocket", "127.0.0.1", "websocket"]
