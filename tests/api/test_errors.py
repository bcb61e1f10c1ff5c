from __future__ import annotations

import strawberry

from server.api.errors import ErrorPolicy
from tests.auth_helpers import sign_in
from tests.builders import create_agency, create_user
from tests.db_helpers import row_counts
from tests.graphql_client import code


async def test_malformed_graphql_is_a_parse_failure(gql):
    result = await gql.raw("{ me { id } ")
    assert code(result["errors"][0]) == "GRAPHQL_PARSE_FAILED"


async def test_unknown_fields_are_validation_failures(gql):
    result = await gql.raw("{ me { password } }")
    assert code(result["errors"][0]) == "GRAPHQL_VALIDATION_FAILED"


async def test_a_wrongly_typed_argument_is_bad_user_input(gql, sessions):
    user = await create_user(sessions, agency=await create_agency(sessions))
    result = await gql.raw(
        "query($first: Int) { families(first: $first) { totalCount } }",
        {"first": "many"},
        token=await sign_in(gql, user),
    )
    assert code(result["errors"][0]) == "BAD_USER_INPUT"


async def test_an_oversized_request_is_refused_before_it_reaches_graphql(http, sessions):
    before = await row_counts(sessions)
    response = await http.post("/graphql", json={"query": "{ me { id } }", "variables": {"pad": "x" * 200_000}})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert await row_counts(sessions) == before


async def test_queries_over_get_are_not_accepted(http):
    response = await http.get(
        "/graphql", params={"query": "{ agencies { id } }"}, headers={"accept": "application/json"}
    )
    assert response.status_code in (400, 405)


async def test_too_deep_and_too_many_aliases_are_refused(gql, sessions):
    token = await sign_in(gql, await create_user(sessions, agency=await create_agency(sessions)))
    aliases = " ".join(f"a{i}: me {{ id }}" for i in range(16))
    result = await gql.raw(f"{{ {aliases} }}", token=token)
    assert code(result["errors"][0]) == "LIMIT_EXCEEDED"
    assert "aliases" in result["errors"][0]["message"]


async def test_security_headers_are_on_every_response(http):
    for path in ("/healthz", "/"):
        response = await http.get(path)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_unexpected_errors_are_masked_with_an_internal_code_and_no_trace():
    @strawberry.type
    class Query:
        @strawberry.field
        def broken(self) -> str:
            raise RuntimeError("password=hunter2 at /srv/app.py line 3")

    schema = strawberry.Schema(query=Query, extensions=[ErrorPolicy])
    result = await schema.execute("{ broken }")
    error = result.errors[0].formatted
    assert error["extensions"] == {"code": "INTERNAL"}
    assert "hunter2" not in str(error) and "Traceback" not in str(error)


async def test_health_endpoints(http):
    assert (await http.get("/healthz")).json() == {"status": "ok"}
    ready = await http.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "ok"


async def test_refused_requests_leave_no_personal_data_in_the_application_log(gql, sessions, caplog):
    import logging

    from tests.builders import create_area, create_contribution

    area = await create_area(sessions)
    item = await create_contribution(sessions, family=area.family, author=area.colleague, category="police")
    with caplog.at_level(logging.DEBUG):
        await gql.error("Contribution", {"id": str(item.id)}, token=await sign_in(gql, area.lead))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert str(area.lead.id) not in logged and area.lead.display_name not in logged
    assert str(area.family.id) not in logged


async def test_text_with_a_nul_character_is_bad_input_not_a_fault(gql, sessions):
    """Found by fuzzing: PostgreSQL text cannot hold NUL."""
    from tests.builders import create_area

    area = await create_area(sessions)
    login = await gql.error("Login", {"email": "sam\x00@x.example", "password": "x\x00y"})
    item = await gql.error(
        "ContributionAdd",
        {
            "input": {
                "familyId": str(area.family.id),
                "kind": "update",
                "category": "education",
                "title": "a\x00b",
                "body": "x",
            }
        },
        token=await sign_in(gql, area.colleague),
    )
    assert code(login) == "UNAUTHENTICATED"
    assert (code(item), item["extensions"]["field"]) == ("BAD_USER_INPUT", "title")
