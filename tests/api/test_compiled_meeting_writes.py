"""The differential test of the meeting's compiled writes (server/meeting/compiled_writes_api.py): MinutesItemAdd,
MeetingDecisionAdd and MinutesPublish answered by the compiled path must equal the generic executor's answers, as
canonical JSON byte for byte, errors included, with the same audit rows (tests/api/test_compiled_writes.py's
`differential`).

A change moves its meeting on (its version, its items, its publication), so each way changes its own twin: two
meetings of one family made alike (the same invitees, changes, items, decisions and actions, of the same agencies
and people, in the same order). The compiled answer's twin ids, and the ids and times of what each way added, are
put in the generic answer's place after checking them against the rows written; anything else must be equal.
Every actor and sharing state of the decision table is asked (only the chair changes anything), as are stale
versions, published minutes, meetings that do not exist, idempotent replays and bad input."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from graphql import parse

from server.access.categories import InformationCategory
from server.api import compiled_writes
from server.api.persisted import TrustedDocument
from server.api.schema import create_schema
from server.clock import utcnow
from server.db.engine import unit_of_work
from server.family.models import FamilyMember
from server.family_network.models import NetworkMember
from server.meeting import compiled_writes_api as meeting_writes
from server.meeting import minutes as minutes_service
from server.meeting.models import (
    Attendance,
    Meeting,
    MeetingChange,
    MeetingChangeKind,
    MeetingDecision,
    MeetingInvitee,
    MeetingKind,
    MeetingStatus,
    MinutesItem,
)
from server.plan.models import ActionStatus, PlanAction
from server.team.models import TeamMembership, TeamRole
from tests.access.decision_paths import build_world
from tests.api.test_compiled_reads import ACTORS, SHARINGS, TABLE, _ask, canonical
from tests.api.test_compiled_writes import _bodies, differential
from tests.builders import create_family_user, issue_token
from tests.builders_meet import create_meeting_area

pytestmark = pytest.mark.long

WRITES = ("MinutesItemAdd", "MeetingDecisionAdd", "MinutesPublish")


@pytest.fixture
def meeting_ran(monkeypatch) -> list[str]:
    """How the compiled write answered, request by request: "data" or "error" (nothing when it declined)."""
    ran: list[str] = []
    answer, error_answer = meeting_writes.meeting_fields, compiled_writes.error_answer

    async def answered(*args: Any) -> Any:
        ran.append("data")
        return await answer(*args)

    def refused(*args: Any) -> Any:
        ran.append("error")
        return error_answer(*args)

    monkeypatch.setattr(meeting_writes, "meeting_fields", answered)
    monkeypatch.setattr(compiled_writes, "error_answer", refused)
    return ran


def test_each_compiled_write_matches_the_operation_it_was_written_for(settings):
    """When MeetingFields changes, all three are left out (the generic executor answers them), and this fails until
    the answer and the shapes are updated."""
    schema = create_schema(settings)
    trusted = schema.trusted.by_hash  # type: ignore[attr-defined]
    assert {operation for _, operation in compiled_writes.compiled_writes(trusted, schema._schema)} >= set(WRITES)
    meeting = next(t for t in trusted.values() if t.source == "meeting.graphql")
    opening = "fragment MeetingFields on Meeting {\n"
    edited = meeting.text.replace(opening, opening + "  __typename\n")
    changed = TrustedDocument(meeting.sha256, meeting.text, parse(edited), meeting.source)
    left = compiled_writes.compiled_writes({**trusted, meeting.sha256: changed}, schema._schema)
    assert not {operation for _, operation in left} & set(WRITES)


# -- twin meetings ------------------------------------------------------------------------------------------------


@dataclass
class Twins:
    """Two meetings made alike: `generic` for the generic executor, `compiled` for the compiled write."""

    family_id: uuid.UUID
    generic: uuid.UUID
    compiled: uuid.UUID
    same: dict[str, str] = field(default_factory=dict)  # an id of the compiled twin's -> the generic twin's
    members: list[str] = field(default_factory=list)  # the family's members

    def variables(self, twin: uuid.UUID, **fields: Any) -> dict:
        return {"input": {"meetingId": str(twin), **fields}}

    async def ask(self, http, app, sessions, ran, name: str, token: str | None, **fields: Any) -> tuple[dict, str]:
        """The write asked both ways, each on its own twin."""
        return await differential(
            http,
            app,
            sessions,
            ran,
            self.variables(self.generic, **fields),
            token,
            name=name,
            compiled_variables=self.variables(self.compiled, **fields),
            same_as=self.same_as,
        )

    async def same_as(self, sessions, variables, g_answer, c_answer, c_body: bytes, c_audit: str):
        """The compiled twin's ids as the generic twin's: the rows made alike, and the items and decisions each way
        added to its own twin (found written there, paired in the order they were added); the publication's time
        as the generic way's, once each is found on its own twin. Any other difference is left for the comparison."""
        await self._pair_added(sessions)
        replaced: dict[str, str] = {}
        for path, generic, compiled in _differences(g_answer, c_answer, ()):
            if not isinstance(generic, str) or not isinstance(compiled, str):
                return c_body, c_audit  # not a twin's difference: the comparison judges it
            published = path[-1] == "minutesPublishedAt"
            if self.same.get(compiled) == generic or (published and await self._published(sessions, generic, compiled)):
                replaced[compiled] = generic
            else:
                return c_body, c_audit
        for compiled, generic in replaced.items():
            c_body = c_body.replace(compiled.encode(), generic.encode())
        for compiled, generic in self.same.items():  # the audit names the meeting and what was added to it
            c_audit = c_audit.replace(compiled, generic)
        return c_body, c_audit

    async def _published(self, sessions, generic: str, compiled: str) -> bool:
        async with sessions() as session:
            statement = sa.select(Meeting.id, Meeting.minutes_published_at).where(
                Meeting.id.in_([self.generic, self.compiled])
            )
            times = dict((await session.exec(statement)).all())
        return (times[self.generic].isoformat(), times[self.compiled].isoformat()) == (generic, compiled)

    async def _pair_added(self, sessions) -> None:
        """Items and decisions on each twin that are not yet paired: paired in the order they were added, when each
        twin has as many."""
        known = set(self.same.values())
        for model in (MinutesItem, MeetingDecision):
            async with sessions() as session:
                statement = (
                    sa.select(model.meeting_id, model.id)
                    .where(model.meeting_id.in_([self.generic, self.compiled]))
                    .order_by(model.created_at)
                )
                rows = (await session.exec(statement)).all()
            generic = [str(row_id) for meeting, row_id in rows if meeting == self.generic and str(row_id) not in known]
            compiled = [
                str(row_id) for meeting, row_id in rows if meeting == self.compiled and str(row_id) not in self.same
            ]
            if len(generic) == len(compiled):
                self.same.update(zip(compiled, generic, strict=True))


