"""Persisted operations (server/api/persisted.py): the files of graphql/operations/ by their SHA-256."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import pytest
from graphql import GraphQLError

from server.api.persisted import TrustedDocuments
from server.api.schema import create_schema, schema
from server.config import REPO_ROOT
from tests.builders import create_agency, create_contribution, create_family, create_user, issue_token
from tests.graphql_client import OPERATIONS_DIR, code, operation_documents


def persisted(name: str, variables: dict, *, digest: str | None = None, with_text: bool = False) -> dict:
    text = operation_documents()[name]
    digest = digest or hashlib.sha256(text.encode()).hexdigest()
    body: dict = {
        "operationName": name,
        "variables": variables,
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}},
    }
    if with_text:
        body["query"] = text
    return body


async def post(http, body: dict, token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post("/graphql", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
async def family_and_token(sessions):
    lead = await create_user(sessions, agency=await create_agency(sessions))
    family = await create_family(sessions, lead=lead)
    await create_contribution(sessions, family=family, author=lead)
    return family, await issue_token(sessions, lead)


async def test_a_persisted_operation_answers_as_its_text_does(http, gql, family_and_token):
    family, token = family_and_token
    variables = {"familyId": str(family.id), "first": 10}
    by_hash = await post(http, persisted("FamilyContributions", variables), token)
    by_text = await gql.op("FamilyContributions", variables, token)
    assert "errors" not in by_hash
    assert by_hash == by_text
    assert by_hash["data"]["family"]["contributions"]["totalCount"] == 1


async def test_the_hash_and_the_text_together_must_agree(http, family_and_token):
    family, token = family_and_token
    variables = {"id": str(family.id)}
    same = await post(http, persisted("Family", variables, with_text=True), token)
    assert same["data"]["family"]["id"] == str(family.id)
    other = hashlib.sha256(b"query Other { me { id } }").hexdigest()
    mismatch = await post(http, persisted("Family", variables, digest=other, with_text=True), token)
    assert mismatch["data"] is None and code(mismatch["errors"][0]) == "BAD_USER_INPUT"


async def test_an_unknown_hash_is_persisted_query_not_found(http, family_and_token):
    _family, token = family_and_token
    answer = await post(http, persisted("Family", {"id": "x"}, digest="0" * 64), token)
    assert answer["data"] is None
    assert answer["errors"][0]["message"] == "PersistedQueryNotFound"
    assert code(answer["errors"][0]) == "PERSISTED_QUERY_NOT_FOUND"
    # the same without signing in: the hash is checked first, and says nothing about the caller
    anonymous = await post(http, persisted("Family", {"id": "x"}, digest="0" * 64))
    assert code(anonymous["errors"][0]) == "PERSISTED_QUERY_NOT_FOUND"


async def test_a_persisted_query_without_a_hash_is_bad_user_input(http):
    answer = await post(http, {"operationName": "Family", "extensions": {"persistedQuery": {"version": 1}}})
    assert code(answer["errors"][0]) == "BAD_USER_INPUT"


async def test_arbitrary_documents_still_run(gql, family_and_token):
    family, token = family_and_token
    answer = await gql.raw("query($id: ID!) { family(id: $id) { reference } }", {"id": str(family.id)}, token)
    assert answer["data"]["family"]["reference"] == family.reference
    assert code((await gql.raw("{ me { password } }", token=token))["errors"][0]) == "GRAPHQL_VALIDATION_FAILED"


def test_every_operation_file_is_trusted_by_its_hash(settings):
    trusted = create_schema(settings).trusted  # type: ignore[attr-defined]
    files = sorted(OPERATIONS_DIR.glob("*.graphql"))
    assert len(trusted.by_hash) == len(files) >= 17
    for path in files:
        text = path.read_text()
        assert trusted.by_hash[hashlib.sha256(text.encode()).hexdigest()].text == text


def test_a_file_that_does_not_validate_stops_start_up(settings, tmp_path):
    (tmp_path / "graphql" / "operations").mkdir(parents=True)
    (tmp_path / "graphql" / "operations" / "broken.graphql").write_text("query Broken { me { password } }")
    with pytest.raises(ValueError, match=r"broken\.graphql does not validate"):
        create_schema(replace(settings, root=tmp_path))


def test_resolve_refuses_a_hash_it_does_not_hold():
    trusted = TrustedDocuments()
    trusted.load(REPO_ROOT / "graphql" / "operations", schema._schema, ())
    with pytest.raises(GraphQLError) as refused:
        trusted.resolve(None, {"persistedQuery": {"sha256Hash": "f" * 64}})
    assert refused.value.extensions == {"code": "PERSISTED_QUERY_NOT_FOUND"}
    assert trusted.resolve("{ me { id } }", None) is None


async def test_a_persisted_query_over_get_is_refused_like_any_query(http, family_and_token):
    """Queries over GET could be sent cross-site: a hash is no way around that, compiled reads included."""
    family, token = family_and_token
    for name, variables in (("FamilyContributions", {"familyId": str(family.id)}), ("Family", {"id": str(family.id)})):
        body = persisted(name, variables)
        params = {
            "operationName": name,
            "variables": json.dumps(variables),
            "extensions": json.dumps(body["extensions"]),
        }
        response = await http.get(
            "/graphql", params=params, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"}
        )
        assert response.status_code in (400, 405), response.text
        assert family.reference not in response.text and "contributions" not in response.text
