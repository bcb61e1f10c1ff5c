"""Every mutation that creates something takes an idempotencyKey with contributionAdd's semantics: a retry
returns what the first attempt created, concurrent retries create one, and a key reused for another kind
of request is CONFLICT."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from server.db.engine import unit_of_work
from tests.auth_helpers import sign_in
from tests.builders import create_area, create_user
from tests.graphql_client import code


@dataclass
class Case:
    operation: str
    token: str
    variables: Callable[[], Awaitable[dict]]  # a fresh, valid input (without the key)
    table: str  # where the created row lands, counted by family_id
    family_id: uuid.UUID
    count_by: str = "family_id"


def later(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


async def held_meeting(gql, sessions, area, lead: str, *, published: bool = False) -> str:
    scheduled = {
        "familyId": str(area.family.id),
        "kind": "review",
        "scheduledAt": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
        "location": "Hub",
        "inviteeUserIds": [str(area.colleague.id)],
    }
    meeting = (await gql.data("MeetingSchedule", {"input": scheduled}, token=lead))["meetingSchedule"]
    async with unit_of_work(sessions) as session:
        await session.exec(
            sa.text("UPDATE taf_meeting SET scheduled_at = now() - interval '1 hour' WHERE id = :id"),
            params={"id": uuid.UUID(meeting["id"])},
        )
    if published:
        item = {"meetingId": meeting["id"], "expectedVersion": 1, "heading": "Attendance", "text": "Met."}
        await gql.data("MinutesItemAdd", {"input": item}, token=lead)
        await gql.data("MinutesPublish", {"input": {"meetingId": meeting["id"], "expectedVersion": 2}}, token=lead)
    return meeting["id"]


async def case_for(operation: str, gql, sessions, area=None) -> Case:
    area = area or await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    family = str(area.family.id)
    fid = area.family.id
    member = (await gql.data("Family", {"id": family}, token=lead))["family"]["members"][0]["id"]

    def fixed(variables: dict) -> Callable[[], Awaitable[dict]]:
        async def make() -> dict:
            return {"input": dict(variables)}

        return make

    if operation == "FamilyMemberAdd":
        return Case(
            operation,
            lead,
            fixed({"familyId": family, "member": {"fullName": "Rosa Test", "relationship": "aunt"}}),
            "family_member",
            fid,
        )
    if operation == "TeamMemberAdd":

        async def new_worker() -> dict:
            worker = await create_user(sessions, agency=area.school)
            return {"input": {"familyId": family, "userId": str(worker.id), "contact": {"agencyRole": "Mentor"}}}

        return Case(operation, lead, new_worker, "team_membership", fid)
    if operation == "ConsentRecord":
        consent = {"familyId": family, "givenByMemberId": member, "capacity": "parental_responsibility"}
        consent |= {"decision": "given", "categories": ["education"], "purpose": "Plan", "wholeTeam": True}
        return Case(operation, lead, fixed(consent), "consent", fid)
    if operation == "EngagementRecord":
        return Case(
            operation,
            lead,
            fixed({"familyId": family, "memberId": member, "agreed": True}),
            "engagement_agreement",
            fid,
        )
    if operation == "SafeguardingOverrideRecord":
        override = {
            "familyId": family,
            "categories": ["education"],
            "recipientAgencyIds": [str(area.early_help.id)],
            "justification": "Disclosure of injuries at school; strategy discussion agreed to share.",
            "lawfulBasis": "public_task_safeguarding",
            "expiresAt": (datetime.now(UTC) + timedelta(days=14)).isoformat(),
            "familyInformed": True,
        }
        return Case(operation, await sign_in(gql, area.colleague), fixed(override), "safeguarding_override", fid)
    if operation == "SharingDecisionRecord":
        decision = {"familyId": family, "categories": ["education"], "recipientAgencyIds": [str(area.early_help.id)]}
        decision["reason"] = "Not relevant to the plan."
        return Case(operation, await sign_in(gql, area.colleague), fixed(decision), "sharing_decision", fid)
    if operation == "PlanGoalAdd":
        goal = {"familyId": family, "inFamilyWords": "Get to school", "outcomeDomain": "safety"}
        return Case(operation, lead, fixed(goal), "plan_goal", fid)
    if operation == "PlanActionAdd":
        action = {"familyId": family, "description": "Call", "ownerUserId": str(area.colleague.id), "dueDate": later(5)}
        return Case(operation, lead, fixed(action), "plan_action", fid)
    if operation == "MeetingSchedule":
        meeting = {"familyId": family, "kind": "review", "scheduledAt": later(7) + "T10:00:00+00:00"}
        meeting |= {"location": "Hub", "inviteeUserIds": [str(area.colleague.id)]}
        return Case(operation, lead, fixed(meeting), "taf_meeting", fid)
    if operation == "MeetingDecisionAdd":
        meeting_id = await held_meeting(gql, sessions, area, lead)
        text = {"meetingId": meeting_id, "text": "Refer to CAMHS"}
        return Case(operation, lead, fixed(text), "taf_meeting_decision", uuid.UUID(meeting_id), "meeting_id")
    if operation == "MinutesItemAdd":
        meeting_id = await held_meeting(gql, sessions, area, lead)

        async def next_item() -> dict:  # at the meeting's current version: each item moves it on
            version = (await gql.data("Meeting", {"id": meeting_id}, token=lead))["meeting"]["version"]
            item = {"meetingId": meeting_id, "expectedVersion": version, "heading": "Update", "text": "Said"}
            return {"input": item | {"category": "education", "aboutMemberIds": [member]}}

        return Case(operation, lead, next_item, "taf_meeting_minutes_item", uuid.UUID(meeting_id), "meeting_id")
    if operation == "MinutesAddendumAdd":
        meeting_id = await held_meeting(gql, sessions, area, lead, published=True)
        text = {"meetingId": meeting_id, "text": "Dan sent apologies"}
        return Case(operation, lead, fixed(text), "taf_meeting_addendum", uuid.UUID(meeting_id), "meeting_id")
    if operation == "MeetingActionAdd":
        meeting_id = await held_meeting(gql, sessions, area, lead)
        action = {"meetingId": meeting_id, "description": "M", "ownerUserId": str(area.colleague.id)}
        return Case(operation, lead, fixed(action | {"dueDate": later(5)}), "plan_action", fid)
    if operation == "AssessmentRecord":
        assessment = {"familyId": family, "stage": "review", "assessedOn": date.today().isoformat()}
        assessment |= {"levelOfNeed": "targeted", "ratings": [{"factor": "family_debt", "rating": "low"}]}
        return Case(operation, lead, fixed(assessment), "assessment", fid)
    if operation == "ReviewRecord":
        review = {"familyId": family, "reviewedOn": date.today().isoformat(), "summary": "Steady"}
        review["scores"] = [{"domain": "safety", "score": 6}]
        return Case(operation, lead, fixed(review), "review", fid)
    if operation == "EscalationRaise":
        escalation = {"familyId": family, "level": "concern", "category": "education", "reason": "Missed school"}
        return Case(operation, await sign_in(gql, area.colleague), fixed(escalation), "escalation", fid)
    if operation == "ReferralRecord":
        referral = {"familyId": family, "receivedOn": date.today().isoformat(), "consent": "not_sought"}
        referral |= {"referrer": {"name": "GP", "organisation": "Surgery"}, "reason": "R", "presentingNeeds": "N"}
        return Case(operation, lead, fixed(referral | {"category": "health"}), "referral", fid)
    if operation == "ContactRecord":
        contacted = (datetime.now(UTC) - timedelta(hours=3)).isoformat()
        contact = {"familyId": family, "contactedAt": contacted, "kind": "home_visit", "durationMinutes": 60}
        contact |= {"note": "Mum was low", "category": "education"}
        return Case(operation, await sign_in(gql, area.colleague), fixed(contact), "contact_log", fid)
    if operation == "PlanContingencyAdd":
        contingency = {"familyId": family, "trigger": "If Mum is unwell", "response": "Nan", "whoActs": "Nan"}
        contingency |= {"agreedWithFamily": True, "namesThirdParty": False, "category": "health"}
        return Case(operation, lead, fixed(contingency), "plan_contingency", fid)
    if operation == "ServiceReceivedRecord":
        services = (await gql.data("Services", token=lead))["services"]
        service = next(s["id"] for s in services if s["code"] == "mentoring")
        received = {"familyId": family, "serviceId": service, "providerAgencyId": str(area.early_help.id)}
        received |= {"startedOn": date.today().isoformat(), "quantity": 2}
        return Case(operation, lead, fixed(received), "service_received", fid)
    if operation == "PanelFamilyAdd":
        manager = await sign_in(gql, area.manager)

        async def on_a_new_sitting() -> dict:  # a family is on a sitting's list once
            arranged = await gql.data("PanelSittingCreate", {"input": {"sitting": panel_sitting(area)}}, token=manager)
            return {"input": {"sittingId": arranged["panelSittingCreate"]["id"], "familyId": family}}

        return Case(operation, lead, on_a_new_sitting, "panel_decision", fid)

    if operation == "NetworkMemberAdd":
        member = (await gql.data("Family", {"id": family}, token=lead))["family"]["members"][0]["id"]
        person = {"familyId": family, "fullName": "Rose", "relationship": "grandmother", "namedByMemberId": member}
        person |= {"phone": "07700 900123", "email": "rose@example.com", "address": "4 Mill Lane"}
        return Case(operation, await sign_in(gql, area.colleague), fixed(person), "family_network_member", fid)
    raise AssertionError(operation)


def panel_sitting(area) -> dict:
    sitting = {"name": "Gateway panel", "kind": "gateway", "sitsOn": date.today().isoformat()}
    return sitting | {"chairUserId": str(area.manager.id), "agencyIds": [str(area.early_help.id)]}


CREATES = [
    "FamilyMemberAdd",
    "TeamMemberAdd",
    "ConsentRecord",
    "EngagementRecord",
    "SafeguardingOverrideRecord",
    "SharingDecisionRecord",
    "PlanGoalAdd",
    "PlanActionAdd",
    "MeetingSchedule",
    "MeetingDecisionAdd",
    "MinutesItemAdd",
    "MinutesAddendumAdd",
    "MeetingActionAdd",
    "AssessmentRecord",
    "ReviewRecord",
    "EscalationRaise",
    "ReferralRecord",
    "ContactRecord",
    "PlanContingencyAdd",
    "ServiceReceivedRecord",
    "PanelFamilyAdd",
    "NetworkMemberAdd",
]


async def rows(sessions, case: Case) -> int:
    async with sessions() as session:
        statement = sa.text(f"SELECT count(*) FROM {case.table} WHERE {case.count_by} = :id")
        return (await session.exec(statement, params={"id": case.family_id})).one()[0]


def result_of(case: Case, data: dict) -> dict:
    field = case.operation[0].lower() + case.operation[1:]
    return data[field]


def keyed(variables: dict, key: str) -> dict:
    return {"input": {**variables["input"], "idempotencyKey": key}}


def fingerprint(case: Case, result: dict) -> object:
    """What identifies the created thing in the answer (for meeting texts: the meeting and its texts)."""
    if case.operation == "MeetingDecisionAdd":
        return result["id"], tuple(d["id"] for d in result["decisions"])
    if case.operation == "MinutesAddendumAdd":
        return result["id"], tuple(a["id"] for a in result["addenda"])
    if case.operation == "MinutesItemAdd":
        return result["id"], tuple(i["id"] for i in result["minutes"])
    return result["id"]


@pytest.mark.parametrize("operation", CREATES)
async def test_a_retry_returns_the_first_item_and_concurrent_retries_create_one(gql, sessions, operation):
    # given a valid create and its key
    case = await case_for(operation, gql, sessions)
    before = await rows(sessions, case)
    variables, key = await case.variables(), str(uuid.uuid4())
    # when it is sent, then retried with the same key
    first = result_of(case, await gql.data(operation, keyed(variables, key), token=case.token))
    retry = result_of(case, await gql.data(operation, keyed(variables, key), token=case.token))
    # then the retry answers with the first item and only one was stored
    assert fingerprint(case, retry) == fingerprint(case, first)
    assert await rows(sessions, case) == before + 1
    # and four concurrent attempts under a new key store one more, all answering with it
    variables, key = await case.variables(), str(uuid.uuid4())
    answers = await asyncio.gather(*(gql.data(operation, keyed(variables, key), token=case.token) for _ in range(4)))
    assert len({fingerprint(case, result_of(case, answer)) for answer in answers}) == 1
    assert await rows(sessions, case) == before + 2


@pytest.mark.parametrize("operation", CREATES)
async def test_a_key_reused_for_another_kind_of_request_is_a_conflict(gql, sessions, operation):
    case = await case_for(operation, gql, sessions)
    key = str(uuid.uuid4())
    # given a key the same user already used to open a family
    used = await gql.op(
        "FamilyOpen",
        {
            "input": {
                "displayName": "The Rivers family",
                "levelOfNeed": "targeted",
                "idempotencyKey": key,
                "members": [{"fullName": "Leo Rivers", "relationship": "son", "isSubjectChild": True}],
                "leadContact": {"agencyRole": "Family support"},
            }
        },
        token=case.token,
    )
    assert "errors" not in used, used
    before = await rows(sessions, case)
    # when it is sent with this create
    error = await gql.error(operation, keyed(await case.variables(), key), token=case.token)
    # then CONFLICT, and nothing was created
    assert code(error) == "CONFLICT"
    assert await rows(sessions, case) == before