def _differences(generic: Any, compiled: Any, path: tuple) -> list[tuple[tuple, Any, Any]]:
    """The leaves where two answers differ; a difference of shape is one leaf (never a twin's)."""
    if isinstance(generic, dict) and isinstance(compiled, dict) and list(generic) == list(compiled):
        return [d for key in generic for d in _differences(generic[key], compiled[key], (*path, key))]
    if isinstance(generic, list) and isinstance(compiled, list) and len(generic) == len(compiled):
        return [
            d for i, pair in enumerate(zip(generic, compiled, strict=True)) for d in _differences(*pair, (*path, i))
        ]
    return [] if generic == compiled else [(path, generic, None if type(generic) is not type(compiled) else compiled)]


async def twin_meetings(sessions, family_id: uuid.UUID, category: str, *, parts: bool = True) -> Twins:
    """Two meetings of the family, started an hour ago, chaired by its lead, each inviting its whole team, a
    family member and a person of its network, moved once; with `parts`, each with an item and a decision of every
    agency on the team (in `category` or "other", agreed with the family or not) and an action of every member
    (one overdue). Both hold the same rows in the same order; their ids are paired in `same`."""
    now = utcnow()
    async with unit_of_work(sessions) as session:
        team = (
            await session.exec(
                sa.select(TeamMembership.user_id, TeamMembership.agency_id, TeamMembership.role)
                .where(TeamMembership.family_id == family_id, TeamMembership.valid_to.is_(None))
                .order_by(TeamMembership.user_id)
            )
        ).all()
        members = (
            await session.exec(
                sa.select(FamilyMember.id).where(FamilyMember.family_id == family_id).order_by(FamilyMember.id)
            )
        ).all()
        chair = next(user for user, _, role in team if role == TeamRole.lead_professional)
        network = NetworkMember(
            family_id=family_id,
            full_name="Nan",
            relationship="grandmother",
            named_by_member_id=members[0][0],
            recorded_by_user_id=chair,
        )
        session.add(network)
        await session.flush()
        ids = [sorted(uuid.uuid4() for _ in range(len(team) + 2)) for _ in range(2)]  # invitees: one order in both
        made = []
        for invitee_ids in ids:
            meeting = Meeting(
                family_id=family_id,
                kind=MeetingKind.family_group_conference,
                status=MeetingStatus.scheduled,
                scheduled_at=now - timedelta(hours=1),
                location="Hub",
                agenda="Review the plan",
                chair_user_id=chair,
            )
            session.add(meeting)
            await session.flush()
            rows: list = []
            people = [{"user_id": user} for user, _, _ in team]
            people += [{"family_member_id": members[0][0]}, {"network_member_id": network.id}]
            rows += [
                MeetingInvitee(id=invitee_id, meeting_id=meeting.id, attendance=Attendance.invited, **who)
                for invitee_id, who in zip(invitee_ids, people, strict=True)
            ]
            rows.append(
                MeetingChange(
                    meeting_id=meeting.id,
                    kind=MeetingChangeKind.rescheduled,
                    reason="The school hall was booked",
                    previous_at=now - timedelta(days=1),
                    new_at=now - timedelta(hours=1),
                    changed_by_user_id=chair,
                    created_at=now - timedelta(days=2),
                )
            )
            if parts:
                rows += _parts(meeting, team, members, category, now)
            session.add_all(rows)
            made.append((meeting, rows))
    (generic, generic_rows), (compiled, compiled_rows) = made
    twins = Twins(family_id, generic.id, compiled.id, members=[str(member[0]) for member in members])
    twins.same[str(compiled.id)] = str(generic.id)
    for generic_row, compiled_row in zip(generic_rows, compiled_rows, strict=True):
        twins.same[str(compiled_row.id)] = str(generic_row.id)
    return twins


