"""The lead's reminders: "review due" two days before a review meeting on the calendar (following the meeting as
it is moved or cancelled), and "assessment overdue" the morning after an open family's assessment falls due (45
days from opening, then 182 days from the last). Each fires exactly once with two instances running, reaches the
lead (and the deputy lead while covering), and is delivered as each chose on the preferences page."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from notifications import timers
from server.assessment import reminders as assessment_reminders
from server.assessment.reminders import AGAIN_WITHIN, FIRST_WITHIN
from server.db.engine import create_session_factory
from tests.auth_helpers import sign_in
from tests.builders import create_area
from tests.graphql_client import GraphQLClient

MORNING = time(8, 0, tzinfo=UTC)


def meeting_input(family_id, at: datetime, kind: str = "review") -> dict:
    return {"input": {"familyId": str(family_id), "kind": kind, "scheduledAt": at.isoformat(), "location": "Hub"}}


async def pending(sessions, kind: str, subject: uuid.UUID) -> list[datetime]:
    async with sessions() as session:
        rows = await session.exec(
            sa.text("SELECT due_at FROM timer WHERE kind = :k AND subject_id = :s AND fired_at IS NULL"),
            params={"k": kind, "s": subject},
        )
        return [row[0] for row in rows.all()]


async def count(sessions, sql: str, **params) -> int:
    async with sessions() as session:
        return (await session.exec(sa.text(sql), params=params)).one()[0]


async def test_a_review_reminder_follows_its_meeting(gql: GraphQLClient, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    at = datetime.combine(date.today() + timedelta(days=10), time(10, 0), tzinfo=UTC)
    meeting = (await gql.data("MeetingSchedule", meeting_input(area.family.id, at), lead))["meetingSchedule"]
    subject = uuid.UUID(meeting["id"])
    assert await pending(sessions, "review_due", subject) == [datetime.combine(at.date() - timedelta(days=2), MORNING)]
    # moved: the reminder moves with it
    moved = at + timedelta(days=7)
    change = {"meetingId": meeting["id"], "expectedVersion": 1, "scheduledAt": moved.isoformat(), "reason": "Room"}
    await gql.data("MeetingReschedule", {"input": change}, lead)
    assert await pending(sessions, "review_due", subject) == [
        datetime.combine(moved.date() - timedelta(days=2), MORNING)
    ]
    # cancelled: no reminder
    await gql.data(
        "MeetingCancel", {"input": {"meetingId": meeting["id"], "expectedVersion": 2, "reason": "Ill"}}, lead
    )
    assert await pending(sessions, "review_due", subject) == []
    # a meeting that is not a review (an "other" meeting) has none
    other = (await gql.data("MeetingSchedule", meeting_input(area.family.id, at, "other"), lead))["meetingSchedule"]
    assert await pending(sessions, "review_due", uuid.UUID(other["id"])) == []


async def test_the_assessment_reminder_counts_from_opening_then_from_the_last_assessment(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    opening = {
        "displayName": "The Rivers family",
        "levelOfNeed": "targeted",
        "members": [{"fullName": "Leo Rivers", "relationship": "son", "isSubjectChild": True}],
        "leadContact": {"agencyRole": "Family worker", "contactInHours": "01632 960000", "contactOutOfHours": ""},
    }
    family = (await gql.data("FamilyOpen", {"input": opening}, lead))["familyOpen"]
    family_id = uuid.UUID(family["id"])
    first_due = date.today() + FIRST_WITHIN
    assert await pending(sessions, "assessment_overdue", family_id) == [
        datetime.combine(first_due + timedelta(days=1), MORNING)
    ]
    assessment = {"familyId": family["id"], "stage": "entry", "assessedOn": date.today().isoformat()}
    assessment |= {"levelOfNeed": "targeted", "ratings": [{"factor": "family_debt", "rating": "low"}]}
    await gql.data("AssessmentRecord", {"input": assessment}, lead)
    again_due = date.today() + AGAIN_WITHIN
    assert await pending(sessions, "assessment_overdue", family_id) == [
        datetime.combine(again_due + timedelta(days=1), MORNING)
    ]


async def test_reminders_fire_once_across_two_instances_to_the_lead_and_the_covering_deputy(
    gql: GraphQLClient, database_url, sessions, live_server, second_server
):
    # given a review in five days, the colleague named deputy and the lead away today, and the deputy choosing
    # to get "review due" in the daily digest
    area = await create_area(sessions)
    lead, deputy = await sign_in(gql, area.lead), await sign_in(gql, area.colleague)
    named = {"familyId": str(area.family.id), "userId": str(area.colleague.id), "expectedDeputyUserId": None}
    await gql.data("DeputyLeadSet", {"input": named}, lead)
    today = date.today().isoformat()
    await gql.data("TimeAwayRecord", {"input": {"startsOn": today, "endsOn": today}}, lead)
    digest = {"kind": "review_due", "delivery": "daily_digest"}
    await gql.data("NotificationPreferenceSet", {"input": digest}, deputy)
    at = datetime.combine(date.today() + timedelta(days=5), time(10, 0), tzinfo=UTC)
    meeting = (await gql.data("MeetingSchedule", meeting_input(area.family.id, at), lead))["meetingSchedule"]
    # and a family whose first assessment falls due (its timer set as opening would set it)
    async with sessions() as session, session.begin():
        await assessment_reminders.follow(session, area.family.id)
    later = datetime.combine(date.today() + FIRST_WITHIN + timedelta(days=2), MORNING)
    # when two more instances run their timer loops with a clock past both
    engines = [create_async_engine(database_url) for _ in range(2)]
    loops = [
        asyncio.create_task(timers.run(create_session_factory(e), clock=lambda: later, interval=0.01)) for e in engines
    ]
    events = "SELECT count(*) FROM notification_outbox WHERE kind = :k AND payload->>'family_id' = :f"
    family = str(area.family.id)
    try:
        for _ in range(200):
            if await count(sessions, events, k="review_due", f=family) and await count(
                sessions, events, k="assessment_overdue", f=family
            ):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # let a double firing, if any, show
    finally:
        for loop in loops:
            loop.cancel()
        await asyncio.gather(*loops, return_exceptions=True)
        for engine in engines:
            await engine.dispose()
    # then each fired exactly once
    for kind in ("review_due", "assessment_overdue"):
        assert await count(sessions, events, k=kind, f=family) == 1, kind
    assert await pending(sessions, "review_due", uuid.UUID(meeting["id"])) == []
    # and the lead and the covering deputy are each told once, the deputy's review reminder in their digest
    told = "SELECT count(*) FROM notification WHERE recipient_user_id = :u AND kind = :k AND family_id = :f"
    for user in (area.lead, area.colleague):
        for kind in ("review_due", "assessment_overdue"):
            for _ in range(100):
                if await count(sessions, told, u=user.id, k=kind, f=area.family.id) >= 1:
                    break
                await asyncio.sleep(0.05)
            assert await count(sessions, told, u=user.id, k=kind, f=area.family.id) == 1, (user, kind)
    delivery = "SELECT delivery FROM notification WHERE recipient_user_id = :u AND kind = 'review_due'"
    chosen = {}
    async with sessions() as session:
        for user in (area.lead, area.colleague):
            found = await session.exec(sa.text(delivery + " AND family_id = :f"), params={"u": user.id, "f": family})
            chosen[user.id] = found.one()[0]
    assert chosen == {area.lead.id: "live", area.colleague.id: "daily_digest"}
    # and nobody else on the team is told
    assert await count(sessions, told, u=area.outsider.id, k="review_due", f=area.family.id) == 0
