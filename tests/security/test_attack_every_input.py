"""Hostile input in every text input of every mutation (tests/security/test_attack_inputs.py sweeps the
creates' free text): SQL and markup in each String of the edits, withdrawals, transitions and the rest
are stored and returned verbatim, or refused with BAD_USER_INPUT naming the field; SQL in any ID is
BAD_USER_INPUT; nothing else changes. A mutation with a text input that no sweep covers fails here."""

from __future__ import annotations

import json
import uuid

import pytest
import sqlalchemy as sa
from graphql import GraphQLInputObjectType, GraphQLList, GraphQLNonNull, GraphQLScalarType

from tests.auth_helpers import sign_in
from tests.builders import create_area, create_family_member
from tests.graphql_client import code
from tests.security.edit_cases import ALL_CREATES, EDITS, any_case
from tests.security.test_attack_inputs import PAYLOAD, SHORT, schema, strings_in, unwrap

pytestmark = pytest.mark.long

# Tables whose rows background work adds whatever a request does (deliveries, timers, audit, budgets).
UNCOUNTED = {"audit_event", "login_attempt", "rate_limit_window", "notification", "notification_outbox", "timer"}
# Secrets: a hostile value is refused (a wrong current password by its field), never stored as text.
SIGN_IN = {"Login", "PortalInvitationAccept", "PasswordResetRedeem", "PasswordChange"}
SECRET_REFUSALS = {"UNAUTHENTICATED", "NOT_FOUND"}


def field_name(operation: str) -> str:
    return "authLogin" if operation == "Login" else operation[0].lower() + operation[1:]


def variable_types(operation: str) -> dict:
    """The operation document's variables and their types (Login spreads LoginInput into variables)."""
    field = schema().mutation_type.fields[field_name(operation)]
    if operation == "Login":
        return dict(unwrap(field.args["input"].type).fields)
    return dict(field.args)


def text_paths(fields: dict, path: str = "", kinds=("String", "ID")) -> set[str]:
    """Every String or ID leaf under the fields, lists of inputs written `name[]`."""
    found: set[str] = set()
    for name, field in fields.items():
        inner = unwrap(field.type)
        if isinstance(inner, GraphQLScalarType) and inner.name in kinds:
            found.add(f"{path}{name}")
        elif isinstance(inner, GraphQLInputObjectType):
            listed = isinstance(
                field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type, GraphQLList
            )
            found |= text_paths(inner.fields, f"{path}{name}{'[]' if listed else ''}.", kinds)
    return found


def mutations_with_text() -> set[str]:
    names = {"authLogin": "Login"}
    return {
        names.get(name, name[0].upper() + name[1:])
        for name, field in schema().mutation_type.fields.items()
        if text_paths(dict(field.args))
    }


def inject(value: dict, fields: dict, path: str, marker: str, injected: dict, tamed: dict, seen: set) -> dict:
    """Every String under the fields (present or optional) gets the payload marked with its path; a field
    the service refused (`tamed`) gets the short payload, then its ordinary value."""
    out = dict(value)
    for name, field in fields.items():
        inner, here = unwrap(field.type), f"{path}{name}"
        if isinstance(inner, GraphQLScalarType) and inner.name == "String" and name != "idempotencyKey":
            seen.add(here)
            if tamed.get(name) == "original":
                continue
            out[name] = injected[here] = SHORT if tamed.get(name) == "short" else f"{PAYLOAD} [{marker} {here}]"
        elif isinstance(inner, GraphQLInputObjectType) and isinstance(out.get(name), dict):
            out[name] = inject(out[name], inner.fields, f"{here}.", marker, injected, tamed, seen)
        elif isinstance(inner, GraphQLInputObjectType) and isinstance(out.get(name), list) and name in tamed:
            # a list of inputs the service checks as codes (an assessment's ratings): left as it was
            seen |= {f"{here}[].{leaf}" for leaf in text_paths(inner.fields, kinds=("String",))}
        elif isinstance(inner, GraphQLInputObjectType) and isinstance(out.get(name), list):
            out[name] = [inject(item, inner.fields, f"{here}[].", marker, injected, tamed, seen) for item in out[name]]
    return out


