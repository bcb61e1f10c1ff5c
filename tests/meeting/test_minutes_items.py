"""Minutes as items, decisions and addenda as case content: each reader gets the parts the family's consent,
an override or their own agency lets them read, and nothing else (no count, no trace, NOT_FOUND by id)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from server.audit.read_detail import expanded
from server.db.engine import unit_of_work
from server.errors import Conflict
from server.meeting.minutes import unless_published
from server.meeting.models import MinutesItem
from tests.api.test_query_counts import counting
from tests.auth_helpers import sign_in
from tests.builders import (
    create_agency,
    create_consent,
    create_family_user,
    create_override,
    create_user,
    join_agreement,
)
from tests.builders_meet import MeetingArea, create_meeting_area, create_minutes_item, join_team
from tests.graphql_client import code


async def add_item(gql, token: str, meeting_id: str, version: int, **fields) -> dict:
    item = {"meetingId": meeting_id, "expectedVersion": version, "heading": "Update", "text": "Said", **fields}
    return (await gql.data("MinutesItemAdd", {"input": item}, token=token))["minutesItemAdd"]


async def minutes_of(gql, token: str, meeting_id: str) -> list[str]:
    meeting = (await gql.data("Meeting", {"id": meeting_id}, token=token))["meeting"]
    return [item["text"] for item in meeting["minutes"]]


async def item_ids(sessions, meeting_id) -> dict[str, str]:
    async with sessions() as session:
        rows = (
            await session.exec(sa.select(MinutesItem.text, MinutesItem.id).where(MinutesItem.meeting_id == meeting_id))
        ).all()
    return {text: str(item_id) for text, item_id in rows}


async def recorded(gql, sessions, m: MeetingArea) -> dict[str, str]:
    lead, meeting_id = await sign_in(gql, m.area.lead), str(m.meeting.id)
    await add_item(gql, lead, meeting_id, 1, text="school", category="education", agencyId=str(m.area.school.id))
    await add_item(gql, lead, meeting_id, 2, text="health", category="health", agencyId=str(m.health.id))
    await add_item(gql, lead, meeting_id, 3, text="early help", category="mental_health")
    return await item_ids(sessions, m.meeting.id)


async def test_without_consent_each_agency_reads_only_its_own_items(gql, sessions):
    # given minutes with the school's, the health visitor's and the chair's own agency's items
    m = await create_meeting_area(sessions)
    await recorded(gql, sessions, m)
    # then each reads their own agency's items only (the chair too: the others are saved, not shown)
    assert await minutes_of(gql, await sign_in(gql, m.area.lead), str(m.meeting.id)) == ["early help"]
    assert await minutes_of(gql, await sign_in(gql, m.area.colleague), str(m.meeting.id)) == ["school"]
    assert await minutes_of(gql, await sign_in(gql, m.health_visitor), str(m.meeting.id)) == ["health"]


async def test_a_refused_category_hides_the_item_from_that_agency_but_not_from_its_owner(gql, sessions):
    # given consent to share all three categories with the whole team, and mental health refused for the school
    m = await create_meeting_area(sessions)
    await recorded(gql, sessions, m)
    family, lead = m.area.family, m.area.lead
    await create_consent(sessions, family=family, recorded_by=lead, categories=["education", "health", "mental_health"])
    await create_consent(
        sessions,
        family=family,
        recorded_by=lead,
        categories=["mental_health"],
        agencies=[m.area.school],
        decision="refused",
    )
    # then the school no longer reads the mental health item, the health visitor does, and its owner always does
    meeting_id = str(m.meeting.id)
    assert await minutes_of(gql, await sign_in(gql, m.area.colleague), meeting_id) == ["school", "health"]
    assert await minutes_of(gql, await sign_in(gql, m.health_visitor), meeting_id) == ["school", "health", "early help"]
    assert await minutes_of(gql, await sign_in(gql, lead), meeting_id) == ["school", "health", "early help"]


async def test_an_override_shares_the_owning_agencys_item_with_the_agencies_it_names(gql, sessions):
    # given the school shares its education information with early help under a safeguarding override
    m = await create_meeting_area(sessions)
    ids = await recorded(gql, sessions, m)
    await create_override(
        sessions,
        family=m.area.family,
        decided_by=m.area.colleague,
        categories=["education"],
        recipients=[m.area.early_help],
    )
    # then the chair reads the school's item, in the minutes and by id; the health visitor does not
    lead = await sign_in(gql, m.area.lead)
    assert await minutes_of(gql, lead, str(m.meeting.id)) == ["school", "early help"]
    assert (await gql.data("MinutesItem", {"id": ids["school"]}, token=lead))["minutesItem"]["category"] == "education"
    assert await minutes_of(gql, await sign_in(gql, m.health_visitor), str(m.meeting.id)) == ["health"]


async def test_a_manager_reads_only_their_own_agencys_items(gql, sessions):
    # given consent to share everything with the whole team
    m = await create_meeting_area(sessions)
    await recorded(gql, sessions, m)
    categories = ["education", "health", "mental_health"]
    await create_consent(sessions, family=m.area.family, recorded_by=m.area.lead, categories=categories)
    # then each manager reads their own agency's items only
    assert await minutes_of(gql, await sign_in(gql, m.area.manager), str(m.meeting.id)) == ["early help"]
    assert await minutes_of(gql, await sign_in(gql, m.school_manager), str(m.meeting.id)) == ["school"]


async def test_the_family_never_reads_minutes(gql, sessions):
    m = await create_meeting_area(sessions)
    ids = await recorded(gql, sessions, m)
    categories = ["education", "health", "mental_health"]
    await create_consent(sessions, family=m.area.family, recorded_by=m.area.lead, categories=categories)
    parent = await sign_in(gql, await create_family_user(sessions, family=m.area.family))
    assert code(await gql.error("Meeting", {"id": str(m.meeting.id)}, token=parent)) == "NOT_FOUND"
    for item_id in ids.values():
        assert code(await gql.error("MinutesItem", {"id": item_id}, token=parent)) == "NOT_FOUND"


async def test_a_withheld_or_forged_id_answers_exactly_like_a_missing_one(gql, sessions):
    # given an item of the school that the chair may not read, and a worker of another family
    m = await create_meeting_area(sessions)
    ids = await recorded(gql, sessions, m)
    lead, outsider = await sign_in(gql, m.area.lead), await sign_in(gql, m.area.outsider)
    missing = str(uuid.uuid4())
    # when each asks for it by id, edits or removes it
    for operation, variables in [
        ("MinutesItem", lambda item_id: {"id": item_id}),
        ("MinutesItemEdit", lambda item_id: {"input": {"itemId": item_id, "expectedVersion": 4, "text": "x"}}),
        ("MinutesItemRemove", lambda item_id: {"input": {"itemId": item_id, "expectedVersion": 4}}),
    ]:
        answers = [
            await gql.error(operation, variables(item_id), token=token)
            for item_id, token in [(ids["school"], lead), (ids["early help"], outsider), (missing, lead)]
        ]
        # then every answer is the one for an id that does not exist
        assert all(answer["extensions"] == {"code": "NOT_FOUND"} for answer in answers), answers
        assert len({answer["message"] for answer in answers}) == 1, answers
    # and nothing changed
    assert sorted((await item_ids(sessions, m.meeting.id)).values()) == sorted(ids.values())


async def test_decisions_agreed_with_the_family_are_the_teams_unless_their_category_is_refused(gql, sessions):
    # given a decision agreed with the family (education) and one that was not (other)
    m = await create_meeting_area(sessions)
    lead, meeting_id = await sign_in(gql, m.area.lead), str(m.meeting.id)
    agreed = {"meetingId": meeting_id, "text": "Mentoring at school", "category": "education"}
    await gql.data("MeetingDecisionAdd", {"input": agreed}, token=lead)
    private = {"meetingId": meeting_id, "text": "Chase the referral", "agreedWithFamily": False}
    meeting = (await gql.data("MeetingDecisionAdd", {"input": private}, token=lead))["meetingDecisionAdd"]
    ids = {d["text"]: d["id"] for d in meeting["decisions"]}
    health = await sign_in(gql, m.health_visitor)

    async def decisions(token: str) -> list[str]:
        return [d["text"] for d in (await gql.data("Meeting", {"id": meeting_id}, token=token))["meeting"]["decisions"]]

    # then the team reads the agreed one only; the chair's agency reads both
    assert await decisions(health) == ["Mentoring at school"]
    assert await decisions(lead) == ["Mentoring at school", "Chase the referral"]
    assert code(await gql.error("MeetingDecision", {"id": ids["Chase the referral"]}, token=health)) == "NOT_FOUND"
    # and once the family refuses education for the health agency, the agreed one is withheld from it too
    refusal = {"categories": ["education"], "agencies": [m.health], "decision": "refused"}
    await create_consent(sessions, family=m.area.family, recorded_by=m.area.lead, **refusal)
    assert await decisions(health) == []
    missing = await gql.error("MeetingDecision", {"id": str(uuid.uuid4())}, token=health)
    withheld = await gql.error("MeetingDecision", {"id": ids["Mentoring at school"]}, token=health)
    assert withheld == {**missing, "path": withheld["path"], "locations": withheld["locations"]}


async def test_an_addendum_is_its_agencys_content(gql, sessions):
    # given published minutes and a correction in the health category
    m = await create_meeting_area(sessions)
    lead, meeting_id = await sign_in(gql, m.area.lead), str(m.meeting.id)
    await add_item(gql, lead, meeting_id, 1)
    await gql.data("MinutesPublish", {"input": {"meetingId": meeting_id, "expectedVersion": 2}}, token=lead)
    correction = {"meetingId": meeting_id, "text": "Mia's appointment moved", "category": "health"}
    added = (await gql.data("MinutesAddendumAdd", {"input": correction}, token=lead))["minutesAddendumAdd"]
    addendum_id = added["addenda"][0]["id"]
    school = await sign_in(gql, m.area.colleague)
    # then the school reads it only once the family consents to share health
    assert (await gql.data("Meeting", {"id": meeting_id}, token=school))["meeting"]["addenda"] == []
    assert code(await gql.error("MeetingAddendum", {"id": addendum_id}, token=school)) == "NOT_FOUND"
    await create_consent(sessions, family=m.area.family, recorded_by=m.area.lead, categories=["health"])
    shown = (await gql.data("MeetingAddendum", {"id": addendum_id}, token=school))["meetingAddendum"]
    assert (shown["text"], shown["category"]) == ("Mia's appointment moved", "health")


async def test_publishing_needs_an_item_and_fixes_them(gql, sessions):
    m = await create_meeting_area(sessions)
    lead, meeting_id = await sign_in(gql, m.area.lead), str(m.meeting.id)
    # when the chair publishes empty minutes
    empty = await gql.error("MinutesPublish", {"input": {"meetingId": meeting_id, "expectedVersion": 1}}, token=lead)
    # then it is bad input and nothing changed
    assert (code(empty), empty["extensions"]["field"]) == ("BAD_USER_INPUT", "minutes")
    meeting = (await gql.data("Meeting", {"id": meeting_id}, token=lead))["meeting"]
    assert (meeting["version"], meeting["minutesPublishedAt"]) == (1, None)
    assert await publications(sessions, m) == (0, 0)
    # when there is an item, it publishes; then adding, editing or removing an item is refused in words
    added = await add_item(gql, lead, meeting_id, 1, text="Met")
    item_id = added["minutes"][0]["id"]
    await gql.data("MinutesPublish", {"input": {"meetingId": meeting_id, "expectedVersion": 2}}, token=lead)
    assert await publications(sessions, m) == (1, 1)
    for operation, variables in [
        ("MinutesItemAdd", {"meetingId": meeting_id, "expectedVersion": 3, "heading": "Late", "text": "Late"}),
        ("MinutesItemEdit", {"itemId": item_id, "expectedVersion": 3, "text": "Rewritten"}),
        ("MinutesItemRemove", {"itemId": item_id, "expectedVersion": 3}),
    ]:
        error = await gql.error(operation, {"input": variables}, token=lead)
        assert error["extensions"] == {"code": "CONFLICT"} and "addendum" in error["message"], error
    assert await minutes_of(gql, lead, meeting_id) == ["Met"]


async def test_the_database_refusing_a_change_to_published_minutes_is_a_conflict(gql, sessions):
    # given published minutes
    m = await create_meeting_area(sessions)
    lead, meeting_id = await sign_in(gql, m.area.lead), str(m.meeting.id)
    await add_item(gql, lead, meeting_id, 1, text="Met")
    await gql.data("MinutesPublish", {"input": {"meetingId": meeting_id, "expectedVersion": 2}}, token=lead)
    # when a change reaches the database anyway (a race past the service's checks)
    with pytest.raises(Conflict, match="addendum"):
        async with unit_of_work(sessions) as session, unless_published():
            await session.exec(sa.update(MinutesItem).where(MinutesItem.meeting_id == m.meeting.id).values(text="B"))
    # then it is a CONFLICT and the item is as it was
    assert await minutes_of(gql, lead, meeting_id) == ["Met"]


async def test_a_stale_version_saves_nothing(gql, sessions):
    m = await create_meeting_area(sessions)
    lead, meeting_id = await sign_in(gql, m.area.lead), str(m.meeting.id)
    added = await add_item(gql, lead, meeting_id, 1, text="First")
    item_id = added["minutes"][0]["id"]
    for operation, variables in [
        ("MinutesItemAdd", {"meetingId": meeting_id, "expectedVersion": 1, "heading": "Second", "text": "Second"}),
        ("MinutesItemEdit", {"itemId": item_id, "expectedVersion": 1, "text": "Changed"}),
        ("MinutesItemRemove", {"itemId": item_id, "expectedVersion": 1}),
        ("MinutesPublish", {"meetingId": meeting_id, "expectedVersion": 1}),
    ]:
        error = await gql.error(operation, {"input": variables}, token=lead)
        assert code(error) == "CONFLICT" and "since you opened it" in error["message"]
    assert await minutes_of(gql, lead, meeting_id) == ["First"]
    # and the stale publication was neither saved, nor told, nor audited as done
    meeting = (await gql.data("Meeting", {"id": meeting_id}, token=lead))["meeting"]
    assert (meeting["version"], meeting["minutesPublishedAt"]) == (2, None)
    assert await publications(sessions, m) == (0, 0)


async def publications(sessions, m: MeetingArea) -> tuple[int, int]:
    """The family's minutes publications told (outbox events) and audited as allowed."""
    async with sessions() as session:
        told = await session.exec(
            sa.text(
                "SELECT count(*) FROM notification_outbox WHERE family_id = :f AND kind = 'meeting_minutes_published'"
            ),
            params={"f": m.area.family.id},
        )
        audited = await session.exec(
            sa.text(
                "SELECT count(*) FROM audit_event"
                " WHERE family_id = :f AND action = 'minutesPublish' AND outcome = 'allowed'"
            ),
            params={"f": m.area.family.id},
        )
        return told.scalar_one(), audited.scalar_one()


