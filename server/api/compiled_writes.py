"""Compiled trusted writes: a persisted mutation run without graphql-core and Strawberry's executor.

The generic executor costs a write about as much CPU as its statements do (bench/README.md, "ContributionAdd
compiled"). A compiled write is written for one exact trusted document (its file's SHA-256, the operation's name
and the shape of what it selects, as compiled reads are: server/api/compiled.py) and runs the same change as the
mutation's resolver (the same domain call through `run_mutation`: the same decision, audit, idempotency and
error codes); only the answer's JSON is built directly, from the row the change returned. Variables are coerced
by graphql-core, as the executor does: variables that do not coerce are left to the generic executor, which
answers them (nothing has run yet). Once the change has started, the compiled write answers everything itself,
errors included, located and masked as the executor would (`error_answer`): a change is never run twice.

tests/api/test_compiled_writes.py checks each compiled write against the generic executor, byte for byte: a
compiled write without that test does not ship.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    located_error,
)
from graphql.execution.values import get_variable_values
from strawberry.types import ExecutionResult

from server.api.compiled import operation_shape
from server.api.context import Context
from server.api.errors import ErrorPolicy
from server.api.persisted import TrustedDocument
from server.contribution import compiled_add_api as contribution_add
from server.meeting import compiled_writes_api as meeting_writes

log = logging.getLogger("taf.api.compiled")


@dataclass(frozen=True, slots=True)
class Operation:
    """What a compiled write knows of its operation: the schema, the operation and its one root field."""

    schema: GraphQLSchema
    definition: OperationDefinitionNode
    field: FieldNode

    @property
    def field_name(self) -> str:
        return self.field.name.value

    def coerced(self, variables: dict[str, Any]) -> dict[str, Any] | None:
        """The variables as graphql-core coerces them for execution (defaults filled in), or None when they do not
        coerce (the generic executor then answers with its errors)."""
        values = get_variable_values(self.schema, self.definition.variable_definitions, variables)
        return None if isinstance(values, list) else values.coerced

    def arguments(self, variables: dict[str, Any]) -> dict[str, Any]:
        """The root field's arguments, each a variable (what `info.selected_fields` gives a resolver)."""
        return {argument.name.value: variables[argument.value.name.value] for argument in self.field.arguments}  # type: ignore[attr-defined]


# A compiled write: the operation, the coerced variables, the context -> the answer's `data`, or raises.
CompiledWrite = Callable[[Operation, dict[str, Any], Context], Awaitable[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class CompiledWriteSpec:
    source: str
    operation: str
    shape: str  # operation_shape: what the write's answer builds
    write: CompiledWrite


COMPILED_WRITES = (
    CompiledWriteSpec(
        "contribution.graphql",
        "ContributionAdd",
        "d49b408ba06010f627538e89cb5585609c217bcfb6e9c9ef56ad301f030d69a1",
        contribution_add.contribution_add,
    ),
    CompiledWriteSpec(
        "meeting.graphql",
        "MinutesItemAdd",
        "ecf410d1b5e0b7a8b24489ced4efd1f33e3556c10bb00454d2187aa3a16dca0e",
        meeting_writes.minutes_item_add,
    ),
    CompiledWriteSpec(
        "meeting.graphql",
        "MeetingDecisionAdd",
        "07b0f58e749069d110c80c543c1ab676b93e54b48993fd5cb5b7f848fe68ecf2",
        meeting_writes.meeting_decision_add,
    ),
    CompiledWriteSpec(
        "meeting.graphql",
        "MinutesPublish",
        "19520a461cde8f6a6b59ad61fa7c67047081afda6c9311f39259fde921e62233",
        meeting_writes.minutes_publish,
    ),
)


@dataclass(frozen=True, slots=True)
class Ready:
    operation: Operation
    write: CompiledWrite


def compiled_writes(trusted: dict[str, TrustedDocument], schema: GraphQLSchema) -> dict[tuple[str, str], Ready]:
    """By (document hash, operation name), as `compiled_reads`: one whose operation changed is left out."""
    by_file = {document.source: document for document in trusted.values()}
    writes = {}
    for spec in COMPILED_WRITES:
        document = by_file[spec.source]
        if operation_shape(document.document, spec.operation) != spec.shape:
            log.warning("%s changed since it was compiled: the generic executor answers it", spec.operation)
            continue
        definition = next(
            d
            for d in document.document.definitions
            if isinstance(d, OperationDefinitionNode) and d.name and d.name.value == spec.operation
        )
        (field,) = definition.selection_set.selections
        assert isinstance(field, FieldNode) and field.alias is None and not field.directives
        writes[(document.sha256, spec.operation)] = Ready(Operation(schema, definition, field), spec.write)
    return writes


async def answer_write(
    writes: dict[tuple[str, str], Ready],
    trusted: TrustedDocument | None,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    context: Context,
) -> ExecutionResult | None:
    """The compiled write's answer, or None for "let the generic executor answer" (not a compiled write, nobody
    signed in, variables that do not coerce): decided before anything runs."""
    if trusted is None or operation_name is None or context.actor is None:
        return None
    ready = writes.get((trusted.sha256, operation_name))
    if ready is None:
        return None
    coerced = ready.operation.coerced(variables or {})
    if coerced is None:
        return None
    try:
        data = await ready.write(ready.operation, coerced, context)
    except Exception as error:  # answered as the executor answers any error of the field
        return error_answer(ready.operation, error)
    return ExecutionResult(data={ready.operation.field_name: data}, errors=None)


def error_answer(operation: Operation, error: Exception) -> ExecutionResult:
    """The executor's answer to a root field (non-null) that raised: no data, the error located at the field,
    masked by the schema's ErrorPolicy unless it is one of ours."""
    located = located_error(error, [operation.field], [operation.field_name])
    errors: list[GraphQLError] = ErrorPolicy()._process_errors([located])
    return ExecutionResult(data=None, errors=errors)
