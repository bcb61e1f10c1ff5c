"""The differential test of compiled writes (server/api/compiled_writes.py): a compiled write's answer must equal the
generic executor's, as canonical JSON byte for byte, errors included, with the same audit rows.

As for compiled reads (tests/api/test_compiled_reads.py), the generic executor is asked with the document's text
plus a newline (not the trusted text, so it cannot take the compiled path) and the compiled path by the
document's hash. A change that succeeds adds an item each way: the compiled answer's new id and time are put in
place of the generic answer's (after checking that they are the item it added) and then the two must be equal
byte for byte, as must the audit rows. Every actor and sharing state of the decision table, idempotent replays
(asked either way first), conflicts, refusals, a family that does not exist, bad input and bad variables are
compared.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import sqlalchemy as sa

from server.api import compiled_writes
from server.api.compiled_writes import COMPILED_WRITES
from server.api.persisted import TrustedDocument
from server.api.schema import create_schema
from server.contribution import compiled_add_api as compiled_add
from server.contribution import service as contribution_service
from server.contribution.models import Contribution
from server.family.models import FamilyMember
from tests.access.decision_paths import build_world
from tests.api.test_compiled_reads import ACTORS, SHARINGS, TABLE, _ask, canonical
from tests.builders import create_agency, create_family, create_user, issue_token
from tests.graphql_client import operation_documents

pytestmark = pytest.mark.long

NAME = "ContributionAdd"


@pytest.fixture
def compiled_ran(monkeypatch) -> list[str]:
    """How the compiled write answered, request by request: "data" or "error" (nothing when it declined)."""
    ran: list[str] = []
    answer, error_answer = compiled_add._fields, compiled_writes.error_answer

    def answered(*args: Any) -> Any:
        ran.append("data")
        return answer(*args)

    def refused(*args: Any) -> Any:
        ran.append("error")
        return error_answer(*args)

    monkeypatch.setattr(compiled_add, "_fields", answered)
    monkeypatch.setattr(compiled_writes, "error_answer", refused)
    return ran


def _bodies(variables: dict, name: str = NAME) -> tuple[dict, dict]:
    text = operation_documents()[name]
    generic = {"query": text + "\n", "operationName": name, "variables": variables}
    digest = hashlib.sha256(text.encode()).hexdigest()
    compiled = {
        "operationName": name,
        "variables": variables,
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}},
    }
    return generic, compiled


async def _added(sessions, item_id: str) -> Contribution | None:
    async with sessions() as session:
        return await session.get(Contribution, uuid.UUID(item_id))


# Given the request's variables, both answers (decoded), the compiled answer's body and its audit rows as text: that
# body and text with what each way made of its own (a new row's id, a time) put in the generic answer's place, once
# checked against the rows written; anything else is left as it is, for the byte comparison to judge.
SameAs = Callable[[Any, dict, dict, dict, bytes, str], Awaitable[tuple[bytes, str]]]


async def _same_item(sessions, variables: dict, g_answer: dict, c_answer: dict, c_body: bytes, c_audit: str):
    """ContributionAdd: each way adds its own item to the family."""
    g_item = (g_answer.get("data") or {}).get("contributionAdd")
    c_item = (c_answer.get("data") or {}).get("contributionAdd")
    if g_item and c_item and g_item["id"] != c_item["id"]:
        for item in (g_item, c_item):  # each is the item its way added, as it was written
            row = await _added(sessions, item["id"])
            assert row is not None and str(row.family_id) == variables["input"]["familyId"]
            assert row.created_at.isoformat() == item["createdAt"]
        for field in ("id", "createdAt", "updatedAt"):
            c_body = c_body.replace(c_item[field].encode(), g_item[field].encode())
            c_audit = c_audit.replace(c_item[field], g_item[field])
    return c_body, c_audit


async def differential(
    http,
    app,
    sessions,
    ran: list[str],
    variables: dict,
    token: str | None,
    *,
    compiled_first: bool = False,
    same_key: bool = False,
    name: str = NAME,
    compiled_variables: dict | None = None,
    same_as: SameAs = _same_item,
) -> tuple[dict, str | None]:
    """Ask both ways (the generic executor first, unless `compiled_first`), the compiled way with
    `compiled_variables` if given (its own twin of what the generic way changes); assert the answers and the audit
    rows are equal once `same_as` has put what each way made of its own alike. The answer, and how the compiled
    write answered ("data", "error", or None when it left the request to the generic executor). An idempotency key
    is sent as it is one way and with "~2" appended the other (two first attempts), unless `same_key` (a replay)."""
    generic, compiled = _bodies(variables, name)
    if compiled_variables is not None:
        compiled["variables"] = compiled_variables
    sent = compiled["variables"]
    key = (sent.get("input") or {}).get("idempotencyKey") if isinstance(sent.get("input"), dict) else None
    if isinstance(key, str) and not same_key:
        compiled["variables"] = {**sent, "input": {**sent["input"], "idempotencyKey": key + "~2"}}
    ran.clear()
    if compiled_first:
        c_status, c_body, c_audit, _ = await _ask(http, app, sessions, compiled, token)
        how = ran[-1] if ran else None
        g_status, g_body, g_audit, _ = await _ask(http, app, sessions, generic, token)
        assert ran == ([how] if how else []), ran  # the generic executor's request never took the compiled path
    else:
        g_status, g_body, g_audit, _ = await _ask(http, app, sessions, generic, token)
        assert not ran  # the generic executor's request never takes the compiled path
        c_status, c_body, c_audit, _ = await _ask(http, app, sessions, compiled, token)
        how = ran[-1] if ran else None
    g_answer, c_answer = json.loads(g_body), json.loads(c_body)
    c_body, c_audit_text = await same_as(
        sessions, variables, g_answer, c_answer, c_body, json.dumps(c_audit, default=str)
    )
    assert (c_status, c_body) == (g_status, g_body), variables
    assert c_audit_text == json.dumps(g_audit, default=str), (variables, g_audit, c_audit)
    return c_answer, how


def _input(family: str, **changes: Any) -> dict:
    item = {"familyId": family, "kind": "update", "category": "education", "title": "Attendance checked"}
    return {"input": {**item, "body": "Spoke to the school; attendance is up.", **changes}}


def test_the_compiled_write_matches_the_operation_it_was_written_for(settings):
    """Its answer is one selection's JSON: when the operation's selection changes it is left out (the generic
    executor answers), and this fails until the answer and its shape are updated."""
    schema = create_schema(settings)
    trusted = schema.trusted.by_hash  # type: ignore[attr-defined]
    assert len(compiled_writes.compiled_writes(trusted, schema._schema)) == len(COMPILED_WRITES)
    other = next(t for t in trusted.values() if t.source == "contribution.graphql")
    edited_text = other.text.replace(
        "fragment ContributionFields on Contribution {\n",
        "fragment ContributionFields on Contribution {\n  __typename\n",
    )
    from graphql import parse

    changed = TrustedDocument(other.sha256, other.text, parse(edited_text), other.source)
    left = compiled_writes.compiled_writes({**trusted, other.sha256: changed}, schema._schema)
    assert {operation for _, operation in left} == {spec.operation for spec in COMPILED_WRITES} - {NAME}


# -- every actor and sharing state of the decision table --------------------------------------------------------


@pytest.fixture(scope="module")
async def world(sessions, live_server):
    built = await build_world(sessions, live_server, TABLE)
    yield built
    await built.client.http.aclose()


async def test_every_actor_and_sharing_state_of_the_decision_table(world, http, app, sessions, compiled_ran):
    categories = sorted({row["category"] for row in TABLE if row["kind"] == "contribution"})
    outcomes: dict[str | None, int] = {}
    codes = set()
    for number, sharing in enumerate(SHARINGS):
        category = categories[number % len(categories)]
        family = world.families[(sharing, category)]
        for actor in ACTORS:
            token = world.token_for(actor, sharing, category)
            variables = _input(family, category=category, idempotencyKey=f"table-{uuid.uuid4()}")
            answer, how = await differential(http, app, sessions, compiled_ran, variables, token)
            assert how == ("data" if answer.get("data") else "error"), (actor, sharing)
            outcomes[how] = outcomes.get(how, 0) + 1
            codes |= {error["extensions"]["code"] for error in answer.get("errors", [])}
    assert outcomes.get("data") and outcomes.get("error")  # both added and refused were compared
    assert {"FORBIDDEN", "CONFLICT"} <= codes or {"NOT_FOUND", "CONFLICT"} <= codes, codes


# -- a small family: replays, conflicts, bad input ----------------------------------------------------------------


@pytest.fixture
async def small_family(sessions):
    agency = await create_agency(sessions)
    lead = await create_user(sessions, agency=agency)
    colleague = await create_user(sessions, agency=await create_agency(sessions))
    family = await create_family(sessions, lead=lead, contributors=(colleague,))
    async with sessions() as session:
        members = (await session.exec(sa.select(FamilyMember.id).where(FamilyMember.family_id == family.id))).all()
    outsider = await create_user(sessions, agency=await create_agency(sessions))
    tokens = {
        "lead": await issue_token(sessions, lead),
        "colleague": await issue_token(sessions, colleague),
        "outsider": await issue_token(sessions, outsider),
    }
    return str(family.id), [str(member[0]) for member in members], tokens


async def test_an_add_naming_members_for_each_caller(http, app, sessions, small_family, compiled_ran):
    family, members, tokens = small_family
    for who, token in tokens.items():
        variables = _input(family, aboutMemberIds=members, mayAppearInFamilySummary=True, category="health")
        answer, how = await differential(http, app, sessions, compiled_ran, variables, token)
        if who == "outsider":
            assert how == "error" and answer["data"] is None
        else:
            assert how == "data" and [m["id"] for m in answer["data"]["contributionAdd"]["about"]] == members


@pytest.mark.parametrize("compiled_first", [False, True])
async def test_replays_and_conflicts_of_an_idempotency_key(
    http, app, sessions, small_family, compiled_ran, compiled_first
):
    family, _members, tokens = small_family
    key = f"replay-{uuid.uuid4()}"
    first = _input(family, idempotencyKey=key)
    generic, compiled = _bodies(first)
    # The first attempt, one way; then its replay asked both ways: the same item, the same answer, audited alike.
    _, made, _, _ = await _ask(http, app, sessions, compiled if compiled_first else generic, tokens["lead"])
    made_id = json.loads(made)["data"]["contributionAdd"]["id"]
    answer, how = await differential(http, app, sessions, compiled_ran, first, tokens["lead"], same_key=True)
    assert how == "data" and answer["data"]["contributionAdd"]["id"] == made_id
    # The same request written otherwise (defaults sent, keys reordered): still a replay, either way.
    same = {
        "input": {
            **dict(reversed(list(first["input"].items()))),
            "aboutMemberIds": [],
            "mayAppearInFamilySummary": False,
        }
    }
    answer, how = await differential(
        http, app, sessions, compiled_ran, same, tokens["lead"], compiled_first=compiled_first, same_key=True
    )
    assert how == "data" and answer["data"]["contributionAdd"]["id"] == made_id
    # Other values under the key, or the key of another caller's request: CONFLICT / a new item.
    other = _input(family, idempotencyKey=key, title="Another title")
    answer, how = await differential(http, app, sessions, compiled_ran, other, tokens["lead"], same_key=True)
    assert how == "error" and answer["errors"][0]["extensions"]["code"] == "CONFLICT"
    answer, how = await differential(http, app, sessions, compiled_ran, first, tokens["colleague"])
    assert how == "data" and answer["data"]["contributionAdd"]["id"] != made_id


BAD = {
    "a family that does not exist": lambda family, members: _input(str(uuid.uuid4())),
    "an id that is not one": lambda family, members: _input("nope"),
    "an id as a number": lambda family, members: _input(12),
    "an unknown kind": lambda family, members: _input(family, kind="gossip"),
    "an unknown category": lambda family, members: _input(family, category="gossip"),
    "no title": lambda family, members: {"input": {k: v for k, v in _input(family)["input"].items() if k != "title"}},
    "a title as a number": lambda family, members: _input(family, title=7),
    "a blank title": lambda family, members: _input(family, title="   "),
    "a title too long": lambda family, members: _input(family, title="x" * 201),
    "a body too long": lambda family, members: _input(family, body="x" * 20_001),
    "a NUL in the body": lambda family, members: _input(family, body="a\x00b"),
    "a member of another family": lambda family, members: _input(family, aboutMemberIds=[str(uuid.uuid4())]),
    "a member id that is not one": lambda family, members: _input(family, aboutMemberIds=["nope"]),
    "a member twice": lambda family, members: _input(family, aboutMemberIds=members + members),
    "a null member list": lambda family, members: _input(family, aboutMemberIds=None),
    "a key too short": lambda family, members: _input(family, idempotencyKey="short"),
    "a null key": lambda family, members: _input(family, idempotencyKey=None),
    "an unknown field": lambda family, members: _input(family, colour="blue"),
    "no input": lambda family, members: {},
    "an unknown variable": lambda family, members: {**_input(family), "colour": "blue"},
    "unicode text": lambda family, members: _input(family, title="Ça va — 👍", body='\u00e9\n\t"quoted" \\ slash'),
}


@pytest.mark.parametrize("case", sorted(BAD))
async def test_bad_input_and_unusual_variables(http, app, sessions, small_family, compiled_ran, case):
    family, members, tokens = small_family
    for token in (tokens["lead"], tokens["outsider"]):
        await differential(http, app, sessions, compiled_ran, BAD[case](family, members), token)


async def test_without_signing_in_or_with_a_bad_token(http, app, sessions, small_family, compiled_ran):
    family, _members, _tokens = small_family
    for token in (None, "not-a-token"):
        answer, how = await differential(http, app, sessions, compiled_ran, _input(family), token)
        assert how is None and answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_an_unexpected_error_is_masked_alike(http, app, sessions, small_family, compiled_ran, monkeypatch):
    family, _members, tokens = small_family

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug, with internals that must not be shown")

    monkeypatch.setattr(contribution_service, "add", broken)
    answer, how = await differential(http, app, sessions, compiled_ran, _input(family), tokens["lead"])
    assert how == "error" and answer["errors"][0]["extensions"]["code"] == "INTERNAL"
    assert "internals" not in canonical(answer).decode()