async def counts(sessions) -> dict[str, int]:
    async with sessions() as session:
        tables = (
            await session.exec(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"))
        ).all()
        return {
            table: (await session.exec(sa.text(f"SELECT count(*) FROM {table}"))).one()[0]
            for (table,) in tables
            if table not in UNCOUNTED
        }


async def stored_with(sessions, marker: str) -> set[str]:
    """Every text value in any table of a row that holds the marker."""
    found: set[str] = set()
    async with sessions() as session:
        tables = (await session.exec(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))).all()
        for (table,) in tables:
            query = sa.text(f"SELECT row_to_json(t)::text FROM {table} t WHERE row_to_json(t)::text LIKE :m")
            for (row,) in (await session.exec(query, params={"m": f"%{marker}%"})).all():
                found |= strings_in(json.loads(row))
    return found


async def erased_rows(sessions, operation: str, result: dict) -> dict[str, int]:
    """The rows an erasure says it removed (its audit entry's counts); none for any other operation."""
    if operation != "FamilyErase":
        return {}
    async with sessions() as session:
        query = sa.text("SELECT detail FROM audit_event WHERE action = 'familyErase' AND family_id = :f")
        detail = (await session.exec(query, params={"f": uuid.UUID(result["data"]["familyErase"]["familyId"])})).one()
    return detail[0]["removed"]


WITH_STRINGS = sorted(op for op in EDITS if text_paths(variable_types(op), kinds=("String",)))


@pytest.mark.parametrize("operation", WITH_STRINGS)
async def test_sql_and_html_in_every_text_field_of_an_edit_are_stored_verbatim_or_refused(gql, sessions, operation):
    # given a valid request, with whatever it acts on built first
    case = await any_case(operation, gql, sessions)
    variables, fields, marker = await case.variables(), variable_types(operation), uuid.uuid4().hex
    token = case.token or None
    tamed: dict[str, str] = {}
    for _ in range(20):
        # when every text field holds SQL and markup
        injected: dict[str, str] = {}
        seen: set[str] = set()
        before = await counts(sessions)
        result = await gql.op(operation, inject(variables, fields, "", marker, injected, tamed, seen), token=token)
        # then every String of the input was exercised
        assert seen == {p for p in text_paths(fields, kinds=("String",)) if not p.endswith("idempotencyKey")}, seen
        if "errors" not in result:
            break
        # and a refusal is a clear one, naming the field (or the sign-in failing), with nothing changed
        error = result["errors"][0]
        assert "Traceback" not in json.dumps(error) and await counts(sessions) == before
        if operation in SIGN_IN:
            wrong_current = error["extensions"].get("field") == "currentPassword"
            assert code(error) in SECRET_REFUSALS or (operation == "PasswordChange" and wrong_current), error
            print(f"{operation}: {len(injected)} refused ({code(error)}), nothing stored")
            return
        assert code(error) == "BAD_USER_INPUT" and error["extensions"].get("field"), (operation, error)
        field = error["extensions"]["field"]
        assert tamed.get(field) != "original", (operation, error)
        tamed[field] = "short" if field not in tamed else "original"
    else:
        raise AssertionError(f"{operation}: still refused after {tamed}")
    # then what was accepted is stored exactly as sent, and the answer shows it exactly
    stored = await stored_with(sessions, marker)
    assert set(injected.values()) - {SHORT} <= stored, set(injected.values()) - stored
    answered = {s for s in strings_in(result["data"]) if marker in s}
    assert answered <= set(injected.values()), answered
    # and the SQL did nothing: every table is still there, none lost a row (but those an erasure removed)
    after, erased = await counts(sessions), await erased_rows(sessions, operation, result)
    assert set(after) == set(before) and all(after[t] >= before[t] - erased.get(t, 0) for t in before)
    print(f"{operation}: {len(injected)} stored verbatim, refused {tamed}")  # the figures (pytest -s shows them)


def with_id(value, path: list[str], hostile: str):
    """The value with the ID at path (a `name[]` step goes into every item) set to the hostile text."""
    head, rest = path[0], path[1:]
    out = dict(value)
    if head.endswith("[]"):
        name = head[:-2]
        out[name] = [with_id(item, rest, hostile) for item in out.get(name) or []]
    elif rest:
        out[head] = with_id(out.get(head) or {}, rest, hostile)
    else:
        out[head] = [hostile] if isinstance(out.get(head), list) else hostile
    return out