def _parts(meeting: Meeting, team: list, members: list, category: str, now) -> list:
    rows: list = []
    agencies = list(dict.fromkeys(agency for _, agency, _ in team))
    author = {agency: user for user, agency, _ in reversed(team)}
    for i, agency in enumerate(agencies):
        shared = InformationCategory(category if i % 2 == 0 else "other")
        rows.append(
            MinutesItem(
                meeting_id=meeting.id,
                family_id=meeting.family_id,
                position=i + 1,
                heading=f"Update {i}",
                text=f"What agency {i} said",
                owning_agency_id=agency,
                category=shared,
                contains_third_party_identities=i % 3 == 0,
                about_member_ids=[members[0][0]] if i % 2 else [],
                author_user_id=meeting.chair_user_id,
                created_at=now - timedelta(minutes=50 - i),
            )
        )
        rows.append(
            MeetingDecision(
                meeting_id=meeting.id,
                text=f"Decision {i}",
                recorded_by_user_id=author[agency],
                owning_agency_id=agency,
                category=shared,
                agreed_with_family=i % 2 == 1,
                created_at=now - timedelta(minutes=40 - i),
            )
        )
    for i, (user, agency, _) in enumerate(team):
        rows.append(
            PlanAction(
                family_id=meeting.family_id,
                meeting_id=meeting.id,
                description=f"Action {i}",
                owning_agency_id=agency,
                owner_user_id=user,
                due_date=date.today() + timedelta(days=-3 if i == 0 else 14),
                status=ActionStatus.open if i % 2 == 0 else ActionStatus.in_progress,
                category=InformationCategory(category if i % 2 == 0 else "other"),
                created_by_user_id=meeting.chair_user_id,
                created_at=now - timedelta(minutes=30 - i),
            )
        )
    return rows


