"""Compiled trusted reads: a persisted operation answered by one SQL statement that returns its JSON.

The generic executor runs every field of a document through graphql-core and a resolver; for the hottest
reads of the web front end that costs more than the data (bench/README.md). A compiled read is written
for one exact trusted document (its file's SHA-256 and the operation's name) and for the variables it
understands; anything else, and every error (an id that is not one, a family the caller may not see, a
database fault), is answered by the generic executor, so error answers cannot differ. Policy comes from
the one enforcement point: the family decision through `AccessControl.decide`, the items through
`AccessControl.item_filter` (the SQL form of the rules in server/access/rules.py), the audit through
`AccessControl.note_read` and the same flush as every request (server/api/audit.py).

tests/api/test_compiled_reads.py checks each compiled read against the generic executor, actor by actor
and state by state: a compiled read without that test does not ship.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from server.api.context import Context
from server.api.persisted import TrustedDocument
from server.contribution import compiled_api as contribution_compiled
from server.family import compiled_api as family_compiled

log = logging.getLogger("taf.api.compiled")

# A compiled read: the variables, the context -> the `data` member of the answer as JSON text, or None
# for "let the generic executor answer".
CompiledRead = Callable[[Context, dict[str, Any]], Awaitable[str | None]]


@dataclass(frozen=True, slots=True)
class RawData:
    """The `data` of an answer, already JSON (from PostgreSQL): the view writes it out as it is."""

    json: str


# (file, operation name) -> compiled read. The file's hash is checked at start-up (compiled_reads).
COMPILED: dict[tuple[str, str], CompiledRead] = {
    ("contribution.graphql", "FamilyContributions"): contribution_compiled.family_contributions,
    ("family.graphql", "Caseload"): family_compiled.caseload,
}


def compiled_reads(trusted: dict[str, TrustedDocument]) -> dict[tuple[str, str], CompiledRead]:
    """By (document hash, operation name): a compiled read serves only the exact text it was written for."""
    by_file = {document.source: document for document in trusted.values()}
    return {(by_file[source].sha256, name): read for (source, name), read in COMPILED.items()}


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
