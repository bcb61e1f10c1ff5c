"""Runs every row of policies/decisions.csv through the real GraphQL API against PostgreSQL.

A row says: this person, this kind of case content of the owning agency O in this category, under this
sharing state: allowed or not. For every row, every read path that shows that kind of content must
agree: a lookup by id, the family's lists (and their counts), the chronology, the family portal, the
notification inbox and its replay. Denied content must not appear anywhere in a response: each piece
is written with canary text that a test looks for in the whole body of every answer.

The paths of each kind are in `READERS` (tests/access/decision_paths.py); test_every_kind_and_path_is_reached
fails when a content kind or a read path exists that the table does not reach.
"""

from __future__ import annotations

import asyncio
import csv
import json
from collections import defaultdict
from collections.abc import AsyncIterator

import pytest

from server.access.kinds import CONTENT_KINDS
from server.config import REPO_ROOT
from tests.access.decision_paths import (
    CASTS,
    LOOKUPS,
    NOTIFIED_KINDS,
    READERS,
    STAFF_ACTORS,
    Answer,
    World,
    build_world,
    cast_of,
    inbox,
    my_work,
    nonexistent_answer,
    replay,
)

pytestmark = pytest.mark.long

with (REPO_ROOT / "policies" / "decisions.csv").open() as table_file:
    TABLE = list(csv.DictReader(table_file))


def test_the_table_covers_every_kind_actor_and_state():
    assert len(TABLE) >= 1500
    assert {row["kind"] for row in TABLE} == {kind.value for kind in CONTENT_KINDS}
    assert {row["sharing"] for row in TABLE} >= {
        "none",
        "consent_to_recipient",
        "consent_whole_team",
        "refused",
        "consent_expired",
        "consent_withdrawn",
        "override_active",
        "override_expired",
        "override_revoked",
        "consent_no_agreement",
        "consent_agreement_expired",
        "consent_agreement_other_category",
    }
    # and every cast has rows (an agreement situation without rows would be built for nothing)
    assert {cast_of(row["sharing"], row["category"]) for row in TABLE} == set(CASTS)
    assert len({row["actor"] for row in TABLE}) == 13
    # Left the team: workers of the owning agency and of the recipient who have left.
    assert {"owner_worker_left", "recipient_worker_left"} <= {row["actor"] for row in TABLE}


def test_every_kind_and_path_is_reached():
    """A content kind without a reader, or a reader without rows, fails here: the table must reach both."""
    kinds = {kind.value for kind in CONTENT_KINDS}
    assert set(READERS) == kinds, kinds ^ set(READERS)
    for kind, paths in READERS.items():
        rows = [row for row in TABLE if row["kind"] == kind]
        assert {row["expected"] for row in rows} == {"allow", "deny"}, kind
        assert paths, kind
    # every row is checked on at least one list path, and every path checks some rows
    for row in TABLE:
        assert any(path.serves(row["actor"]) for path in READERS[row["kind"]]), row["case"]
    for path in {path for paths in READERS.values() for path in paths}:
        assert any(path.serves(row["actor"]) for row in TABLE), path.name


@pytest.fixture(scope="module")
async def world(sessions, live_server) -> AsyncIterator[World]:
    built = await build_world(sessions, live_server, TABLE)
    yield built
    await built.client.http.aclose()


LOOKUP_ROWS = [row for row in TABLE if row["kind"] in LOOKUPS]


@pytest.mark.parametrize("row", LOOKUP_ROWS, ids=[row["case"] for row in LOOKUP_ROWS])
async def test_lookup_by_id(world: World, row):
    # given the row's actor and a piece of content of the row's kind, category and sharing state
    content_id = world.items[(row["sharing"], row["category"], row["kind"], row["item"])]
    token = world.token_for(row["actor"], row["sharing"], row["category"])
    # when they ask for it by its id
    seen, answer = await LOOKUPS[row["kind"]].look(world, content_id, token)
    # then they read it exactly when the table allows; otherwise no trace of it
    assert seen == (row["expected"] == "allow"), row["why"]
    if not seen:
        assert world.canaries[content_id] not in json.dumps(answer), row["why"]
        if LOOKUPS[row["kind"]].whole_record:
            assert answer == await nonexistent_answer(world, row["kind"], token), row["why"]


def groups() -> list[tuple[str, str, str]]:
    return sorted({(row["actor"], row["sharing"], row["category"]) for row in TABLE})


@pytest.mark.parametrize(("actor", "sharing", "category"), groups(), ids=["/".join(g) for g in groups()])
async def test_every_list_path(world: World, actor, sharing, category):
    # given every piece of content of one family, and what the table lets this actor see of it
    rows = [row for row in TABLE if (row["actor"], row["sharing"], row["category"]) == (actor, sharing, category)]
    token = world.token_for(actor, sharing, category)
    family = world.families[(sharing, category)]
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_kind[row["kind"]].append(row)
    # when they read every path that lists the family's content
    answers, bodies, shown = {}, {}, {}
    for kind, kind_rows in by_kind.items():
        for path in READERS[kind]:
            if not path.serves(actor):
                continue
            if path.name not in answers:
                answers[path.name] = await path.read(world, family, token)
                bodies[path.name] = json.dumps(answers[path.name])
            if (path.name, path.seen) not in shown:  # one path serves several kinds: each answer read once
                shown[(path.name, path.seen)] = path.seen(answers[path.name], world)
            seen = shown[(path.name, path.seen)]
            for row in kind_rows:
                content_id = world.items[(sharing, category, kind, row["item"])]
                # then each path shows allowed content and nothing of denied content, counts included
                assert (content_id in seen) == (row["expected"] == "allow"), (path.name, row["case"], row["why"])
                if row["expected"] == "deny":
                    assert world.canaries[content_id] not in bodies[path.name], (path.name, row["case"])
    for name, answer in answers.items():
        counted = READERS_BY_PATH[name].counts_agree(answer)
        assert counted, (name, "a count disagrees with the items listed")


