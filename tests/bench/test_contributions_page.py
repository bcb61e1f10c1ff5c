"""`make bench`'s contributions_page, without Node: PostGraphile's query is valid against the part of
PostGraphile 5's schema of the bench database kept in bench/postgraphile/schema-excerpt.graphql and asks for
the app's page in the app's shape, and the baseline's one-statement page is the app's page, item for item."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import asyncpg
from graphql import FieldNode, OperationDefinitionNode, SelectionSetNode, build_schema, parse, validate

from bench import contributions_page
from bench.api import DOCUMENTS
from bench.data.generator import Generator
from bench.data.plan import Plan
from bench.database import dsn, migrate, recreate
from bench.loadgen import Connection
from bench.servers import APP, BASELINE, app_environment, uvicorn_server
from bench.suite import tokens_for

EXCERPT_HEADER_LINES = 3


def shape(selection: SelectionSetNode) -> dict[str, Any]:
    """The keys of the answer to a selection, nested: aliases where there are."""
    found = {}
    for field in selection.selections:
        assert isinstance(field, FieldNode)
        key = field.alias.value if field.alias else field.name.value
        found[key] = shape(field.selection_set) if field.selection_set else None
    return found


def operation_shape(text: str, name: str) -> dict[str, Any]:
    for definition in parse(text).definitions:
        if isinstance(definition, OperationDefinitionNode) and definition.name and definition.name.value == name:
            return shape(definition.selection_set)
    raise KeyError(name)


def answer_shape(value: Any) -> Any:
    """The keys of an answer, nested; a list by the shape its items share."""
    if isinstance(value, dict):
        return {key: answer_shape(item) for key, item in value.items()}
    if isinstance(value, list):
        shapes = [answer_shape(item) for item in value]
        assert all(each == shapes[0] for each in shapes)
        return shapes[0] if shapes else None
    return None


def test_the_postgraphile_query_is_valid_in_postgraphiles_schema():
    schema = build_schema(contributions_page.EXCERPT.read_text())
    assert validate(schema, parse(contributions_page.QUERY)) == []


def test_the_excerpt_is_what_the_tool_makes_of_postgraphiles_schema():
    # the excerpt of the excerpt is itself: nothing was added by hand, and the query reads all it holds
    kept = contributions_page.EXCERPT.read_text().split("\n", EXCERPT_HEADER_LINES)[EXCERPT_HEADER_LINES]
    assert contributions_page.schema_excerpt(kept, contributions_page.QUERY) == kept


def test_postgraphile_is_asked_for_the_apps_page_in_the_apps_shape():
    app = operation_shape(DOCUMENTS[contributions_page.OPERATION], contributions_page.OPERATION)
    assert app == operation_shape(contributions_page.QUERY, contributions_page.OPERATION)
    assert set(app["family"]["contributions"]["nodes"]) >= {"title", "owningAgency", "author"}


async def page(port: int, path: str, body: bytes, token: str | None) -> dict[str, Any]:
    connection = Connection("127.0.0.1", port)
    try:
        status, data = await connection.post(path, body, token)
    finally:
        await connection.close()
    assert status == 200, data[:300]
    return json.loads(data)


def same_instants(item: dict[str, Any]) -> dict[str, Any]:
    """Times as instants: PostgreSQL's JSON and Python's isoformat write fractions of a second differently."""
    return {
        key: datetime.fromisoformat(value) if key in ("openedAt", "createdAt") else value for key, value in item.items()
    }


async def test_the_baselines_page_is_the_apps_page_without_the_policy(server_url: str):
    # given a toy bench database (20 families; the actor on the 200-item family's team)
    url = await recreate(server_url, "taf_bench_page")
    await migrate(url)
    connection = await asyncpg.connect(dsn(url))
    try:
        generator = Generator(connection, Plan.at(0.002), seed=11)
        await generator.generate(lambda message: None)
    finally:
        await connection.close()
    meta = generator.world.summary()
    tokens = await tokens_for(url, meta)
    sent = contributions_page.requests(meta["family_a_id"], tokens["actor"])

    # when the app and the baseline, each under uvicorn, are asked for the page, then measured for a moment
    async with (
        uvicorn_server(APP, 1, app_environment(url)) as (app_port, app_process),
        uvicorn_server(BASELINE, 1, {"BENCH_BASELINE_DSN": dsn(url)}) as (base_port, base_process),
    ):
        app = await page(app_port, *sent["app"])
        base = await page(base_port, *sent["baseline"])
        servers = {"app": (app_port, app_process), "baseline": (base_port, base_process)}
        ports = {side: port for side, (port, _) in servers.items()}
        listed = await contributions_page.items_listed({side: sent[side] for side in servers}, ports)
        measured = {
            side: await contributions_page.measured(
                url, port, process, contributions_page.iteration(side, *sent[side]), concurrency=2, duration=0.3
            )
            for side, (port, process) in servers.items()
        }

    # then both answer the operation's shape, the same family header, and the same values for the items both list
    expected = operation_shape(DOCUMENTS[contributions_page.OPERATION], contributions_page.OPERATION)
    assert "errors" not in app and "errors" not in base
    assert answer_shape(app["data"]) == answer_shape(base["data"]) == expected
    app_family, base_family = app["data"]["family"], base["data"]["family"]
    header = [key for key in expected["family"] if key != "contributions"]
    assert same_instants({k: app_family[k] for k in header}) == same_instants({k: base_family[k] for k in header})
    app_items = {item["id"]: same_instants(item) for item in app_family["contributions"]["nodes"]}
    base_items = {item["id"]: same_instants(item) for item in base_family["contributions"]["nodes"]}
    assert len(base_items) == contributions_page.FIRST < base_family["contributions"]["totalCount"]
    both = app_items.keys() & base_items.keys()
    assert len(both) > len(app_items) / 2
    assert all(app_items[key] == base_items[key] for key in both)
    # the baseline lists the latest items, newest first, the app the latest of those the actor may see
    newest = [item["createdAt"] for item in base_items.values()]
    assert newest == sorted(newest, reverse=True)
    assert app_family["contributions"]["totalCount"] <= base_family["contributions"]["totalCount"]
    assert listed == {"app": len(app_items), "baseline": len(base_items)}
    # and each server's CPU per request, and PostgreSQL's for it, was measured over the requests it answered
    for side, summary in measured.items():
        assert summary["errors"] == 0 and summary["iterations"] > 0, (side, summary)
        assert summary["cpu_ms_per_request"] > 0, (side, summary)
        assert summary["postgres_cpu_ms_per_request"] > 0, (side, summary)
