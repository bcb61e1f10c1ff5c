"""The API contract in graphql/ is data, checked in, and executed (STYLE.md R1, R19)."""

from __future__ import annotations

import graphql as graphql_core
from graphql import NoDeprecatedCustomRule, OperationDefinitionNode, build_schema, parse, validate

from server.api.schema import schema
from server.config import REPO_ROOT
from tests.graphql_client import OPERATIONS_DIR, operation_documents

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


def test_caseload_outcomes_is_deprecated_for_the_outcomes_report_and_the_web_sends_nothing_deprecated():
    contract = build_schema(CONTRACT.read_text())
    reason = contract.query_type.fields["caseloadOutcomes"].deprecation_reason  # type: ignore[union-attr]
    assert reason and "outcomesReport" in reason
    # Kept for existing clients (and the bench suite): its document stays, but no page sends it.
    deprecated = set()
    for text in set(operation_documents().values()):
        document = parse(text)
        for error in validate(contract, document, [NoDeprecatedCustomRule]):
            at = error.nodes[0].loc.start  # type: ignore[index, union-attr]
            for operation in document.definitions:
                if isinstance(operation, OperationDefinitionNode) and operation.loc.start <= at < operation.loc.end:  # type: ignore[union-attr]
                    deprecated.add(operation.name.value)  # type: ignore[union-attr]
    assert deprecated == {"CaseloadOutcomes"}, deprecated
    # Operations are named in the web as strings, sometimes chosen at run time: no name may appear at all.
    web = "\n".join(path.read_text() for path in (REPO_ROOT / "web").rglob("*.js"))
    assert "CaseImport" in web
    assert [name for name in deprecated if name in web] == []
    assert "caseloadOutcomes" not in web
