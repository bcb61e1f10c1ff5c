"""How errors reach clients: a stable `code` on every error, and nothing internal ever shown."""

from __future__ import annotations

import logging

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from server.errors import TafError

log = logging.getLogger("taf.api")

UNEXPECTED = "Something went wrong on our side. Nothing was changed. Try again in a moment."


def _is_expected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is None or isinstance(original, TafError | GraphQLError)


def _code_for(error: GraphQLError) -> str:
    if error.message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if error.message.startswith("Variable '$") or isinstance(error.original_error, GraphQLError):
        return "BAD_USER_INPUT"
    return "GRAPHQL_VALIDATION_FAILED"


class ErrorPolicy(MaskErrors):
    """Masks unexpected exceptions, logging them here with their traceback."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda error: not _is_expected(error), error_message=UNEXPECTED)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        log.error("unexpected error at %s", error.path, exc_info=error.original_error)
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL"}
        return masked


def with_codes(errors: list[GraphQLError]) -> None:
    """Give a code to errors raised before execution (parse and validation), which carry none."""
    for error in errors:
        if not (error.extensions or {}).get("code"):
            error.extensions = {**(error.extensions or {}), "code": _code_for(error)}