async def test_the_chair_edits_and_removes_items_and_may_record_another_agencys_update(gql, sessions):
    m = await create_meeting_area(sessions)
    lead, meeting_id = await sign_in(gql, m.area.lead), str(m.meeting.id)
    member = (await gql.data("Family", {"id": str(m.area.family.id)}, token=lead))["family"]["members"][0]["id"]
    first = await add_item(gql, lead, meeting_id, 1, heading="Welcome", text="Introductions")
    second = await add_item(gql, lead, meeting_id, 2, heading="Plan", text="Goals agreed", aboutMemberIds=[member])
    assert [(i["position"], i["heading"]) for i in second["minutes"]] == [(1, "Welcome"), (2, "Plan")]
    assert second["minutes"][1]["aboutMemberIds"] == [member]
    assert second["minutes"][1]["owningAgency"]["id"] == str(m.area.early_help.id)
    # when the chair edits one item (only what they send changes) and removes the other
    edit = {"itemId": second["minutes"][1]["id"], "expectedVersion": 3, "text": "Goals agreed with Lisa"}
    edited = (await gql.data("MinutesItemEdit", {"input": edit}, token=lead))["minutesItemEdit"]
    assert [(i["heading"], i["text"]) for i in edited["minutes"]] == [
        ("Welcome", "Introductions"),
        ("Plan", "Goals agreed with Lisa"),
    ]
    remove = {"itemId": first["minutes"][0]["id"], "expectedVersion": 4}
    removed = (await gql.data("MinutesItemRemove", {"input": remove}, token=lead))["minutesItemRemove"]
    assert [i["heading"] for i in removed["minutes"]] == ["Plan"] and removed["version"] == 5
    # and hands the remaining item to the school as its update: it is then the school's information
    to_school = {"itemId": removed["minutes"][0]["id"], "expectedVersion": 5, "agencyId": str(m.area.school.id)}
    assert (await gql.data("MinutesItemEdit", {"input": to_school}, token=lead))["minutesItemEdit"]["minutes"] == []
    assert await minutes_of(gql, await sign_in(gql, m.area.colleague), meeting_id) == ["Goals agreed with Lisa"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"heading": " "}, "heading"),
        ({"text": ""}, "text"),
        ({"agencyId": "foreign"}, "agencyId"),
        ({"aboutMemberIds": ["stranger"]}, "aboutMemberIds"),
    ],
)
async def test_an_item_needs_a_heading_text_and_an_agency_on_the_team(gql, sessions, fields, field):
    m = await create_meeting_area(sessions)
    lead, meeting_id = await sign_in(gql, m.area.lead), str(m.meeting.id)
    if fields.get("agencyId") == "foreign":
        fields = {"agencyId": str((await create_agency(sessions)).id)}
    if fields.get("aboutMemberIds") == ["stranger"]:
        fields = {"aboutMemberIds": [str(uuid.uuid4())]}
    item = {"meetingId": meeting_id, "expectedVersion": 1, "heading": "H", "text": "T", **fields}
    error = await gql.error("MinutesItemAdd", {"input": item}, token=lead)
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", field)
    assert await item_ids(sessions, m.meeting.id) == {}


