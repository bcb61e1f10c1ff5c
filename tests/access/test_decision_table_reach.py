"""The decision table must reach every read path: every query and subscription the front end sends
(graphql/operations/) that selects case content is one the table runs, and every kind of case content
the schema holds is a kind the table has rows for."""

from __future__ import annotations

from functools import cache

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    build_schema,
    get_named_type,
    parse,
    visit,
)

from server.config import REPO_ROOT
from tests.access.decision_paths import LOOKUPS, READERS, TABLE_OPERATIONS
from tests.graphql_client import operation_documents

# Types whose fields carry an agency's case content: those that say whether the caller may read it, and
# those that are nothing but content (withheld ones are never returned).
WHOLE_CONTENT_TYPES = {
    "Contribution",
    "ContributionVersion",
    "MinutesItem",
    "MeetingDecision",
    "MeetingAddendum",
    "ServiceReceived",
}


@cache
def schema() -> GraphQLSchema:
    return build_schema((REPO_ROOT / "graphql" / "schema.graphql").read_text())


def content_types() -> set[str]:
    found = set(WHOLE_CONTENT_TYPES)
    for name, graphql_type in schema().type_map.items():
        if isinstance(graphql_type, GraphQLObjectType) and {"contentVisible", "reasonVisible"} & set(
            graphql_type.fields
        ):
            found.add(name)
    return found


def selects_content(operation: OperationDefinitionNode, document) -> bool:
    info, kinds = TypeInfo(schema()), content_types()
    hits: list[str] = []

    class Selected(Visitor):
        def enter_field(self, node: FieldNode, *_args) -> None:
            parent = info.get_parent_type()
            if parent is not None and get_named_type(parent).name in kinds:
                hits.append(parent.name)

    for definition in [operation, *used_fragments(operation, document)]:
        visit(definition, TypeInfoVisitor(info, Selected()))
    return bool(hits)


class Spreads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_args) -> None:
        self.names.append(node.name.value)


def used_fragments(operation: OperationDefinitionNode, document) -> list[FragmentDefinitionNode]:
    """The fragments the operation spreads, directly or through other fragments."""
    by_name = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    found: dict[str, FragmentDefinitionNode] = {}
    pending = [operation]
    while pending:
        spreads = Spreads()
        visit(pending.pop(), spreads)
        for name in spreads.names:
            if name not in found:
                found[name] = by_name[name]
                pending.append(by_name[name])
    return list(found.values())


def read_operations_selecting_content() -> set[str]:
    found = set()
    for name, text in operation_documents().items():
        document = parse(text)
        for definition in document.definitions:
            if (
                isinstance(definition, OperationDefinitionNode)
                and definition.name
                and definition.name.value == name
                and definition.operation.value in ("query", "subscription")
                and selects_content(definition, document)
            ):
                found.add(name)
    return found


def test_every_read_operation_that_selects_content_is_run_by_the_table():
    assert read_operations_selecting_content() - TABLE_OPERATIONS == set()


def test_the_table_runs_only_operations_that_exist():
    assert set(operation_documents()) >= TABLE_OPERATIONS
    assert {lookup.operation for lookup in LOOKUPS.values()} <= TABLE_OPERATIONS
    assert {path.operation for paths in READERS.values() for path in paths} <= TABLE_OPERATIONS


def test_the_guard_sees_content_where_it_is():
    # the guard itself must notice content: the contribution list selects it, the agency list does not
    assert "FamilyContributions" in read_operations_selecting_content()
    assert "Agencies" not in read_operations_selecting_content()