ID_CASES = [
    (operation, path)
    for operation in sorted(mutations_with_text())
    for path in sorted(text_paths(variable_types(operation), kinds=("ID",)))
]


@pytest.mark.parametrize("operation", sorted({operation for operation, _ in ID_CASES}))
async def test_sql_and_html_in_every_id_is_bad_user_input_and_changes_nothing(gql, sessions, operation):
    # given a valid request
    case = await any_case(operation, gql, sessions)
    variables = await case.variables()
    for _, path in [c for c in ID_CASES if c[0] == operation]:
        # when one of its ids holds SQL and markup
        before = await counts(sessions)
        sent = with_id(variables, path.split("."), f"{PAYLOAD} [{path}]")
        result = await gql.op(operation, sent, token=case.token or None)
        # then it is refused as bad input naming the field, and nothing changed
        assert result.get("errors") and not (result.get("data") or {}).get(field_name(operation)), (path, result)
        error = result["errors"][0]
        assert code(error) == "BAD_USER_INPUT", (operation, path, error)
        assert "Traceback" not in json.dumps(error) and "DROP" not in error["message"]
        assert await counts(sessions) == before, (operation, path)


@pytest.mark.parametrize("operation", sorted(ALL_CREATES))
async def test_sql_and_html_in_an_idempotency_key_is_kept_verbatim(gql, sessions, operation):
    # given a valid create whose key holds SQL and markup
    case = await any_case(operation, gql, sessions)
    variables = await case.variables()
    key = f"k'); DROP TABLE idempotency_key;--<b>{uuid.uuid4().hex}"
    # when it is sent twice
    first = await gql.data(operation, {"input": {**variables["input"], "idempotencyKey": key}}, token=case.token)
    again = await gql.data(operation, {"input": {**variables["input"], "idempotencyKey": key}}, token=case.token)
    # then the retry is recognised (the key was stored and compared exactly)
    assert first == again
    assert key in await stored_with(sessions, key[-32:])


def test_every_mutation_with_a_text_input_is_swept():
    # given every mutation in the schema that takes a String or an ID
    with_text = mutations_with_text()
    # then each has a valid request the sweeps start from (edits here, creates in test_attack_inputs.py)
    assert with_text - set(EDITS) - set(ALL_CREATES) == set(), "add the new mutation to tests/security/edit_cases.py"
    # and each String of an edit and each ID of every mutation is exercised
    assert set(WITH_STRINGS) == {
        op for op in with_text & set(EDITS) if text_paths(variable_types(op), kinds=("String",))
    }
    assert {op for op, _ in ID_CASES} == {op for op in with_text if text_paths(variable_types(op), kinds=("ID",))}


async def test_a_portal_password_of_sql_and_markup_works_and_is_never_stored_as_text(gql, sessions):
    # given a family member invited to the portal
    area = await create_area(sessions)
    member = await create_family_member(sessions, family=area.family)
    address = f"parent-{uuid.uuid4().hex[:8]}@family.example"
    invitation = {"familyId": str(area.family.id), "familyMemberId": str(member.id), "email": address}
    issued = await gql.data("PortalInvitationIssue", {"input": invitation}, token=await sign_in(gql, area.lead))
    link = issued["portalInvitationIssue"]["link"]
    # when they set a password of SQL and markup
    marker = uuid.uuid4().hex
    password = f"{PAYLOAD} {marker}"
    accepted = {"token": link.rsplit("/", 1)[1], "password": password}
    assert (await gql.data("PortalInvitationAccept", {"input": accepted}))["portalInvitationAccept"]["token"]
    # then it signs them in exactly as typed, a near miss does not, and no table holds it as text
    assert (await gql.data("Login", {"email": address, "password": password}))["authLogin"]["token"]
    assert code(await gql.error("Login", {"email": address, "password": password[:-1]})) == "UNAUTHENTICATED"
    assert await stored_with(sessions, marker) == set()
