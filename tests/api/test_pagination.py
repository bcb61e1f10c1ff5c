"""Every list with pages follows one convention (server/api/pagination.py): `nodes`, `pageInfo { hasNextPage
endCursor }` and `totalCount` where the list counts, paged by `first` and an opaque `after`."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType, get_named_type

from server import pagination
from server.api.schema import schema
from server.audit import service as audit_service
from server.db.engine import unit_of_work
from server.errors import BadUserInput
from tests.auth_helpers import sign_in
from tests.builders import create_area, create_contribution
from tests.graphql_client import code

CONNECTION_FIELDS = {"nodes", "pageInfo", "totalCount"}


def connections() -> list[tuple[str, str, object]]:
    """(type name, field name, field) for every field of the schema that returns a connection."""
    found = []
    for type_name, named in schema._schema.type_map.items():
        if type_name.startswith("__") or not isinstance(named, GraphQLObjectType):
            continue
        for field_name, field in named.fields.items():
            if get_named_type(field.type).name.endswith("Connection"):
                found.append((type_name, field_name, field))
    return found


def test_every_connection_has_nodes_and_page_info_and_nothing_else_but_a_count():
    types = {get_named_type(field.type) for _, _, field in connections()}
    assert {t.name for t in types} >= {
        "FamilyConnection",
        "ContributionConnection",
        "NotificationConnection",
        "AuditEventConnection",
        "RetentionReviewConnection",
    }
    for connection in types:
        assert {"nodes", "pageInfo"} <= set(connection.fields) <= CONNECTION_FIELDS, connection.name
        assert isinstance(connection.fields["nodes"].type.of_type, GraphQLList), connection.name
        assert get_named_type(connection.fields["pageInfo"].type).name == "PageInfo", connection.name


def test_a_list_that_counts_or_pages_is_a_connection():
    for type_name, named in schema._schema.type_map.items():
        if isinstance(named, GraphQLObjectType) and {"totalCount", "pageInfo"} & set(named.fields):
            assert type_name.endswith("Connection"), type_name
        if isinstance(named, GraphQLObjectType) and {"hasNextPage", "endCursor"} & set(named.fields):
            assert type_name == "PageInfo", type_name


def test_every_connection_field_pages_by_first_and_an_opaque_after():
    for type_name, field_name, field in connections():
        first, after = field.args["first"], field.args["after"]
        assert isinstance(first.type, GraphQLNonNull) and first.type.of_type.name == "Int", (type_name, field_name)
        assert get_named_type(after.type).name == "String", (type_name, field_name)


def test_only_connections_and_the_notification_stream_take_after():
    takes_after = {
        (type_name, field_name)
        for type_name, named in schema._schema.type_map.items()
        if isinstance(named, GraphQLObjectType) and not type_name.startswith("__")
        for field_name, field in named.fields.items()
        if "after" in field.args
    }
    paged = {(type_name, field_name) for type_name, field_name, _ in connections()}
    # the subscription's `after` is a notification id, not a page cursor (it resumes a stream)
    assert takes_after == paged | {("Subscription", "notifications")}


def test_a_cursor_holds_its_sort_key_and_nothing_else_decodes():
    at, row_id = datetime.now(UTC), uuid.uuid4()
    assert pagination.decode(pagination.encode(at, row_id), datetime, uuid.UUID) == (at, row_id)
    assert pagination.decode(pagination.encode("TAF-1|2"), str) == ("TAF-1|2",)
    for bad in ("%%%", pagination.encode("TAF-1001"), pagination.encode(at, "not-an-id"), pagination.encode(1, 2, 3)):
        with pytest.raises(BadUserInput):
            pagination.decode(bad, datetime, uuid.UUID)


async def every_page(gql, operation: str, variables: dict, token: str, connection) -> list[dict]:
    """The pages of a list two at a time, following endCursor until hasNextPage is false."""
    pages: list[dict] = []
    while not pages or pages[-1]["pageInfo"]["hasNextPage"]:
        after = pages[-1]["pageInfo"]["endCursor"] if pages else None
        pages.append(connection(await gql.data(operation, variables | {"first": 2, "after": after}, token=token)))
    return pages


async def test_contributions_page_through_every_item_once(gql, sessions):
    # given five items the colleague's agency wrote
    area = await create_area(sessions)
    items = [await create_contribution(sessions, family=area.family, author=area.colleague) for _ in range(5)]
    token = await sign_in(gql, area.colleague)
    # when paging two at a time
    variables = {"familyId": str(area.family.id)}
    pages = await every_page(gql, "FamilyContributions", variables, token, lambda data: data["family"]["contributions"])
    # then
    seen = [node["id"] for page in pages for node in page["nodes"]]
    assert sorted(seen) == sorted(str(item.id) for item in items)
    assert [page["totalCount"] for page in pages] == [5, 5, 5]


async def test_the_audit_log_pages_through_every_event_once(gql, sessions):
    # given five events about a family
    area = await create_area(sessions)
    async with unit_of_work(sessions) as session:
        for n in range(5):
            await audit_service.record(session, None, f"pagingTest{n}", family_id=area.family.id, user_id=area.lead.id)
    token = await sign_in(gql, area.ig)
    # when paging two at a time
    variables = {"familyId": str(area.family.id)}
    pages = await every_page(gql, "AuditEvents", variables, token, lambda data: data["auditEvents"])
    # then newest first, each once
    assert [node["action"] for page in pages for node in page["nodes"]] == [f"pagingTest{n}" for n in (4, 3, 2, 1, 0)]


async def test_a_cursor_from_another_list_is_bad_user_input(gql, sessions):
    # given a caseload cursor
    area = await create_area(sessions)
    token = await sign_in(gql, area.lead)
    caseload = (await gql.data("Caseload", {"first": 1}, token=token))["families"]
    cursor = caseload["pageInfo"]["endCursor"]
    # when it is sent as the contributions' `after`
    error = await gql.error("FamilyContributions", {"familyId": str(area.family.id), "after": cursor}, token=token)
    # then
    assert code(error) == "BAD_USER_INPUT"
