"""An import file at the service's DEFAULT limits (not the suite's smaller ones): one within the import's limit
fits in a request however much escaping it in JSON inflates it, and reaches the import's own checks; one
over it gets the import's own error, with the limit and the advice to split it (issue 20). A request body
limit that would not carry such a file is refused at start-up (tests/test_config.py)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from server.app import create_app
from server.config import IMPORT_REQUEST_ALLOWANCE, Settings
from tests.auth_helpers import sign_in
from tests.builders import create_area
from tests.caseimport.test_import import counts, example_for
from tests.conftest import serving
from tests.graphql_client import code, operation_documents

DEFAULTS = Settings(database_url=None)


@pytest.fixture(scope="module")
async def default_limits(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The service with the default body and import limits, on the suite's database."""
    limits = {"max_body_bytes": DEFAULTS.max_body_bytes, "import_max_bytes": DEFAULTS.import_max_bytes}
    async with (
        serving(create_app(replace(settings, **limits))) as url,
        httpx.AsyncClient(base_url=url, timeout=60) as client,
    ):
        yield client


def request_body(content: str, *, dry_run: bool = True) -> bytes:
    """The request as the import page sends it (JSON.stringify: only what JSON needs is escaped), with the
    document's whole text rather than its hash, the larger of the two."""
    body = {
        "query": operation_documents()["CaseImport"],
        "operationName": "CaseImport",
        "variables": {"input": {"content": content, "dryRun": dry_run}},
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


async def send(client: httpx.AsyncClient, body: bytes, token: str) -> dict:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    response = await client.post("/graphql", content=body, headers=headers)
    assert response.headers["content-type"].startswith("application/json"), response.text
    return response.json()


def padded(document: dict, size: int) -> str:
    """The document as a file of exactly `size` bytes, filled out with line breaks (JSON whitespace), each
    of which escaping doubles."""
    text = json.dumps(document, indent=1)
    assert len(text.encode()) < size
    return text + "\n" * (size - len(text.encode()))


def test_the_request_around_an_import_file_takes_less_than_the_allowance():
    assert len(request_body("")) < IMPORT_REQUEST_ALLOWANCE / 4


async def test_a_file_at_the_default_import_limit_passes_the_body_limit_escaped_and_is_checked(
    gql, sessions, default_limits
):
    # given the documented example, made a file of exactly the default import limit with line breaks
    area = await create_area(sessions)
    admin = await sign_in(gql, area.admin)
    content = padded(example_for(area), DEFAULTS.import_max_bytes)
    assert len(content.encode()) == DEFAULTS.import_max_bytes == 900_000
    body = request_body(content)
    # escaping makes the request nearly twice the file: more than the old body limit, within the new one
    assert DEFAULTS.max_body_bytes >= len(body) > 1_790_000 > 1_000_000
    before = await counts(sessions)

    # when it is checked (a dry run)
    result = await send(default_limits, body, admin)

    # then the import read and checked the whole file: two families, no problem, nothing written
    assert "errors" not in result, result["errors"]
    report = result["data"]["caseImport"]
    assert (report["dryRun"], report["families"], report["problemCount"]) == (True, 2, 0)
    assert await counts(sessions) == before


async def test_a_file_at_the_limit_of_nothing_but_escaped_characters_reaches_the_imports_own_checks(
    gql, sessions, default_limits
):
    # given a file of exactly the import limit that is all quotes and backslashes: the most escaping adds
    area = await create_area(sessions)
    admin = await sign_in(gql, area.admin)
    content = '"\\' * (DEFAULTS.import_max_bytes // 2)
    body = request_body(content)
    assert len(body) > 2 * DEFAULTS.import_max_bytes

    # when it is checked, then the import itself refuses it, for its format and not for its size
    error = (await send(default_limits, body, admin))["errors"][0]
    assert (error["extensions"]["code"], error["extensions"].get("field")) == ("BAD_USER_INPUT", "content")
    assert "not JSON" in error["message"]


# Over the limit by up to 4,000 bytes: a file larger still may, escaped, be over the body limit too (then
# PAYLOAD_TOO_LARGE); the import page refuses such a file itself before sending it (tests/e2e/test_import.py).
@pytest.mark.parametrize("over", [1, 4_000])
async def test_a_file_over_the_default_import_limit_gets_the_imports_error_with_the_limit_and_to_split_it(
    gql, sessions, default_limits, over
):
    # given the example made a file just over the default import limit, most of it line breaks
    area = await create_area(sessions)
    admin = await sign_in(gql, area.admin)
    size = DEFAULTS.import_max_bytes + over
    content = padded(example_for(area), size)
    before = await counts(sessions)

    # when it is checked, or imported
    for dry_run in (True, False):
        result = await send(default_limits, request_body(content, dry_run=dry_run), admin)

        # then the import refuses it, on the content, giving its size and the limit and saying to split it
        error = result["errors"][0]
        assert (error["extensions"]["code"], error["extensions"].get("field")) == ("BAD_USER_INPUT", "content")
        assert error["message"] == (
            f"The file is {size:,} bytes; the most an import takes is 900,000 bytes."
            " Split it into several files and import each."
        )
    assert await counts(sessions) == before


async def test_those_who_may_import_are_told_the_limits_and_nobody_else(gql, sessions, settings, default_limits):
    area = await create_area(sessions)
    admin = await sign_in(gql, area.admin)
    limits = (await gql.data("CaseImportLimits", token=admin))["caseImportLimits"]
    assert limits == {"maxBytes": settings.import_max_bytes, "maxFamilies": 5_000}
    # the limit told is the service's own: at the default limits, the default
    body = json.dumps({"query": operation_documents()["CaseImportLimits"], "operationName": "CaseImportLimits"})
    answer = await send(default_limits, body.encode(), admin)
    assert answer["data"]["caseImportLimits"]["maxBytes"] == DEFAULTS.import_max_bytes == 900_000
    for who in ("lead", "manager", "colleague"):
        assert code(await gql.error("CaseImportLimits", token=await sign_in(gql, getattr(area, who)))) == "FORBIDDEN"
    assert code(await gql.error("CaseImportLimits")) == "UNAUTHENTICATED"