async def test_only_the_chair_records_minutes(gql, sessions):
    m = await create_meeting_area(sessions)
    item = {"meetingId": str(m.meeting.id), "expectedVersion": 1, "heading": "H", "text": "T"}
    assert code(await gql.error("MinutesItemAdd", {"input": item}, token=await sign_in(gql, m.area.colleague))) == (
        "FORBIDDEN"
    )
    assert code(await gql.error("MinutesItemAdd", {"input": item}, token=await sign_in(gql, m.area.outsider))) == (
        "NOT_FOUND"
    )


async def test_reading_another_agencys_item_is_audited(gql, sessions):
    m = await create_meeting_area(sessions)
    ids = await recorded(gql, sessions, m)
    await create_consent(sessions, family=m.area.family, recorded_by=m.area.lead, categories=["health"])
    await minutes_of(gql, await sign_in(gql, m.area.colleague), str(m.meeting.id))
    async with sessions() as session:
        rows = (
            await session.exec(
                sa.text(
                    "SELECT action, detail FROM audit_event WHERE family_id = :family AND actor_user_id = :user"
                    " AND outcome = 'allowed'"
                ).bindparams(family=m.area.family.id, user=m.area.colleague.id)
            )
        ).all()
    reads = [detail for action, detail in rows if action.endswith("_read")]
    assert any(ids["health"] in detail["items"] and detail["categories"] == ["health"] for detail in reads), rows


