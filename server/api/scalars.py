"""Helpers for the edge between GraphQL values and domain values."""

from __future__ import annotations

import uuid
from typing import TypeAlias

import strawberry

from server.api.context import Context
from server.errors import BadUserInput

MAX_IDS = 100

Info: TypeAlias = strawberry.Info[Context, None]


def parse_id(value: strawberry.ID | str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise BadUserInput(f"{field} is not a valid id.", field=field) from None


def parse_ids(values: list[strawberry.ID] | list[str], field: str) -> list[uuid.UUID]:
    if len(values) > MAX_IDS:
        raise BadUserInput(f"{field} can hold at most {MAX_IDS} ids.", field=field)
    return [parse_id(value, field) for value in values]


def idempotency_key_field() -> str | None:
    """The optional `idempotencyKey` of every input that creates something (server/idempotency.py)."""
    return strawberry.field(
        default=None,
        description="A value unique to this attempt (8-100 characters, e.g. a UUID). A retry with the same key"
        " returns what the first attempt created instead of creating it again; the same key with other values or"
        " for another mutation is CONFLICT.",
    )
