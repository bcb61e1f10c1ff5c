"""How errors reach clients: a stable `code` on every error, and nothing internal ever shown."""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
from graphql import GraphQLError, ValidationContext, ValidationRule
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from strawberry.extensions import MaskErrors
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from server.errors import TafError

log = logging.getLogger("taf.api")

UNEXPECTED = "Something went wrong on our side. Nothing was changed. Try again in a moment."
UNAVAILABLE = "The service is briefly unavailable and nothing was saved. Try again in a moment."
TIMEOUT = "That took too long and was stopped; nothing was saved. Try a smaller request, or again later."

_CONNECTION_LOST = (
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,  # "another operation is in progress": a connection the database cut, mid-statement
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.InsufficientResourcesError,  # includes disk full
    ConnectionError,
    OSError,
    PoolTimeout,
)


def _fault(original: BaseException | None) -> tuple[str, str] | None:
    """The code and message for a fault of the database rather than of our code, or None."""
    cause = original.orig.__cause__ if isinstance(original, DBAPIError) and original.orig else original
    if isinstance(original, DBAPIError) and original.connection_invalidated:
        return "UNAVAILABLE", UNAVAILABLE
    if isinstance(cause, asyncpg.QueryCanceledError):
        return "TIMEOUT", TIMEOUT
    if isinstance(cause, _CONNECTION_LOST) or isinstance(original, _CONNECTION_LOST):
        return "UNAVAILABLE", UNAVAILABLE
    return None


def _is_expected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is None or isinstance(original, TafError | GraphQLError)


_LIMIT_MESSAGES = (
    "exceeds maximum operation depth",
    "aliases found. Allowed",
    "tokens. Parsing aborted",
    "Subscription limit reached",
)


def _code_for(message: str, original: BaseException | None = None) -> str:
    if any(text in message for text in _LIMIT_MESSAGES):
        return "LIMIT_EXCEEDED"
    if message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if message.startswith("Variable '$") or isinstance(original, GraphQLError):
        return "BAD_USER_INPUT"
    return "GRAPHQL_VALIDATION_FAILED"


def formatted_with_code(error: dict) -> dict:
    """The same, for an error already formatted for the wire (websocket protocol errors)."""
    if (error.get("extensions") or {}).get("code"):
        return error
    return {**error, "extensions": {**(error.get("extensions") or {}), "code": _code_for(error.get("message", ""))}}


class ErrorPolicy(MaskErrors):
    """Masks unexpected exceptions, logging them here with their traceback."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda error: not _is_expected(error), error_message=UNEXPECTED)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        fault = _fault(error.original_error)
        masked = super().anonymise_error(error)
        if fault is None:
            log.error("unexpected error at %s", error.path, exc_info=error.original_error)
            masked.extensions = {"code": "INTERNAL"}
        else:
            log.warning("database fault at %s: %s", error.path, type(error.original_error).__name__)
            masked.message, masked.extensions = fault[1], {"code": fault[0]}
        return masked


def with_codes(errors: list[GraphQLError]) -> None:
    """Give a code to errors raised before execution (parse and validation), which carry none."""
    for error in errors:
        if not (error.extensions or {}).get("code"):
            error.extensions = {**(error.extensions or {}), "code": _code_for(error.message, error.original_error)}


# Production answers a mistyped name without "Did you mean 'families'?": the suggestions would spell out
# the schema that introspection refuses. graphql-core leaves them out when validate() and execute() are
# given hide_suggestions=True; Strawberry passes neither, so these two set it (production only).


class HideSuggestions(ValidationRule):
    """Validation (unknown fields, arguments, types, enum values): set before any rule visits the document."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        context._hide_suggestions = True


class HideSuggestionsInExecution(StrawberryGraphQLCoreExecutionContext):
    """Variables coerced at execution ("Field 'titel' is not defined by type ...", enum values)."""

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> Any:
        return super().build(*args, **{**kwargs, "hide_suggestions": True})
