"""The proof that erasure erases: canary text in every kind of content of a family (and in the notifications
about it) is found, before erasure, by the team, the family and the IG officer through the API, over the
notification socket and in a pg_dump of the database; after erasure no query (as every role), no export,
no notification (inbox, replay) and no dump holds any of it, while another family's content is all still
there and the audit log's chain still verifies."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date, timedelta

import pytest

from notifications.models import Notification
from server.audit.chain import verify
from server.db.columns import utcnow
from tests import ws_client
from tests.builders import PASSWORD, Area, create_area, issue_token
from tests.builders_govern import closed_days_ago
from tests.graphql_client import GraphQLClient, code
from tests.retention.canaries import Written, close, write_family
from tests.retention.dump import dump_database

pytestmark = pytest.mark.long

GONE_BIRTH, KEPT_BIRTH = date(1961, 7, 13), date(1962, 8, 14)  # distinctive dates of birth
REASON = "Retention period over: the youngest child is well past 25 and nothing is pending."

Asked = dict[str, tuple[str, dict]]  # what was asked -> (operation, variables)


def family_questions(written: Written) -> Asked:
    family_id, ids = str(written.family.id), written.ids
    by_family = {"familyId": family_id}
    return {
        "Family": ("Family", {"id": family_id}),
        **{
            operation: (operation, by_family)
            for operation in (
                "FamilyContributions",
                "FamilyChronology",
                "FamilyEscalations",
                "FamilyAssessments",
                "FamilyReviews",
                "FamilyMeetings",
                "FamilyPlan",
                "PlanHistory",
                "FamilyConsents",
                "FamilySafeguarding",
                "FamilyTransitions",
                "FamilyRetention",
                "FamilyOutcomes",
                "ReviewSchedule",
                "ConsentPicture",
                "PortalInvitations",
                "FamilyAccessLog",
            )
        },
        "AuditEvents (family)": ("AuditEvents", {"familyId": family_id, "first": 100}),
        "Contribution": ("Contribution", {"id": str(ids["contribution"])}),
        "Escalation": ("Escalation", {"id": str(ids["escalation"])}),
        "Assessment": ("Assessment", {"id": str(ids["assessment"])}),
        "Review": ("Review", {"id": str(ids["review"])}),
        "Meeting": ("Meeting", {"id": str(ids["meeting"])}),
        "MinutesItem": ("MinutesItem", {"id": str(ids["minutes_item"])}),
        "MeetingDecision": ("MeetingDecision", {"id": str(ids["meeting_decision"])}),
        "PortalSummary (family)": ("PortalSummary", by_family),
    }


EVERYWHERE: Asked = {
    "Caseload": ("Caseload", {"first": 100}),
    "Caseload (closed)": ("Caseload", {"first": 100, "status": "closed"}),
    "CaseloadOutcomes (export)": ("CaseloadOutcomes", {"exitedFrom": "1900-01-01", "exitedTo": "2100-01-01"}),
    "AuditEvents (export)": ("AuditEvents", {"first": 100}),
    "OverrideReviewQueue": ("OverrideReviewQueue", {"first": 100}),
    "RetentionReviewQueue": ("RetentionReviewQueue", {"first": 100}),
    "ErasedFamilies": ("ErasedFamilies", {"first": 100}),
    "StaffDirectory": ("StaffDirectory", {"first": 100}),
    "PortalSummary": ("PortalSummary", {}),
    "Me": ("Me", {}),
}


async def inbox(gql: GraphQLClient, token: str) -> list[dict]:
    pages, after = [], None
    while True:
        page = await gql.op("Inbox", {"first": 100, "after": after}, token)
        pages.append(page)
        if "errors" in page or not page["data"]["inbox"]["pageInfo"]["hasNextPage"]:
            return pages
        after = page["data"]["inbox"]["pageInfo"]["endCursor"]


async def replay(base_url: str, token: str) -> list[dict]:
    """Everything the notification socket replays from the start, until it falls quiet."""
    received = []
    async with ws_client.following(base_url, token, after="0") as ws:
        while True:
            try:
                received.append(await ws_client.receive(ws, wait=1.5))
            except TimeoutError:
                return received


async def sweep(gql: GraphQLClient, base_url: str, written: Written, tokens: dict[str, str]) -> dict[str, str]:
    """Every answer each actor gets, by '<actor>: <question>', as text. The staff's replays run side by side:
    each ends only after 1.5 s of quiet, which one after another was most of the proof's time."""
    answers: dict[str, str] = {}
    questions = {**family_questions(written), **EVERYWHERE}
    for actor, token in tokens.items():
        for asked, (operation, variables) in questions.items():
            answers[f"{actor}: {asked}"] = json.dumps(await gql.op(operation, variables, token))
        answers[f"{actor}: Inbox"] = json.dumps(await inbox(gql, token))
    staff = [actor for actor in tokens if actor != "family"]
    replays = await asyncio.gather(*(replay(base_url, tokens[actor]) for actor in staff))
    for actor, received in zip(staff, replays, strict=True):
        answers[f"{actor}: replay"] = json.dumps(received)
    return answers