READERS_BY_PATH = {path.name: path for paths in READERS.values() for path in paths}


def cast_rows(actor: str, cast: str) -> list[dict]:
    """The rows of one actor about the families of one cast (their inbox holds those families' notices)."""
    return [
        row
        for row in TABLE
        if row["actor"] == actor and row["kind"] in NOTIFIED_KINDS and cast_of(row["sharing"], row["category"]) == cast
    ]


ACTORS_BY_CAST = [(actor, cast) for cast in CASTS for actor in STAFF_ACTORS]


@pytest.mark.parametrize(("actor", "cast"), ACTORS_BY_CAST, ids=["/".join(pair) for pair in ACTORS_BY_CAST])
async def test_notification_inbox(world: World, actor, cast):
    """Notifications were delivered before the sharing changed; what they show is decided when read."""
    # given notifications to this actor of every escalation and action of every family in the table
    rows = cast_rows(actor, cast)
    # when they read their whole inbox
    pages = await inbox(world, world.tokens[(cast, actor)])
    seen = set().union(*(world.shown(page) for page in pages))
    # then each notification shows its content exactly when the table allows reading it
    for row in rows:
        content_id = world.items[(row["sharing"], row["category"], row["kind"], row["item"])]
        assert (content_id in seen) == (row["expected"] == "allow"), (row["case"], row["why"])


# Replays at once: each ends by waiting half a second for anything more, and those waits overlap instead of
# adding up (55 of them); a few at a time, so that the server is never too busy to send an extra promptly.
REPLAYS_AT_ONCE = 8


@pytest.fixture(scope="module")
async def replays(world: World) -> dict[tuple[str, str], tuple[list[Answer], list[Answer] | AssertionError]]:
    """Each actor's inbox, decided when read, and what a socket then replays from the start (or its failure)."""
    turns = asyncio.Semaphore(REPLAYS_AT_ONCE)

    async def inbox_and_replay(actor: str, cast: str) -> tuple[list[Answer], list[Answer] | AssertionError]:
        async with turns:
            token = world.tokens[(cast, actor)]
            pages = await inbox(world, token)
            listed = [node for page in pages for node in page["data"]["inbox"]["nodes"]]
            try:
                return pages, await replay(world, token, len(listed))
            except AssertionError as failure:
                return pages, failure

    answers = await asyncio.gather(*(inbox_and_replay(actor, cast) for actor, cast in ACTORS_BY_CAST))
    return dict(zip(ACTORS_BY_CAST, answers, strict=True))


@pytest.mark.parametrize(("actor", "cast"), ACTORS_BY_CAST, ids=["/".join(pair) for pair in ACTORS_BY_CAST])
async def test_notification_replay(world: World, replays, actor, cast):
    """A socket that resumes from the start (`notifications(after: "0")`) is shown what the inbox shows."""
    # given the actor's inbox, decided when read, and when a socket replays every notification from the start
    pages, replayed = replays[(actor, cast)]
    if isinstance(replayed, AssertionError):
        raise replayed
    listed = [node for page in pages for node in page["data"]["inbox"]["nodes"]]
    # then it replays the same notifications showing the same content, and nothing the table denies
    assert [item["id"] for item in replayed] == sorted((node["id"] for node in listed), key=int)
    assert world.shown({"replayed": replayed}) == set().union(*(world.shown(page) for page in pages))
    denied = {
        world.items[(row["sharing"], row["category"], row["kind"], row["item"])]
        for row in cast_rows(actor, cast)
        if row["expected"] == "deny"
    }
    assert not world.shown({"replayed": replayed}) & denied


# Whose work each kind of content is: the actions the owning agency's worker owns, the escalations the lead
# professional acknowledges. For them My work lists every such item, showing its words exactly when the table
# allows; for everyone else it lists none of them.
MY_WORK_OF = {"plan_action": "owner_worker", "escalation_reason": "lead_professional"}


@pytest.mark.parametrize(("actor", "cast"), ACTORS_BY_CAST, ids=["/".join(pair) for pair in ACTORS_BY_CAST])
async def test_my_work(world: World, actor, cast):
    # given the actions and escalations of every family of the cast, and what the table lets this actor read
    rows = cast_rows(actor, cast)
    # when they read everything My work lists, page by page, and the banner's query at sign-in
    home, answers = await my_work(world, world.tokens[(cast, actor)])
    assert all("errors" not in answer for answer in [home, *answers]), answers
    seen = set().union(*(world.shown(answer) for answer in answers))
    shown_at_home = world.shown(home)
    # then the words of what is theirs show exactly when the table allows, and nothing else shows
    for row in rows:
        content_id = world.items[(row["sharing"], row["category"], row["kind"], row["item"])]
        theirs = MY_WORK_OF[row["kind"]] == actor
        assert (content_id in seen) == (theirs and row["expected"] == "allow"), (row["case"], row["why"])
        # and the home page (its unread notifications are the inbox's, above) never shows what is denied
        if row["expected"] == "deny":
            assert content_id not in shown_at_home, (row["case"], row["why"])
