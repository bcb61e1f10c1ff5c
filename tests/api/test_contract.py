"""The API contract in graphql/ is data, checked in, and executed (STYLE.md R1, R19)."""

from __future__ import annotations

import graphql as graphql_core
from graphql import build_schema, parse, validate

from server.api.schema import schema
from server.config import REPO_ROOT
from tests.graphql_client import OPERATIONS_DIR

CONTRACT = REPO_ROOT / "graphql" / "schema.graphql"


def test_graphql_imports_graphql_core_not_our_folder():
    assert "site-packages" in graphql_core.__file__


def test_the_graphql_folder_holds_no_python():
    assert list((REPO_ROOT / "graphql").rglob("*.py")) == []


def test_the_checked_in_schema_matches_the_code():
    assert CONTRACT.read_text() == schema.as_str() + "\n", "run `make schema` and commit graphql/schema.graphql"


def test_every_operation_document_validates_against_the_schema():
    contract = build_schema(CONTRACT.read_text())
    documents = sorted(OPERATIONS_DIR.glob("*.graphql"))
    assert documents
    for path in documents:
        assert validate(contract, parse(path.read_text())) == [], path.name
