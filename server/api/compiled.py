"""Compiled trusted reads: a persisted operation answered by one SQL statement that returns its JSON.

The generic executor runs every field of a document through graphql-core and a resolver; for the hottest
reads of the web front end that costs more than the data (bench/README.md). A compiled read is written
for one exact trusted document (its file's SHA-256 and the operation's name) and for the variables it
understands; anything else, and every error (an id that is not one, a family the caller may not see, a
database fault), is answered by the generic executor, so error answers cannot differ. Policy comes from
the one enforcement point: the family decision and the items through `StatementPolicy` (server/access/pep.py:
the SQL form of the rules in server/access/rules.py over the family's facts, read in the same statement), the
audit through `AccessControl.note_reads_decided` with the basis the statement worked out, and the same flush as
every request (server/api/audit.py). A compiled read's statement is built and compiled once and run with its
values (server/db/prepared.py).

tests/api/test_compiled_reads.py checks each compiled read against the generic executor, actor by actor
and state by state: a compiled read without that test does not ship.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    OperationDefinitionNode,
    Visitor,
    print_ast,
    visit,
)

from server.api.context import Context
from server.api.persisted import TrustedDocument
from server.chronology import compiled_api as chronology_compiled
from server.consent import compiled_api as consent_compiled
from server.contribution import compiled_api as contribution_compiled
from server.family import compiled_api as family_compiled
from server.family import compiled_record_api as family_record_compiled
from server.safeguarding import compiled_api as safeguarding_compiled

log = logging.getLogger("taf.api.compiled")

# A compiled read: the variables, the context -> the `data` member of the answer as JSON text, or None
# for "let the generic executor answer".
CompiledRead = Callable[[Context, dict[str, Any]], Awaitable[str | None]]


@dataclass(frozen=True, slots=True)
class RawData:
    """The `data` of an answer, already JSON (from PostgreSQL): the view writes it out as it is."""

    json: str


@dataclass(frozen=True, slots=True)
class Compiled:
    source: str  # the file of graphql/operations/
    operation: str
    shape: str  # SHA-256 of the operation as written for (operation_shape): what the SQL's JSON matches
    read: CompiledRead


COMPILED = (
    Compiled(
        "contribution.graphql",
        "FamilyContributions",
        "01f67346be65d793396ebfe7089cfc7e542665cf886d189d5cb09c7726510baa",
        contribution_compiled.family_contributions,
    ),
    Compiled(
        "family.graphql",
        "Caseload",
        "a992e721ef203ca193599d12f73f61a8d4f13da96b74f42065a1baf97e149929",
        family_compiled.caseload,
    ),
    Compiled(
        "family.graphql",
        "Family",
        "e7af3d859db2ba6e3452bedba47cef2c5de7c30781903a3ad58900c768f1a658",
        family_record_compiled.family,
    ),
    Compiled(
        "safeguarding.graphql",
        "FamilySafeguarding",
        "1bf46c86809c4f3f8b9cca3c7375480dfb8ee1b4580a739c6083d6e06651abb8",
        safeguarding_compiled.family_safeguarding,
    ),
    Compiled(
        "consent.graphql",
        "FamilyConsents",
        "9572318374514c53f7db9eeb18d1cf2afa53823e87cd9a642d7b8b4c7b6243e2",
        consent_compiled.family_consents,
    ),
    Compiled(
        "family.graphql",
        "FamilyPage",
        "4d66d096ff102296dfd4954db11cac847614189e2c398ffbfcba9e3291fafc6c",
        family_record_compiled.family_page,
    ),
    Compiled(
        "chronology.graphql",
        "FamilyChronology",
        "b5a0af6a8bea21fdae3aeccc676c3d9b01cd34b6955647063ef8777dcf924862",
        chronology_compiled.family_chronology,
    ),
    Compiled(
        "family_contributions_page.graphql",
        "FamilyContributionsPage",
        "9c3c77e6f9af8578ac6f5686e035a764c356e0a4f2c37e4a452100ee18e719a1",
        contribution_compiled.family_contributions_page,
    ),
)


def operation_shape(document: DocumentNode, name: str) -> str:
    """SHA-256 of the operation and the fragments it uses, printed: changes when what it selects changes, not
    when another operation of the same file does."""
    operations = {d.name.value: d for d in document.definitions if isinstance(d, OperationDefinitionNode) and d.name}
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    used: dict[str, FragmentDefinitionNode] = {}
    pending: list = [operations[name]]
    while pending:
        for spread in _spreads(pending.pop()):
            if spread not in used:
                used[spread] = fragments[spread]
                pending.append(fragments[spread])
    text = "\n".join([print_ast(operations[name]), *(print_ast(used[key]) for key in sorted(used))])
    return hashlib.sha256(text.encode()).hexdigest()


def _spreads(node: Any) -> list[str]:
    names: list[str] = []

    class Spreads(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: Any) -> None:
            names.append(spread.name.value)

    visit(node, Spreads())
    return names


def compiled_reads(trusted: dict[str, TrustedDocument]) -> dict[tuple[str, str], CompiledRead]:
    """By (document hash, operation name): a compiled read serves only the exact text it was written for. One
    whose operation no longer selects what its SQL writes is left out (the generic executor answers it), and
    tests/api/test_compiled_reads.py fails until the read and its shape are brought up to date."""
    by_file = {document.source: document for document in trusted.values()}
    reads = {}
    for compiled in COMPILED:
        document = by_file[compiled.source]
        if operation_shape(document.document, compiled.operation) != compiled.shape:
            log.warning("%s changed since it was compiled: the generic executor answers it", compiled.operation)
            continue
        reads[(document.sha256, compiled.operation)] = compiled.read
    return reads


async def answer(
    reads: dict[tuple[str, str], CompiledRead],
    trusted: TrustedDocument | None,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    context: Context,
) -> RawData | None:
    if trusted is None or operation_name is None or context.actor is None:
        return None
    read = reads.get((trusted.sha256, operation_name))
    if read is None:
        return None
    try:
        data = await read(context, variables or {})
    except Exception:  # the generic executor answers instead, with its error codes
        log.warning("compiled %s failed; answered by the generic executor", operation_name, exc_info=True)
        if context._access is not None:  # nothing it noted may be logged twice
            context._access.reads.clear()
            context._access.denials.clear()
        return None
    return RawData(data) if data is not None else None