async def read_audit(sessions, family_id, user_id) -> list[dict]:
    """Each item read recorded for the user in the family, oldest first (the audit events' `reads`)."""
    async with sessions() as session:
        rows = (
            await session.exec(
                sa.text(
                    "SELECT detail FROM audit_event WHERE family_id = :family AND actor_user_id = :user"
                    " AND outcome = 'allowed' AND action LIKE '%\\_read' ORDER BY id"
                ).bindparams(family=family_id, user=user_id)
            )
        ).all()
    return [read for (detail,) in rows for read in expanded(detail)["reads"]]


async def test_the_minutes_list_audits_each_read_as_the_lookup_by_id_does(gql, sessions):
    # given the school's item shared with early help under an override, the health visitor's by consent, and a
    # decision (the chair's agency's own: not audited)
    m = await create_meeting_area(sessions)
    ids = await recorded(gql, sessions, m)
    override = await create_override(
        sessions,
        family=m.area.family,
        decided_by=m.area.colleague,
        categories=["education"],
        recipients=[m.area.early_help],
    )
    await create_consent(sessions, family=m.area.family, recorded_by=m.area.lead, categories=["health"])
    lead = await sign_in(gql, m.area.lead)
    decision = {"meetingId": str(m.meeting.id), "text": "Keep the plan", "category": "health"}
    await gql.data("MeetingDecisionAdd", {"input": decision}, token=lead)
    # when the chair reads the meeting, then each item by id
    before = len(await read_audit(sessions, m.area.family.id, m.area.lead.id))
    await minutes_of(gql, lead, str(m.meeting.id))
    listed = (await read_audit(sessions, m.area.family.id, m.area.lead.id))[before:]
    for name in ("school", "health", "early help"):
        await gql.data("MinutesItem", {"id": ids[name]}, token=lead)
    looked_up = (await read_audit(sessions, m.area.family.id, m.area.lead.id))[before + len(listed) :]
    # then the list recorded the same reads, with the same basis and override, as the lookups
    by_item = {read["item"]: read for read in looked_up}
    assert sorted(by_item) == sorted([ids["school"], ids["health"]])
    assert sorted(listed, key=lambda read: read["item"]) == sorted(by_item.values(), key=lambda read: read["item"])
    assert by_item[ids["school"]]["basis"] == "shared_by_override"
    assert by_item[ids["school"]]["overrideIds"] == [str(override.id)]
    assert by_item[ids["health"]]["basis"] == "shared_by_consent"