def _item(**changes: Any) -> dict:
    return {"heading": "Update", "text": "Attendance is up.", **changes}


# -- every actor and sharing state of the decision table --------------------------------------------------------


@pytest.fixture(scope="module")
async def world(sessions, live_server):
    built = await build_world(sessions, live_server, TABLE)
    yield built
    await built.client.http.aclose()


async def test_every_actor_and_sharing_state_of_the_decision_table(world, http, app, sessions, meeting_ran):
    """Each actor adds an item and a decision to a draft, then publishes: only the chair changes anything (each
    reads the parts of the meeting the sharing state lets them read); after the chair published, CONFLICT."""
    categories = sorted({row["category"] for row in TABLE if row["kind"] == "minutes_item"})
    outcomes: dict[str, set[str]] = {name: set() for name in WRITES}
    codes: set[str] = set()
    for number, sharing in enumerate(SHARINGS):
        category = categories[number % len(categories)]
        twins = await twin_meetings(sessions, uuid.UUID(world.families[(sharing, category)]), category)
        version = 1
        for name in WRITES:
            for actor in ACTORS:
                token = world.token_for(actor, sharing, category)
                if name == "MinutesItemAdd":
                    fields = _item(expectedVersion=version, category=category, aboutMemberIds=twins.members[:1])
                elif name == "MeetingDecisionAdd":
                    fields = {"text": f"Agreed by {actor}", "category": category, "idempotencyKey": f"d-{uuid.uuid4()}"}
                else:
                    fields = {"expectedVersion": version}
                answer, how = await twins.ask(http, app, sessions, meeting_ran, name, token, **fields)
                assert how == ("data" if answer.get("data") else "error"), (name, actor, sharing, answer)
                outcomes[name].add(how)
                codes |= {error["extensions"]["code"] for error in answer.get("errors", [])}
                if how == "data" and name != "MeetingDecisionAdd":
                    version += 1
        # published: every write is CONFLICT for the chair too
        lead = world.token_for("lead_professional", sharing, category)
        for name, fields in (
            ("MinutesItemAdd", _item(expectedVersion=version)),
            ("MeetingDecisionAdd", {"text": "Too late"}),
            ("MinutesPublish", {"expectedVersion": version}),
        ):
            answer, how = await twins.ask(http, app, sessions, meeting_ran, name, lead, **fields)
            assert how == "error" and answer["errors"][0]["extensions"]["code"] == "CONFLICT", answer
    assert all(seen == {"data", "error"} for seen in outcomes.values()), outcomes
    assert {"FORBIDDEN", "CONFLICT"} <= codes or {"NOT_FOUND", "CONFLICT"} <= codes, codes


# -- a small family: stale versions, replays, bad input ----------------------------------------------------------


@pytest.fixture
async def small(sessions):
    area = await create_meeting_area(sessions)
    tokens = {
        "chair": await issue_token(sessions, area.area.lead),
        "colleague": await issue_token(sessions, area.area.colleague),
        "outsider": await issue_token(sessions, area.area.outsider),
        "family": await issue_token(sessions, await create_family_user(sessions, family=area.area.family)),
    }
    return area, tokens