def holding(answers: dict[str, str], mark: str) -> set[str]:
    return {asked for asked, answer in answers.items() if mark in answer.lower()}


def staff_tokens(area: Area, issued: dict) -> dict[str, str]:
    return {name: issued[name] for name in ("lead", "colleague", "outsider", "manager", "other_manager", "ig", "admin")}


@pytest.fixture
async def world(sessions):
    area = await create_area(sessions)
    run = uuid.uuid4().hex[:12]
    gone = await write_family(sessions, area, mark=f"erasecanary{run}", birth=GONE_BIRTH)
    kept = await write_family(sessions, area, mark=f"keepcanary{run}", birth=KEPT_BIRTH)
    # closed ten days ago: the team still reads its content (the read period), so the sweep finds it
    await close(sessions, area, gone.family, gone.mark, closed_at=utcnow() - timedelta(days=10))
    issued = {
        name: await issue_token(sessions, getattr(area, name))
        for name in ("lead", "colleague", "outsider", "manager", "other_manager", "ig", "admin")
    }
    return area, gone, kept, issued


async def test_after_erasure_nothing_holds_the_familys_content(gql, sessions, database_url, live_server, world):
    area, gone, kept, issued = world
    tokens = {**staff_tokens(area, issued), "family": gone.portal_token}

    # given the canaries are there to be found
    before = holding(await sweep(gql, live_server, gone, tokens), gone.mark)
    assert {
        "lead: Family",
        "lead: FamilyContributions",
        "lead: FamilyEscalations",
        "lead: FamilyAssessments",
        "lead: FamilyReviews",
        "lead: FamilyMeetings",
        "lead: Meeting",
        "lead: MinutesItem",
        "lead: FamilyPlan",
        "lead: PlanHistory",
        "lead: FamilyConsents",
        "lead: FamilySafeguarding",
        "lead: FamilyTransitions",
        "lead: Caseload",
        "lead: Inbox",
        "lead: replay",
        "colleague: FamilyContributions",
        "colleague: Inbox",
        "ig: OverrideReviewQueue",
        "ig: AuditEvents (export)",
        "family: PortalSummary",
        "family: Me",
    } <= before, sorted(before)
    dumped = (await dump_database(sessions, database_url)).lower()
    assert gone.mark in dumped and GONE_BIRTH.isoformat() in dumped

    # when its date has passed and an IG officer erases it
    await closed_days_ago(sessions, gone.family, (date.today() - date(2012, 6, 1)).days)
    erase = {"familyId": str(gone.family.id), "confirmReference": gone.family.reference, "reason": REASON}
    tombstone = (await gql.data("FamilyErase", {"input": erase}, issued["ig"]))["familyErase"]

    # then no answer to anyone holds any of it: the family's own sign-in is gone too
    after = await sweep(gql, live_server, gone, tokens)
    assert holding(after, gone.mark) == set()
    assert code(await gql.error("Family", {"id": str(gone.family.id)}, issued["lead"])) == "NOT_FOUND"
    assert code(await gql.error("Me", {}, gone.portal_token)) == "UNAUTHENTICATED"
    # and no dump of the database holds it, nor the child's date of birth
    dumped = (await dump_database(sessions, database_url)).lower()
    assert gone.mark not in dumped
    assert GONE_BIRTH.isoformat() not in dumped
    # while the tombstone says what was erased, when, by whom and why
    assert tombstone["reference"] == gone.family.reference and tombstone["reason"] == REASON
    assert gone.family.reference.lower() in dumped
    # the other family's content is all still there, in the dump and to its team
    assert kept.mark in dumped and KEPT_BIRTH.isoformat() in dumped
    kept_tokens = {**staff_tokens(area, issued), "family": kept.portal_token}
    still = holding(await sweep(gql, live_server, kept, kept_tokens), kept.mark)
    assert {"lead: FamilyContributions", "lead: FamilyMeetings", "lead: replay", "family: PortalSummary"} <= still
    # a daily digest that carried both families' notifications now carries the other family's only
    async with sessions() as session:
        digest = await session.get(Notification, kept.ids["digest"])
        report = await verify(session)
    assert digest is not None
    assert {item["family_id"] for item in digest.payload["items"]} == {str(kept.family.id)}
    assert digest.payload["total"] == len(digest.payload["items"]) == 2
    # and the audit log, which holds no content, is intact
    assert report.intact, report.broken_at
    # (last, because signing in notes the address typed, as every attempt is noted for the sign-in limits)
    signing_in = await gql.op("Login", {"email": gone.portal_user.email, "password": PASSWORD})
    assert code(signing_in["errors"][0]) == "UNAUTHENTICATED"
