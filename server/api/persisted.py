"""Persisted operations: the documents of graphql/operations/ are the trusted set.

Each file is parsed and validated once, at start-up (a file that does not validate stops start-up), and
is known by the SHA-256 of its text, hex-encoded: the Apollo persisted-query convention. A client sends
`{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "<hash>"}}, "operationName": ...,
"variables": ...}` instead of the text; an unknown hash answers PERSISTED_QUERY_NOT_FOUND (Apollo's code),
and nothing is ever registered at run time: the set is the folder. A request that sends a trusted file's
text in full also skips parsing and validation. Any other document runs through Strawberry's parser and
validation caches, as before, so GraphiQL and third-party clients are unaffected.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse
from strawberry.extensions import SchemaExtension
from strawberry.extensions.parser_cache import _get_parse_cache
from strawberry.extensions.validation_cache import _get_validate_cache
from strawberry.schema.schema import validate_document

NOT_FOUND = "PersistedQueryNotFound"
CACHE_SIZE = 512  # untrusted documents: bounded, so unique texts cannot grow memory


@dataclass(frozen=True, slots=True)
class TrustedDocument:
    sha256: str
    text: str
    document: DocumentNode
    source: str  # the file, for messages


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class TrustedDocuments:
    """The trusted set, by hash and by text. Filled once the schema exists (validation needs it)."""

    def __init__(self) -> None:
        self.by_hash: dict[str, TrustedDocument] = {}
        self.by_text: dict[str, TrustedDocument] = {}

    def load(self, folder: Path, schema: GraphQLSchema, rules: tuple[type[ASTValidationRule], ...]) -> None:
        for path in sorted(folder.glob("*.graphql")):
            text = path.read_text()
            document = parse(text)
            errors = validate_document(schema, document, rules)
            if errors:
                raise ValueError(f"{path.name} does not validate against the schema: {errors[0].message}")
            trusted = TrustedDocument(sha256_of(text), text, document, path.name)
            self.by_hash[trusted.sha256] = trusted
            self.by_text[text] = trusted

    def resolve(self, query: str | None, extensions: dict[str, Any] | None) -> TrustedDocument | None:
        """The trusted document a request names (by hash, or by sending its text), or None for an
        arbitrary document. GraphQLError when it names a hash that is not in the set, or sends a text
        with a hash that is not the text's."""
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            return self.by_text.get(query) if query else None
        digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if not isinstance(digest, str):
            raise GraphQLError("persistedQuery needs a sha256Hash.", extensions={"code": "BAD_USER_INPUT"})
        if query is not None and sha256_of(query) != digest:
            message = "The sha256Hash is not the hash of the query sent."
            raise GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})
        trusted = self.by_hash.get(digest)
        if trusted is None:
            raise GraphQLError(NOT_FOUND, extensions={"code": "PERSISTED_QUERY_NOT_FOUND"})
        return trusted


def document_cache(
    trusted: TrustedDocuments, *, max_tokens: int, rules: tuple[type[ASTValidationRule], ...]
) -> Callable[[], SchemaExtension]:
    """Parsing and validation: none for a trusted document (done at start-up), cached for the rest. The token
    limit and every validation rule (graphql-core's and ours) are applied here, in one extension, rather than
    by one extension each (MaxTokensLimiter, AddValidationRules, DisableIntrospection): each extension costs
    every request its hooks, and a trivial query's whole cost is a millisecond."""

    class DocumentCache(SchemaExtension):
        def __init__(self) -> None:
            super().__init__()
            self.parse = _get_parse_cache(CACHE_SIZE)
            self.validate = _get_validate_cache(CACHE_SIZE)
            self.trusted: TrustedDocument | None = None

        def on_parse(self) -> Iterator[None]:
            context = self.execution_context
            self.trusted = trusted.by_text.get(context.query) if context.query else None
            if self.trusted is not None:
                context.graphql_document = self.trusted.document
            else:
                context.graphql_document = self.parse(context.query, max_tokens=max_tokens)
            yield

        def on_validate(self) -> Iterator[None]:
            context = self.execution_context
            if self.trusted is not None:
                context.pre_execution_errors = []
            else:
                context.pre_execution_errors = self.validate(context.schema._schema, context.graphql_document, rules)
            yield

    return DocumentCache