async def test_stale_versions_and_a_draft_without_items(http, app, sessions, small, meeting_ran):
    area, tokens = small
    empty = await twin_meetings(sessions, area.area.family.id, "health", parts=False)
    answer, how = await empty.ask(
        http, app, sessions, meeting_ran, "MinutesPublish", tokens["chair"], expectedVersion=1
    )
    assert how == "error" and answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    twins = await twin_meetings(sessions, area.area.family.id, "health")
    for name, fields in (
        ("MinutesItemAdd", _item(expectedVersion=2)),
        ("MinutesItemAdd", _item(expectedVersion=0)),
        ("MinutesPublish", {"expectedVersion": 2}),
    ):
        answer, how = await twins.ask(http, app, sessions, meeting_ran, name, tokens["chair"], **fields)
        assert how == "error" and answer["errors"][0]["extensions"]["code"] == "CONFLICT", answer
    for name, fields in (
        ("MinutesItemAdd", _item(expectedVersion=1, agencyId=str(area.health.id), category="health")),
        ("MeetingDecisionAdd", {"text": "Agreed", "agreedWithFamily": False, "containsThirdPartyIdentities": True}),
        ("MinutesPublish", {"expectedVersion": 2}),
    ):
        for who in ("colleague", "outsider", "family", "chair"):
            answer, how = await twins.ask(http, app, sessions, meeting_ran, name, tokens[who], **fields)
            assert how == ("data" if who == "chair" else "error"), (name, who, answer)


@pytest.mark.parametrize("compiled_first", [False, True])
async def test_replays_and_conflicts_of_an_idempotency_key(http, app, sessions, small, meeting_ran, compiled_first):
    area, tokens = small
    twins = await twin_meetings(sessions, area.area.family.id, "other")
    for name, fields in (("MinutesItemAdd", _item(expectedVersion=1)), ("MeetingDecisionAdd", {"text": "Agreed"})):
        key = f"replay-{uuid.uuid4()}"
        first = twins.variables(twins.generic, **fields, idempotencyKey=key)
        generic, compiled = _bodies(first, name)
        _, made, _, _ = await _ask(http, app, sessions, compiled if compiled_first else generic, tokens["chair"])
        assert b'"errors"' not in made, made
        # its replay asked both ways (the same variables: the meeting the first attempt added to)
        answer, how = await differential(
            http,
            app,
            sessions,
            meeting_ran,
            first,
            tokens["chair"],
            name=name,
            same_key=True,
            compiled_first=compiled_first,
        )
        assert how == "data" and canonical(answer) == made
        # other values under the key: CONFLICT
        other = twins.variables(twins.generic, **{**fields, "text": "Other words"}, idempotencyKey=key)
        answer, how = await differential(
            http, app, sessions, meeting_ran, other, tokens["chair"], name=name, same_key=True
        )
        assert how == "error" and answer["errors"][0]["extensions"]["code"] == "CONFLICT"