async def meeting_statements(gql, app, sessions, n: int) -> int:
    """Statements for a meeting with n items of n agencies in rotating categories, read by the chair."""
    m = await create_meeting_area(sessions)
    categories = ["education", "health", "housing", "police", "other"]
    await create_consent(sessions, family=m.area.family, recorded_by=m.area.lead, categories=categories[:2])
    for index in range(n):
        agency = m.area.early_help if index % 3 == 0 else await create_agency(sessions)
        if agency is not m.area.early_help:
            await join_agreement(sessions, agreement=m.area.area_agreement, agency=agency)
            await join_team(sessions, family=m.area.family, user=await create_user(sessions, agency=agency))
        category = categories[index % len(categories)]
        await create_minutes_item(sessions, meeting=m.meeting, agency=agency, category=category, position=index)
    lead = await sign_in(gql, m.area.lead)
    with counting(app.state.taf.engine) as statements:
        meeting = (await gql.data("Meeting", {"id": str(m.meeting.id)}, token=lead))["meeting"]
        await gql.data("FamilyMeetings", {"familyId": str(m.area.family.id)}, token=lead)
    assert 0 < len(meeting["minutes"]) < n
    return len(statements)


async def test_reading_minutes_costs_the_same_statements_whatever_the_number_of_items(gql, app, sessions):
    assert await meeting_statements(gql, app, sessions, 3) == await meeting_statements(gql, app, sessions, 15)


