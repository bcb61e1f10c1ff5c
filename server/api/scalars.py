"""Helpers for the edge between GraphQL values and domain values."""

from __future__ import annotations

import uuid
from typing import TypeAlias

import strawberry

from server.api.context import Context
from server.errors import BadUserInput

Info: TypeAlias = strawberry.Info[Context, None]


def parse_id(value: strawberry.ID | str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise BadUserInput(f"{field} is not a valid id.", field=field) from None
