"""What `make bench`'s scenarios send, to the app (GraphQL, the documents of graphql/operations/) and to
the baseline (bench/baseline.py), and the writing requests whose statements are counted."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

from bench.api import graphql_body
from bench.data.casework import MEETING_COLUMNS
from bench.database import dsn
from bench.loadgen import Connection

SCENARIOS = ["family_page", "caseload", "contribution_add", "meeting", "outcomes", "contributions_page"]


async def add_meeting_pool(url: str, meta: dict[str, Any], count: int) -> None:
    """Meetings in the writer family that have started and have no minutes yet: the meeting scenario
    records minutes, a decision and publishes them (minutes need a meeting that has started)."""
    now = datetime.now(UTC)
    family, chair = uuid.UUID(meta["writer_family_id"]), uuid.UUID(meta["writer_user_id"])
    rows = [
        (
            uuid.uuid4(),
            family,
            "review",
            "scheduled",
            now - timedelta(minutes=5 + i),
            "Family hub",
            "",
            chair,
            "",
            None,
            None,
            1,
            now - timedelta(days=3),
            now - timedelta(days=3),
        )
        for i in range(count)
    ]
    connection = await asyncpg.connect(dsn(url))
    try:
        await connection.copy_records_to_table("taf_meeting", records=rows, columns=list(MEETING_COLUMNS))
    finally:
        await connection.close()
    meta["meeting_pool"] = [str(row[0]) for row in rows]


async def writer_team(url: str, meta: dict[str, Any]) -> list[uuid.UUID]:
    """Who is on the writer family's team now (for `tidy_writer_family` at the end of the run)."""
    connection = await asyncpg.connect(dsn(url))
    try:
        rows = await connection.fetch(
            "SELECT user_id FROM team_membership WHERE family_id = $1 AND valid_to IS NULL",
            uuid.UUID(meta["writer_family_id"]),
        )
    finally:
        await connection.close()
    return [row[0] for row in rows]


async def tidy_writer_family(url: str, meta: dict[str, Any], team: list[uuid.UUID]) -> dict[str, int]:
    """Leave the writer family as the run found it where later runs would notice: the newcomers who joined its team
    leave it (memberships are ended, never deleted), and the pool's meetings no scenario touched are removed. Else
    every run on a reused database tells a larger team of each publication (its meetings slow down run by run)
    and adds thousands of meetings. The items, minutes and decisions the run wrote stay: they cost later runs
    nothing they measure."""
    family = uuid.UUID(meta["writer_family_id"])
    connection = await asyncpg.connect(dsn(url))
    try:
        async with connection.transaction():
            left = await connection.fetch(
                "UPDATE team_membership SET valid_to = greatest(now(), valid_from)"
                " WHERE family_id = $1 AND valid_to IS NULL AND NOT (user_id = ANY($2::uuid[])) RETURNING id",
                family,
                team,
            )
            removed = await connection.fetch(
                "DELETE FROM taf_meeting m WHERE m.id = ANY($1::uuid[]) AND m.version = 1"
                " AND NOT EXISTS (SELECT 1 FROM taf_meeting_minutes_item i WHERE i.meeting_id = m.id) RETURNING id",
                [uuid.UUID(meeting) for meeting in meta.get("meeting_pool", [])],
            )
    finally:
        await connection.close()
    return {"left the team": len(left), "meetings removed": len(removed)}


