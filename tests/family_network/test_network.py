"""The family network and family group conferences through GraphQL: a worker on the team records a person
the family names, the team sees who they are, only the lead (and the deputy while covering) reads how to reach
them, the lead keeps the list (CONFLICT when stale), a family group conference invites them, and the plan the
family makes there is its own (agreed with the family, the whole team's)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from server.db.engine import unit_of_work
from tests.auth_helpers import sign_in
from tests.builders import create_area, create_family
from tests.graphql_client import code


async def young_person(sessions, family_id) -> str:
    async with unit_of_work(sessions) as session:
        rows = await session.exec(
            sa.text("SELECT id FROM family_member WHERE family_id = :f AND is_subject_child"), params={"f": family_id}
        )
        return str(rows.scalar_one())


def network_input(family_id, named_by, **overrides) -> dict:
    return {
        "input": {
            "familyId": str(family_id),
            "fullName": "Rose Okafor",
            "relationship": "grandmother",
            "namedByMemberId": named_by,
            "phone": "07700 900123",
            "email": "rose@example.com",
            "address": "4 Mill Lane",
            **overrides,
        }
    }


def edit_input(member: dict, **overrides) -> dict:
    fields = ("fullName", "relationship", "namedByMemberId", "phone", "email", "address")
    values = {name: member[name] or "" for name in fields}
    return {"input": {"networkMemberId": member["id"], "expectedVersion": member["version"], **values, **overrides}}


def conference_input(area, *, network=(), kind="family_group_conference") -> dict:
    return {
        "input": {
            "familyId": str(area.family.id),
            "kind": kind,
            "scheduledAt": (datetime.now(UTC) + timedelta(days=5)).isoformat(),
            "location": "Community centre",
            "inviteeNetworkMemberIds": list(network),
        }
    }


async def test_a_worker_records_the_network_and_only_the_lead_reads_contact_details(gql, sessions):
    # given a family whose young person names their grandmother
    area = await create_area(sessions)
    colleague, lead = await sign_in(gql, area.colleague), await sign_in(gql, area.lead)
    manager = await sign_in(gql, area.manager)
    child = await young_person(sessions, area.family.id)
    # when the school worker records her
    made = (await gql.data("NetworkMemberAdd", network_input(area.family.id, child), token=colleague))[
        "networkMemberAdd"
    ]
    # then the worker sees who she is, but not how to reach her (a third party's details, for the lead)
    assert (made["fullName"], made["relationship"], made["namedByMemberId"]) == ("Rose Okafor", "grandmother", child)
    assert (made["contactVisible"], made["phone"], made["email"], made["address"]) == (False, None, None, None)
    # and the lead reads the details; the lead's manager sees who, never the details
    [seen] = (await gql.data("FamilyNetwork", {"familyId": str(area.family.id)}, token=lead))["familyNetwork"]
    assert (seen["contactVisible"], seen["phone"], seen["email"]) == (True, "07700 900123", "rose@example.com")
    [managed] = (await gql.data("FamilyNetwork", {"familyId": str(area.family.id)}, token=manager))["familyNetwork"]
    assert (managed["fullName"], managed["phone"]) == ("Rose Okafor", None)
    # and nobody outside the team finds the network
    for user in (area.outsider, area.other_manager, area.ig, area.admin):
        token = await sign_in(gql, user)
        assert code(await gql.error("FamilyNetwork", {"familyId": str(area.family.id)}, token=token)) == "NOT_FOUND"


async def test_bad_network_input_is_refused_and_nothing_is_saved(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    child = await young_person(sessions, area.family.id)
    other = await create_family(sessions, lead=area.lead)
    foreign_child = await young_person(sessions, other.id)
    for overrides, field in (
        ({"fullName": "  "}, "fullName"),
        ({"relationship": ""}, "relationship"),
        ({"relationship": "x" * 61}, "relationship"),
        ({"email": "not an address"}, "email"),
        ({"phone": "1" * 41}, "phone"),
        ({"namedByMemberId": foreign_child}, "namedByMemberId"),
        ({"namedByMemberId": str(uuid.uuid4())}, "namedByMemberId"),
        ({"fullName": "Rose\x00"}, "fullName"),
    ):
        error = await gql.error("NetworkMemberAdd", network_input(area.family.id, child, **overrides), token=lead)
        assert (code(error), error["extensions"].get("field")) == ("BAD_USER_INPUT", field), overrides
    assert (await gql.data("FamilyNetwork", {"familyId": str(area.family.id)}, token=lead))["familyNetwork"] == []
    # a worker outside the team cannot add to it: the family is not found
    outsider = await sign_in(gql, area.outsider)
    error = await gql.error("NetworkMemberAdd", network_input(area.family.id, child), token=outsider)
    assert code(error) == "NOT_FOUND"


async def test_the_lead_keeps_the_list_and_a_stale_edit_conflicts(gql, sessions):
    area = await create_area(sessions)
    colleague, lead = await sign_in(gql, area.colleague), await sign_in(gql, area.lead)
    child = await young_person(sessions, area.family.id)
    made = (await gql.data("NetworkMemberAdd", network_input(area.family.id, child), token=lead))["networkMemberAdd"]
    # only the lead edits (the worker who sees the network is refused, an outsider does not find it)
    changed = edit_input(made, relationship="nan", phone="07700 900999")
    assert code(await gql.error("NetworkMemberEdit", changed, token=colleague)) == "FORBIDDEN"
    outsider = await sign_in(gql, area.outsider)
    assert code(await gql.error("NetworkMemberEdit", changed, token=outsider)) == "NOT_FOUND"
    forged = {"input": {**changed["input"], "networkMemberId": str(uuid.uuid4())}}
    assert code(await gql.error("NetworkMemberEdit", forged, token=lead)) == "NOT_FOUND"
    edited = (await gql.data("NetworkMemberEdit", changed, token=lead))["networkMemberEdit"]
    assert (edited["relationship"], edited["phone"], edited["version"]) == ("nan", "07700 900999", 2)
    # and an edit made from the first version is refused rather than overwriting
    assert code(await gql.error("NetworkMemberEdit", edit_input(made, fullName="Rosa"), token=lead)) == "CONFLICT"
    bad = edit_input(edited, email="rose at example")
    assert code(await gql.error("NetworkMemberEdit", bad, token=lead)) == "BAD_USER_INPUT"


async def test_the_deputy_reads_contact_details_only_while_covering(gql, sessions):
    area = await create_area(sessions)
    colleague, lead = await sign_in(gql, area.colleague), await sign_in(gql, area.lead)
    child = await young_person(sessions, area.family.id)
    await gql.data("NetworkMemberAdd", network_input(area.family.id, child), token=lead)
    deputy = {
        "input": {"familyId": str(area.family.id), "userId": str(area.colleague.id), "expectedDeputyUserId": None}
    }
    await gql.data("DeputyLeadSet", deputy, token=lead)
    [seen] = (await gql.data("FamilyNetwork", {"familyId": str(area.family.id)}, token=colleague))["familyNetwork"]
    assert seen["phone"] is None
    today = datetime.now(UTC).date().isoformat()
    await gql.data("TimeAwayRecord", {"input": {"startsOn": today, "endsOn": today}}, token=lead)
    [seen] = (await gql.data("FamilyNetwork", {"familyId": str(area.family.id)}, token=colleague))["familyNetwork"]
    assert seen["phone"] == "07700 900123"


async def test_a_family_group_conference_invites_the_network_and_no_other_meeting_does(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    child = await young_person(sessions, area.family.id)
    rose = (await gql.data("NetworkMemberAdd", network_input(area.family.id, child), token=lead))["networkMemberAdd"]
    # a review cannot invite the network; a conference cannot invite another family's network or a forged id
    error = await gql.error("MeetingSchedule", conference_input(area, network=[rose["id"]], kind="review"), token=lead)
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "inviteeNetworkMemberIds")
    other = await create_family(sessions, lead=area.lead)
    other_child = await young_person(sessions, other.id)
    stranger = (await gql.data("NetworkMemberAdd", network_input(other.id, other_child), token=lead))[
        "networkMemberAdd"
    ]
    for ids in ([stranger["id"]], [str(uuid.uuid4())]):
        error = await gql.error("MeetingSchedule", conference_input(area, network=ids), token=lead)
        assert code(error) == "BAD_USER_INPUT"
    meetings = (await gql.data("FamilyMeetings", {"familyId": str(area.family.id)}, token=lead))["familyMeetings"]
    assert meetings == []
    # when the lead schedules the family group conference with the grandmother
    meeting = (await gql.data("MeetingSchedule", conference_input(area, network=[rose["id"]]), token=lead))[
        "meetingSchedule"
    ]
    # then she is invited, by name and relationship, to a meeting of that kind
    assert meeting["kind"] == "family_group_conference"
    invited = [i["networkMember"] for i in meeting["invitees"] if i["networkMember"]]
    assert invited == [{"id": rose["id"], "fullName": "Rose Okafor", "relationship": "grandmother"}]


async def test_the_plan_made_at_the_conference_is_the_familys_own(gql, sessions):
    area = await create_area(sessions)
    lead, colleague = await sign_in(gql, area.lead), await sign_in(gql, area.colleague)
    child = await young_person(sessions, area.family.id)
    rose = (await gql.data("NetworkMemberAdd", network_input(area.family.id, child), token=lead))["networkMemberAdd"]
    meeting = (await gql.data("MeetingSchedule", conference_input(area, network=[rose["id"]]), token=lead))[
        "meetingSchedule"
    ]
    goal = {
        "familyId": str(area.family.id),
        "inFamilyWords": "Nan has Tayo every Friday night so Mum gets a break",
        "outcomeDomain": "family_peer_relationships",
        "category": "mental_health",
        "conferenceId": meeting["id"],
    }
    # a conference not yet held is refused, as is another kind of meeting or a forged id
    error = await gql.error("PlanGoalAdd", {"input": goal}, token=lead)
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "conferenceId")
    async with unit_of_work(sessions) as session:
        await session.exec(
            sa.text("UPDATE taf_meeting SET status = 'held', scheduled_at = now() - interval '1 day' WHERE id = :id"),
            params={"id": uuid.UUID(meeting["id"])},
        )
    forged = {"input": {**goal, "conferenceId": str(uuid.uuid4())}}
    assert code(await gql.error("PlanGoalAdd", forged, token=lead)) == "BAD_USER_INPUT"
    # when the lead records the family's goal from the conference
    made = (await gql.data("PlanGoalAdd", {"input": goal}, token=lead))["planGoalAdd"]
    # then it is agreed with the family, on the conference's day, and the school reads its words
    conference_day = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    assert (made["conferenceId"], made["agreedWithFamily"], made["agreedOn"]) == (meeting["id"], True, conference_day)
    plan = (await gql.data("FamilyPlan", {"familyId": str(area.family.id)}, token=colleague))["familyPlan"]
    [seen] = plan["goals"]
    assert seen["inFamilyWords"] == goal["inFamilyWords"]
    # and it stays the family's own: it cannot be marked not agreed
    unagreed = {"input": {"goalId": made["id"], "expectedVersion": made["version"], "agreedWithFamily": False}}
    error = await gql.error("PlanGoalEdit", unagreed, token=lead)
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "agreedWithFamily")