BAD = {
    "a meeting that does not exist": (
        "MinutesItemAdd",
        lambda m: {"meetingId": str(uuid.uuid4()), **_item(expectedVersion=1)},
    ),
    "a decision on no meeting": ("MeetingDecisionAdd", lambda m: {"meetingId": str(uuid.uuid4()), "text": "x"}),
    "publishing no meeting": ("MinutesPublish", lambda m: {"meetingId": str(uuid.uuid4()), "expectedVersion": 1}),
    "an id that is not one": ("MinutesItemAdd", lambda m: {"meetingId": "nope", **_item(expectedVersion=1)}),
    "publishing an id that is not one": ("MinutesPublish", lambda m: {"meetingId": "nope", "expectedVersion": 1}),
    "a version as text": ("MinutesPublish", lambda m: {"meetingId": m, "expectedVersion": "one"}),
    "no heading": ("MinutesItemAdd", lambda m: {"meetingId": m, "expectedVersion": 1, "text": "x"}),
    "a heading too long": ("MinutesItemAdd", lambda m: {"meetingId": m, **_item(expectedVersion=1, heading="x" * 201)}),
    "a blank text": ("MinutesItemAdd", lambda m: {"meetingId": m, **_item(expectedVersion=1, text="  ")}),
    "a NUL in the text": ("MinutesItemAdd", lambda m: {"meetingId": m, **_item(expectedVersion=1, text="a\x00b")}),
    "an unknown category": ("MinutesItemAdd", lambda m: {"meetingId": m, **_item(expectedVersion=1, category="x")}),
    "an agency not on the team": (
        "MinutesItemAdd",
        lambda m: {"meetingId": m, **_item(expectedVersion=1, agencyId=str(uuid.uuid4()))},
    ),
    "an agency id that is not one": (
        "MinutesItemAdd",
        lambda m: {"meetingId": m, **_item(expectedVersion=1, agencyId="x")},
    ),
    "a member of another family": (
        "MinutesItemAdd",
        lambda m: {"meetingId": m, **_item(expectedVersion=1, aboutMemberIds=[str(uuid.uuid4())])},
    ),
    "a decision too long": ("MeetingDecisionAdd", lambda m: {"meetingId": m, "text": "x" * 2001}),
    "a null decision text": ("MeetingDecisionAdd", lambda m: {"meetingId": m, "text": None}),
    "a key too short": ("MeetingDecisionAdd", lambda m: {"meetingId": m, "text": "x", "idempotencyKey": "short"}),
    "an unknown field": ("MinutesPublish", lambda m: {"meetingId": m, "expectedVersion": 1, "colour": "blue"}),
}


@pytest.mark.parametrize("case", sorted(BAD))
async def test_bad_input_and_unusual_variables(http, app, sessions, small, meeting_ran, case):
    area, tokens = small
    twins = await twin_meetings(sessions, area.area.family.id, "other")
    name, make = BAD[case]
    for token in (tokens["chair"], tokens["outsider"]):  # nothing changes: both ways ask about one meeting
        answer, how = await differential(
            http,
            app,
            sessions,
            meeting_ran,
            {"input": make(str(twins.generic))},
            token,
            name=name,
            same_as=twins.same_as,
        )
        assert answer["data"] is None and how != "data", answer


async def test_unicode_and_every_optional_field(http, app, sessions, small, meeting_ran):
    area, tokens = small
    twins = await twin_meetings(sessions, area.area.family.id, "health")
    text = 'Ça va — 👍 "quoted" \\ slash\n\ttab'
    for name, fields in (
        ("MinutesItemAdd", _item(expectedVersion=1, heading=text, text=text, containsThirdPartyIdentities=True)),
        ("MeetingDecisionAdd", {"text": text, "category": "health", "agreedWithFamily": False}),
        ("MinutesItemAdd", {**_item(expectedVersion=2, aboutMemberIds=twins.members), "agencyId": None}),
    ):
        answer, how = await twins.ask(http, app, sessions, meeting_ran, name, tokens["chair"], **fields)
        assert how == "data", answer


async def test_without_signing_in(http, app, sessions, small, meeting_ran):
    area, _tokens = small
    twins = await twin_meetings(sessions, area.area.family.id, "other")
    for token in (None, "not-a-token"):
        answer, how = await twins.ask(http, app, sessions, meeting_ran, "MinutesPublish", token, expectedVersion=1)
        assert how is None and answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_an_unexpected_error_is_masked_alike(http, app, sessions, small, meeting_ran, monkeypatch):
    area, tokens = small
    twins = await twin_meetings(sessions, area.area.family.id, "other")

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug, with internals that must not be shown")

    monkeypatch.setattr(minutes_service, "publish_minutes", broken)
    answer, how = await twins.ask(
        http, app, sessions, meeting_ran, "MinutesPublish", tokens["chair"], expectedVersion=1
    )
    assert how == "error" and answer["errors"][0]["extensions"]["code"] == "INTERNAL"
    assert "internals" not in canonical(answer).decode()
