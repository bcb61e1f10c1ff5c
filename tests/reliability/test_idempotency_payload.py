"""An idempotency key replayed with a different payload is CONFLICT, saying so, on every mutation that takes
a key. The mutations are found in the schema (every input with an `idempotencyKey`), not listed by hand,
so a new create is covered here or this test fails."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from graphql import GraphQLInputObjectType, GraphQLNonNull

from server.api.schema import schema
from tests.auth_helpers import sign_in
from tests.builders import create_area
from tests.graphql_client import code
from tests.reliability.test_idempotency_everywhere import Case, case_for, keyed, panel_sitting
from tests.sharing_agreement.test_agreements import agreement_input

# Free-text fields a client could change between two attempts, tried in this order; else a flag is flipped, a
# date moved, or (a create of ids only: a family brought to a panel) an id replaced.
TEXT_FIELDS = ("text", "reason", "summary", "description", "fullName", "displayName", "title", "justification")
TEXT_FIELDS += ("location", "purpose", "inFamilyWords", "agencyRole", "purposes", "body", "note")


def keyed_mutations() -> list[str]:
    """The operation name of every mutation whose input takes an idempotencyKey."""
    names = []
    for name, field in schema._schema.mutation_type.fields.items():
        argument = field.args.get("input")
        input_type = argument.type.of_type if argument and isinstance(argument.type, GraphQLNonNull) else None
        if isinstance(input_type, GraphQLInputObjectType) and "idempotencyKey" in input_type.fields:
            names.append(name[0].upper() + name[1:])
    return sorted(names)


def changed(value: dict) -> dict:
    """The same request with one value changed."""
    found = _change(value, lambda key, v: key in TEXT_FIELDS and isinstance(v, str), lambda v: v + " (changed)")
    found = found or _change(value, lambda key, v: isinstance(v, bool), lambda v: not v)
    found = found or _change(value, lambda key, v: key.endswith("On") and isinstance(v, str), _day_before)
    found = found or _change(
        value, lambda key, v: key.endswith("Id") and isinstance(v, str), lambda v: str(uuid.uuid4())
    )
    assert found, f"nothing to change in {value}"
    return found


def _day_before(value: str) -> str:
    return (date.fromisoformat(value) - timedelta(days=1)).isoformat()


def _change(value: dict, pick, change) -> dict | None:
    for key, item in value.items():
        if pick(key, item):
            return {**value, key: change(item)}
        if isinstance(item, dict) and (inner := _change(item, pick, change)) is not None:
            return {**value, key: inner}
    return None


async def case_of(operation: str, gql, sessions) -> Case:
    area = await create_area(sessions)
    if operation == "FamilyOpen":
        family = {"displayName": "The Rivers family", "levelOfNeed": "targeted", "leadContact": {"agencyRole": "FSW"}}
        family["members"] = [{"fullName": "Leo Rivers", "relationship": "son", "isSubjectChild": True}]
        return Case(operation, await sign_in(gql, area.lead), _fixed(family), "family", area.family.id)
    if operation == "ContributionAdd":
        item = {"familyId": str(area.family.id), "kind": "update", "category": "education", "title": "Attendance"}
        item["body"] = "Mentoring is working."
        return Case(operation, await sign_in(gql, area.colleague), _fixed(item), "contribution", area.family.id)
    if operation == "DataSharingAgreementCreate":
        agreement = {"agreement": agreement_input([area.early_help, area.school])}
        return Case(operation, await sign_in(gql, area.ig), _fixed(agreement), "data_sharing_agreement", area.family.id)
    if operation == "PanelSittingCreate":
        sitting = {"sitting": panel_sitting(area)}
        return Case(operation, await sign_in(gql, area.manager), _fixed(sitting), "panel_sitting", area.family.id)
    return await case_for(operation, gql, sessions, area)


def _fixed(variables: dict):
    async def make() -> dict:
        return {"input": dict(variables)}

    return make


async def rows_in(sessions, table: str) -> int:
    async with sessions() as session:
        return (await session.exec(sa.text(f"SELECT count(*) FROM {table}"))).one()[0]


def test_the_mutations_taking_a_key_are_found_in_the_schema():
    found = keyed_mutations()
    assert {"FamilyOpen", "ContributionAdd", "AssessmentRecord", "DataSharingAgreementCreate"} <= set(found)
    assert len(found) >= 19


@pytest.mark.parametrize("operation", keyed_mutations())
async def test_a_key_replayed_with_a_different_payload_is_a_conflict(gql, sessions, operation):
    # given a create sent with a key
    case = await case_of(operation, gql, sessions)
    variables, key = await case.variables(), str(uuid.uuid4())
    field = operation[0].lower() + operation[1:]
    first = (await gql.data(operation, keyed(variables, key), token=case.token))[field]
    stored = await rows_in(sessions, case.table)
    # when the same key comes back with one value changed
    error = await gql.error(operation, keyed(changed(variables), key), token=case.token)
    # then CONFLICT, saying the key was used for a different request, and nothing more was stored
    assert code(error) == "CONFLICT"
    assert "already used for a different request" in error["message"]
    assert await rows_in(sessions, case.table) == stored
    # and the first request, repeated exactly, still replays its result
    again = (await gql.data(operation, keyed(variables, key), token=case.token))[field]
    assert again["id"] == first["id"]


async def test_a_retry_matches_whatever_the_key_order_nulls_and_defaults(gql, sessions):
    # given a family opened with a key
    area = await create_area(sessions)
    token = await sign_in(gql, area.lead)
    key = str(uuid.uuid4())
    member = {"fullName": "Leo Rivers", "relationship": "son", "isSubjectChild": True}
    family = {"displayName": "The Rivers family", "levelOfNeed": "targeted", "leadContact": {"agencyRole": "FSW"}}
    first = await gql.data("FamilyOpen", {"input": family | {"members": [member], "idempotencyKey": key}}, token=token)
    # when it is retried with its fields in another order, an optional field sent as null and a default spelt out
    retry_input = {"idempotencyKey": key, "members": [{**member, "dateOfBirth": None}]}
    retry_input |= dict(reversed(family.items())) | {"leadContact": {"agencyRole": "FSW", "contactInHours": ""}}
    retry = await gql.data("FamilyOpen", {"input": retry_input}, token=token)
    # then it is the same request: the first family comes back
    assert retry["familyOpen"]["id"] == first["familyOpen"]["id"]