async def test_a_meetings_actions_show_and_audit_what_the_plan_shows_and_audits_each_reader(gql, sessions):
    # given a meeting at which the chair agreed actions in several categories, health shared by consent
    m = await create_meeting_area(sessions)
    lead, meeting_id = await sign_in(gql, m.area.lead), str(m.meeting.id)
    due = (date.today() + timedelta(days=7)).isoformat()
    for category, owner in [("health", m.health_visitor), ("education", m.area.colleague), ("other", m.area.lead)]:
        action = {"meetingId": meeting_id, "description": f"About {category}", "ownerUserId": str(owner.id)}
        await gql.data("MeetingActionAdd", {"input": action | {"dueDate": due, "category": category}}, token=lead)
    await create_consent(sessions, family=m.area.family, recorded_by=m.area.lead, categories=["health"])
    # when each member of the team, and a manager, reads the meeting and then the family's plan
    views = {}
    for reader in (m.area.lead, m.area.colleague, m.health_visitor, m.area.manager):
        token = await sign_in(gql, reader)
        before = len(await read_audit(sessions, m.area.family.id, reader.id))
        meeting = (await gql.data("Meeting", {"id": meeting_id}, token=token))["meeting"]
        middle = len(await read_audit(sessions, m.area.family.id, reader.id))
        plan = (await gql.data("FamilyPlan", {"familyId": str(m.area.family.id)}, token=token))["familyPlan"]
        audited = await read_audit(sessions, m.area.family.id, reader.id)
        seen = [(a["id"], a["contentVisible"], a["description"]) for a in meeting["actions"]]
        on_plan = {a["id"]: (a["id"], a["contentVisible"], a["description"]) for a in plan["actions"]}
        # then the meeting lists the actions in order, each as the plan shows it to that reader
        assert len(seen) == 3
        assert seen == [on_plan[action_id] for action_id, _, _ in seen]
        views[reader.id] = [visible for _, visible, _ in seen]
        # and records the same reads of them, with the same basis, as the plan
        ids = {action_id for action_id, _, _ in seen}
        by_meeting = [read for read in audited[before:middle] if read["item"] in ids]
        by_plan = [read for read in audited[middle:] if read["item"] in ids]
        assert sorted(by_meeting, key=lambda read: read["item"]) == sorted(by_plan, key=lambda read: read["item"])
        views[reader.id, "audited"] = len(by_meeting)
    # and some readers may not read every action's words, some read another agency's by consent (audited)
    assert views[m.area.lead.id] == [True, True, True]
    assert any(not all(visible) for key, visible in views.items() if not isinstance(key, tuple))
    assert views[m.area.colleague.id, "audited"] >= 1
