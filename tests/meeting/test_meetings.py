"""TAF meetings through GraphQL: scheduling, moving and cancelling with reasons, attendance, minutes
published once and corrected by addenda, decisions, actions onto the plan, and the review cadence."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from server.db.engine import unit_of_work
from server.meeting.models import Meeting, MinutesItem
from tests.auth_helpers import sign_in
from tests.builders import create_area
from tests.graphql_client import code


def in_days(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def schedule_input(area, **overrides) -> dict:
    return {
        "input": {
            "familyId": str(area.family.id),
            "kind": "review",
            "scheduledAt": in_days(7),
            "location": "Riverside Academy, room 4",
            "agenda": "1. Attendance 2. Housing repairs",
            "inviteeUserIds": [str(area.colleague.id)],
            **overrides,
        }
    }


async def as_if_held(sessions, meeting_id: str) -> None:
    """Move a meeting into the past, as if its time had come."""
    async with unit_of_work(sessions) as session:
        await session.exec(
            sa.update(Meeting)
            .where(Meeting.id == uuid.UUID(meeting_id))
            .values(scheduled_at=datetime.now(UTC) - timedelta(hours=1))
        )


async def test_the_lead_schedules_a_meeting_and_the_team_sees_it(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    meeting = (await gql.data("MeetingSchedule", schedule_input(area), token=lead))["meetingSchedule"]
    assert meeting["chair"]["id"] == str(area.lead.id) and meeting["status"] == "scheduled"
    assert {i["professional"]["id"] for i in meeting["invitees"]} == {str(area.lead.id), str(area.colleague.id)}
    listed = await gql.data(
        "FamilyMeetings", {"familyId": str(area.family.id)}, token=await sign_in(gql, area.colleague)
    )
    assert [m["id"] for m in listed["familyMeetings"]] == [meeting["id"]]
    schedule = (await gql.data("ReviewSchedule", {"familyId": str(area.family.id)}, token=lead))["reviewSchedule"]
    assert schedule["nextReviewAt"] is not None and schedule["missing"] is False and schedule["late"] is False


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"scheduledAt": in_days(-0.01)}, "scheduledAt"),
        ({"location": "", "callLink": ""}, "location"),
        ({"inviteeUserIds": [str(uuid.uuid4())]}, "inviteeUserIds"),
        ({"inviteeMemberIds": [str(uuid.uuid4())]}, "inviteeMemberIds"),
    ],
)
async def test_a_meeting_in_the_past_or_nowhere_is_bad_user_input(gql, sessions, overrides, field):
    area = await create_area(sessions)
    error = await gql.error("MeetingSchedule", schedule_input(area, **overrides), token=await sign_in(gql, area.lead))
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", field)


async def test_only_the_lead_schedules(gql, sessions):
    area = await create_area(sessions)
    assert code(await gql.error("MeetingSchedule", schedule_input(area), token=await sign_in(gql, area.colleague))) == (
        "FORBIDDEN"
    )
    assert code(await gql.error("MeetingSchedule", schedule_input(area), token=await sign_in(gql, area.outsider))) == (
        "NOT_FOUND"
    )


async def test_moving_and_cancelling_need_a_reason_and_are_kept(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    meeting = (await gql.data("MeetingSchedule", schedule_input(area), token=lead))["meetingSchedule"]
    moved = (
        await gql.data(
            "MeetingReschedule",
            {
                "input": {
                    "meetingId": meeting["id"],
                    "expectedVersion": 1,
                    "scheduledAt": in_days(9),
                    "reason": "DSL ill",
                }
            },
            token=lead,
        )
    )["meetingReschedule"]
    assert moved["version"] == 2 and [(c["kind"], c["reason"]) for c in moved["changes"]] == [
        ("rescheduled", "DSL ill")
    ]
    stale = {"input": {"meetingId": meeting["id"], "expectedVersion": 1, "reason": "Family moved away"}}
    assert code(await gql.error("MeetingCancel", stale, token=lead)) == "CONFLICT"
    no_reason = {"input": {"meetingId": meeting["id"], "expectedVersion": 2, "reason": " "}}
    assert (await gql.error("MeetingCancel", no_reason, token=lead))["extensions"]["field"] == "reason"
    cancelled = (await gql.data("MeetingCancel", {"input": {**stale["input"], "expectedVersion": 2}}, token=lead))[
        "meetingCancel"
    ]
    assert (cancelled["status"], cancelled["cancelReason"]) == ("cancelled", "Family moved away")
    schedule = (await gql.data("ReviewSchedule", {"familyId": str(area.family.id)}, token=lead))["reviewSchedule"]
    assert schedule["missing"] is True and schedule["nextReviewAt"] is None


async def test_attendance_minutes_decisions_actions_and_addenda(gql, sessions):
    # given a meeting whose time has come
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    meeting = (await gql.data("MeetingSchedule", schedule_input(area), token=lead))["meetingSchedule"]
    early = {"input": {"meetingId": meeting["id"], "expectedVersion": 1, "heading": "Welcome", "text": "Too soon"}}
    assert code(await gql.error("MinutesItemAdd", early, token=lead)) == "CONFLICT"  # not started yet
    await as_if_held(sessions, meeting["id"])
    invitees = {i["professional"]["id"]: i["id"] for i in meeting["invitees"]}
    # when the lead records attendance, a decision, an action and the minutes, and publishes them
    attendance = [
        {"inviteeId": invitees[str(area.lead.id)], "attendance": "present"},
        {"inviteeId": invitees[str(area.colleague.id)], "attendance": "apologies"},
    ]
    held = (
        await gql.data(
            "MeetingAttendanceRecord",
            {"input": {"meetingId": meeting["id"], "expectedVersion": 1, "attendance": attendance}},
            token=lead,
        )
    )["meetingAttendanceRecord"]
    await gql.data("MeetingDecisionAdd", {"input": {"meetingId": meeting["id"], "text": "Refer to CAMHS"}}, token=lead)
    action = (
        await gql.data(
            "MeetingActionAdd",
            {
                "input": {
                    "meetingId": meeting["id"],
                    "description": "Send attendance figures weekly",
                    "ownerUserId": str(area.colleague.id),
                    "dueDate": (date.today() + timedelta(days=7)).isoformat(),
                }
            },
            token=lead,
        )
    )["meetingActionAdd"]
    item = {"meetingId": meeting["id"], "expectedVersion": 2, "heading": "Attendance", "text": "Met."}
    saved = (await gql.data("MinutesItemAdd", {"input": item}, token=lead))["minutesItemAdd"]
    published = (
        await gql.data("MinutesPublish", {"input": {"meetingId": meeting["id"], "expectedVersion": 3}}, token=lead)
    )["minutesPublish"]
    # then the meeting is held, the action is on the plan for the school, and the minutes are fixed
    assert held["status"] == "held" and published["minutesPublishedAt"]
    assert [(i["heading"], i["text"], i["category"]) for i in saved["minutes"]] == [("Attendance", "Met.", "other")]
    assert {i["attendance"] for i in published["invitees"]} == {"present", "apologies"}
    assert [d["text"] for d in published["decisions"]] == ["Refer to CAMHS"]
    assert [a["id"] for a in published["actions"]] == [action["id"]]
    plan = (await gql.data("FamilyPlan", {"familyId": str(area.family.id)}, token=lead))["familyPlan"]
    assert [(a["id"], a["meetingId"], a["owner"]["id"]) for a in plan["actions"]] == [
        (action["id"], meeting["id"], str(area.colleague.id))
    ]
    rewrite = {"input": {"itemId": saved["minutes"][0]["id"], "expectedVersion": 4, "text": "Rewritten"}}
    assert code(await gql.error("MinutesItemEdit", rewrite, token=lead)) == "CONFLICT"
    more = {"input": {"meetingId": meeting["id"], "text": "Late decision"}}
    assert code(await gql.error("MeetingDecisionAdd", more, token=lead)) == "CONFLICT"
    # and a correction is an addendum
    corrected = (
        await gql.data(
            "MinutesAddendumAdd", {"input": {"meetingId": meeting["id"], "text": "Dan sent apologies"}}, token=lead
        )
    )["minutesAddendumAdd"]
    assert [i["text"] for i in corrected["minutes"]] == ["Met."]
    assert [a["text"] for a in corrected["addenda"]] == ["Dan sent apologies"]
    schedule = (await gql.data("ReviewSchedule", {"familyId": str(area.family.id)}, token=lead))["reviewSchedule"]
    assert schedule["lastMeetingAt"] is not None and schedule["missing"] is True
    held_on = date.fromisoformat(schedule["lastMeetingAt"][:10])  # the meeting's day (UTC), not today's
    assert schedule["dueBy"] == (held_on + timedelta(weeks=12)).isoformat()


async def test_published_minutes_cannot_be_changed_even_in_the_database(sessions, gql):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    meeting = (await gql.data("MeetingSchedule", schedule_input(area), token=lead))["meetingSchedule"]
    await as_if_held(sessions, meeting["id"])
    item = {"meetingId": meeting["id"], "expectedVersion": 1, "heading": "Welcome", "text": "A"}
    await gql.data("MinutesItemAdd", {"input": item}, token=lead)
    await gql.data("MinutesPublish", {"input": {"meetingId": meeting["id"], "expectedVersion": 2}}, token=lead)
    meeting_id = uuid.UUID(meeting["id"])
    with pytest.raises(sa.exc.DBAPIError, match="published minutes"):
        async with unit_of_work(sessions) as session:
            await session.exec(sa.update(Meeting).where(Meeting.id == meeting_id).values(minutes_published_at=None))
    with pytest.raises(sa.exc.DBAPIError, match="published minutes"):
        async with unit_of_work(sessions) as session:
            await session.exec(sa.update(MinutesItem).where(MinutesItem.meeting_id == meeting_id).values(text="B"))


async def test_a_case_with_no_meeting_for_too_long_is_late(gql, sessions):
    area = await create_area(sessions)
    async with unit_of_work(sessions) as session:
        await session.exec(
            sa.text("UPDATE family SET opened_at = now() - interval '13 weeks' WHERE id = :id").bindparams(
                id=area.family.id
            )
        )
    schedule = (
        await gql.data("ReviewSchedule", {"familyId": str(area.family.id)}, token=await sign_in(gql, area.lead))
    )["reviewSchedule"]
    assert schedule["missing"] is True and schedule["late"] is True
