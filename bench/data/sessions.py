"""Sign-ins minted as data: session_token rows, so that no argon2 password check (deliberately slow) sits in
a measurement. The app answers these tokens as it answers `authLogin`'s (tests/bench checks that one signs in)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg

COLUMNS = ["id", "user_id", "token_hash", "created_at", "expires_at", "revoked_at"]


def token_hash(token: str) -> str:
    """What session_token.token_hash holds for a bearer token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_rows(user_ids: list[uuid.UUID], hours: float = 4) -> tuple[dict[uuid.UUID, str], list[tuple]]:
    tokens = {user_id: secrets.token_urlsafe(32) for user_id in user_ids}
    now = datetime.now(UTC)
    rows = [
        (uuid.uuid4(), user_id, token_hash(token), now, now + timedelta(hours=hours), None)
        for user_id, token in tokens.items()
    ]
    return tokens, rows


async def mint_tokens(dsn: str, user_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """A bearer token for each user, valid for four hours."""
    tokens, rows = token_rows(user_ids)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.copy_records_to_table("session_token", records=rows, columns=COLUMNS)
    finally:
        await connection.close()
    return tokens