class Scenarios:
    def __init__(self, meta: dict[str, Any], tokens: dict[str, str]) -> None:
        self.meta = meta
        self.actor = tokens["actor"]
        self.writer = tokens["writer"]
        self.family = meta["family_a_id"]
        self.pool = list(meta.get("meeting_pool", []))
        today = date.today()
        self.outcome_range = {"exitedFrom": (today - timedelta(days=730)).isoformat(), "exitedTo": today.isoformat()}

    def page(self, baseline: bool) -> list[tuple[str, dict[str, Any]]]:
        f = self.family
        return [
            ("Family", {"id": f}),
            ("FamilyContributions", {"familyId": f, "first": 100}),
            ("FamilyConsents", {"familyId": f}),
            ("FamilySafeguarding", {"familyId": f}),
            ("FamilyChronology", {"familyId": f, "first": 100}),
        ]

    def iteration(self, scenario: str, baseline: bool):
        async def send(connection: Connection, name: str, variables: dict[str, Any], token: str) -> bytes:
            if baseline:
                status, data = await connection.post(f"/b/{name}", json.dumps(variables).encode(), token)
            else:
                status, data = await connection.post("/graphql", graphql_body(name, variables), token)
            if status != 200 or data.startswith(b'{"errors"') or b'"errors":' in data[:200]:
                raise RuntimeError(f"{name}: {status} {data[:300]!r}")
            return data

        if scenario == "family_page":
            steps = self.page(baseline)

            async def run(connection: Connection, n: int) -> None:
                for name, variables in steps:
                    await send(connection, name, variables, self.actor)

        elif scenario == "caseload":

            async def run(connection: Connection, n: int) -> None:
                await send(connection, "Caseload", {"first": 20}, self.actor)

        elif scenario == "contribution_add":
            family = self.meta["writer_family_id"]

            async def run(connection: Connection, n: int) -> None:
                item = {
                    "familyId": family,
                    "kind": "update",
                    "category": "education",
                    "title": "Attendance checked",
                    "body": "Spoke to the school; attendance is up this half term.",
                    "idempotencyKey": f"bench-{uuid.uuid4()}",
                }
                if baseline:
                    item.pop("idempotencyKey")
                await send(connection, "ContributionAdd", {"input": item}, self.writer)

        elif scenario == "meeting":

            async def run(connection: Connection, n: int) -> None:
                meeting = self.pool.pop()
                v = 1
                item = {"meetingId": meeting, "expectedVersion": v, "heading": "Review of the plan"}
                await send(
                    connection,
                    "MinutesItemAdd",
                    {"input": {**item, "text": "All attended; plan reviewed."}},
                    self.writer,
                )
                await send(
                    connection,
                    "MeetingDecisionAdd",
                    {"input": {"meetingId": meeting, "text": "Keep the plan"}},
                    self.writer,
                )
                await send(
                    connection,
                    "MinutesPublish",
                    {"input": {"meetingId": meeting, "expectedVersion": v + 1}},
                    self.writer,
                )

        elif scenario == "outcomes":

            async def run(connection: Connection, n: int) -> None:
                await send(connection, "CaseloadOutcomes", self.outcome_range, self.actor)

        else:
            raise ValueError(scenario)
        return run


async def write_cases(url: str, meta: dict[str, Any], rounds: int) -> list[tuple[str, str, Any]]:
    """ContributionAdd and TeamMemberAdd (the notification burst's mutation) by the writer, the lead of
    their family, and the meeting's three mutations on meetings from the front of the pool (the meeting
    scenario takes them from the back); each makes fresh input for `rounds` rounds."""
    family = meta["writer_family_id"]
    # Newcomers who may join a team (practitioners, managers, not on it now): a run's newcomers leave the team
    # when it ends (`tidy_writer_family`), so they may join again in the next run on the same database.
    connection = await asyncpg.connect(dsn(url))
    try:
        newcomers = iter(
            await connection.fetch(
                "SELECT id::text FROM app_user WHERE kind = 'staff' AND is_active"
                " AND role IN ('practitioner', 'manager') AND id NOT IN"
                " (SELECT user_id FROM team_membership WHERE family_id = $1 AND valid_to IS NULL)"
                " ORDER BY id LIMIT $2",
                uuid.UUID(family),
                rounds,
            )
        )
    finally:
        await connection.close()
    meetings = iter(meta["meeting_pool"][:rounds])
    current: dict[str, str] = {}

    def contribution() -> dict[str, Any]:
        item = {"familyId": family, "kind": "update", "category": "education", "title": "Attendance checked"}
        return {"input": {**item, "body": "Up this half term.", "idempotencyKey": f"count-{uuid.uuid4()}"}}

    def member() -> dict[str, Any]:
        return {"input": {"familyId": family, "userId": next(newcomers)[0], "contact": {"agencyRole": "b"}}}

    def minutes() -> dict[str, Any]:
        current["meeting"] = next(meetings)
        item = {"meetingId": current["meeting"], "expectedVersion": 1, "heading": "Review", "text": "Plan reviewed."}
        return {"input": item}

    def decision() -> dict[str, Any]:
        return {"input": {"meetingId": current["meeting"], "text": "Keep the plan"}}

    def publish() -> dict[str, Any]:
        return {"input": {"meetingId": current["meeting"], "expectedVersion": 2}}

    return [
        ("ContributionAdd", "ContributionAdd", contribution),
        ("TeamMemberAdd (the notification burst's mutation)", "TeamMemberAdd", member),
        ("MinutesItemAdd", "MinutesItemAdd", minutes),
        ("MeetingDecisionAdd", "MeetingDecisionAdd", decision),
        ("MinutesPublish", "MinutesPublish", publish),
    ]
