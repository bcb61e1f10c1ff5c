"""The web front end's static rules, checked without a browser: it uses only the checked-in operation
documents (STYLE.md R19), loads nothing inline (the CSP forbids it) and never writes data as HTML."""

from __future__ import annotations

import re

import httpx
from graphql import OperationDefinitionNode, parse

from server.config import REPO_ROOT
from tests.graphql_client import OPERATIONS_DIR

WEB = REPO_ROOT / "web"
MODULES = sorted(WEB.rglob("*.js"))
SOURCES = {path: path.read_text() for path in MODULES}


def operations_in(files: list[str]) -> set[str]:
    names = set()
    for file in files:
        for definition in parse((OPERATIONS_DIR / f"{file}.graphql").read_text()).definitions:
            if isinstance(definition, OperationDefinitionNode) and definition.name:
                names.add(definition.name.value)
    return names


def operation_files() -> list[str]:
    """The operation files web/js/api.js loads, as listed there."""
    listed = re.search(r"const FILES = \[(.*?)\];", SOURCES[WEB / "js/api.js"], re.S).group(1)
    return re.findall(r'"([\w-]+)"', listed)


def sent_by_the_web() -> set[str]:
    """The operations the front end sends: with call(...), a family section's view.query(...) and a family
    sub-page's load (web/js/pages/family.js), and the subscription live.js opens."""
    pattern = r'\b(?:call|operationDocument|query)\("(\w+)"|\boperation: "(\w+)"'
    names = {name for text in SOURCES.values() for match in re.findall(pattern, text) for name in match if name}
    assert names, "no call(...) found"
    return names


def test_the_web_loads_exactly_the_documents_of_the_operations_it_sends_in_name_order():
    # a file of operations the web never sends (the administrators' sign_in_admin) is not loaded
    sent = sent_by_the_web()
    needed = [path.stem for path in sorted(OPERATIONS_DIR.glob("*.graphql")) if operations_in([path.stem]) & sent]
    assert operation_files() == needed


def test_every_operation_the_web_calls_is_in_a_document_it_loads():
    files = operation_files()
    called = sent_by_the_web()
    assert called <= operations_in(files), called - operations_in(files)


def test_the_web_writes_no_graphql_and_no_html_from_strings():
    for path, text in SOURCES.items():
        assert not re.search(r"[\"'`]\s*(query|mutation|subscription|fragment)\s+\w", text), path
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(", text), path


def test_pages_have_no_inline_script_or_style():
    for path in WEB.rglob("*.html"):
        html = path.read_text()
        assert re.findall(r"<script(?![^>]*\bsrc=)", html) == [], path
        assert "style=" not in html and "<style" not in html, path
        assert not re.search(r"<[^>]*\son\w+\s*=", html), path  # no inline event handlers


def test_index_preloads_every_module_but_main_and_nothing_else_in_path_order():
    preloaded = re.findall(r'<link rel="modulepreload" href="/([^"]+)">', (WEB / "index.html").read_text())
    assert preloaded == sorted(str(path.relative_to(WEB)) for path in MODULES if path.name != "main.js")


async def test_operations_are_served_read_only(http: httpx.AsyncClient):
    response = await http.get("/operations/family.graphql")
    assert response.status_code == 200
    assert "query Family(" in response.text
    assert (await http.post("/operations/family.graphql", content="x")).status_code == 405
    assert (await http.get("/operations/../schema.graphql")).status_code == 404


async def test_the_front_end_is_served_under_the_strict_policy(http: httpx.AsyncClient):
    for path in ("/", "/js/main.js", "/css/taf.css"):
        response = await http.get(path)
        assert response.status_code == 200, path
        policy = response.headers["content-security-policy"]
        assert "script-src 'self';" in policy and "unsafe-inline" not in policy, path
