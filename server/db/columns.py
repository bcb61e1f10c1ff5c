"""Column helpers shared by the table modules."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field

from server.clock import utcnow


def id_field() -> Any:
    return Field(default_factory=uuid.uuid4, primary_key=True)


def created_at_field() -> Any:
    return Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), nullable=False)


def enum_field(enum: type[StrEnum], *, name: str, nullable: bool = False, **kwargs: Any) -> Any:
    """A VARCHAR with a CHECK constraint: simpler to migrate than a native PostgreSQL enum type."""
    column_type = sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )
    return Field(sa_type=column_type, nullable=nullable, **kwargs)


def category_array() -> sa.types.TypeEngine:
    """A list of information categories (server/access/categories.py), as consents and overrides hold them."""
    return ARRAY(sa.String(32))
