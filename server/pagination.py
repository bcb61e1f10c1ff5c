"""Opaque keyset cursors: (timestamp, id) pairs, newest first."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime

from server.errors import BadUserInput

MAX_PAGE = 100


def check_first(first: int) -> None:
    if not 1 <= first <= MAX_PAGE:
        raise BadUserInput(f"first must be between 1 and {MAX_PAGE}.", field="first")


def encode(at: datetime, row_id: object) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{row_id}".encode()).decode()


def decode(cursor: str) -> tuple[datetime, str]:
    try:
        text = base64.b64decode(cursor.encode(), altchars=b"-_", validate=True).decode()
        at, _, row_id = text.partition("|")
        return datetime.fromisoformat(at), row_id
    except (ValueError, UnicodeDecodeError):
        raise BadUserInput("That page cursor is not valid.", field="after") from None


def decode_uuid(cursor: str) -> tuple[datetime, uuid.UUID]:
    at, row_id = decode(cursor)
    try:
        return at, uuid.UUID(row_id)
    except ValueError:
        raise BadUserInput("That page cursor is not valid.", field="after") from None
