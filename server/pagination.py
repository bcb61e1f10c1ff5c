"""Keyset pagination, the same for every list that has pages: one page-size limit, one page shape and one
opaque cursor. A cursor holds the sort key of the last row of a page (for example its creation time and
id); the next page is the rows after that key, so a row added meanwhile never shifts a page."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from server.errors import BadUserInput

MAX_PAGE = 100

T = TypeVar("T")
Key = date | datetime | uuid.UUID | int | str

_PARSE: dict[type, Callable[[str], Any]] = {date: date.fromisoformat, datetime: datetime.fromisoformat}


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    has_next: bool
    total: int | None = None  # for lists that say how many match

    @classmethod
    def of(cls, rows: list[T], first: int, *, total: int | None = None) -> Page[T]:
        """From the rows of a query limited to `first + 1`: the extra row only says there is a next page."""
        return cls(rows[:first], len(rows) > first, total)


def check_first(first: int) -> None:
    if not 1 <= first <= MAX_PAGE:
        raise BadUserInput(f"first must be between 1 and {MAX_PAGE}.", field="first")


def encode(*key: Key) -> str:
    text = "|".join(part.isoformat() if isinstance(part, date) else str(part) for part in key)
    return base64.urlsafe_b64encode(text.encode()).decode()


def decode(cursor: str, *types: type) -> tuple[Any, ...]:
    """The sort key in a cursor, one value of each of `types`; BAD_USER_INPUT for anything else."""
    try:
        text = base64.b64decode(cursor.encode(), altchars=b"-_", validate=True).decode()
        parts = text.split("|", len(types) - 1)
        if len(parts) != len(types):
            raise ValueError(text)
        return tuple(_PARSE.get(kind, kind)(part) for kind, part in zip(types, parts, strict=True))
    except (ValueError, UnicodeDecodeError):
        raise BadUserInput("That page cursor is not valid.", field="after") from None
