"""State that lives as long as one transaction, typed: `state(session, Kind)`.

The outbox keeps there the events a transaction appended for its dispatch at commit, and the server's
audience what a dispatch batch read once for all its events. Each kind of state is a dataclass whose
fields all have defaults, made on first use. The session's `info` holds them all under one key, with the
transaction they belong to: a session that goes on to another transaction starts afresh, so nothing read
in one transaction is trusted in the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

S = TypeVar("S")

_KEY = "taf_transaction_state"


def state(session: AsyncSession, kind: type[S]) -> S:
    """The current transaction's `kind` of state (a new `kind()` the first time it is asked for)."""
    transaction = session.sync_session.get_transaction()
    held: tuple[object, dict[type, Any]] | None = session.info.get(_KEY)
    if held is None or held[0] is not transaction:
        held = session.info[_KEY] = (transaction, {})
    states = held[1]
    if kind not in states:
        states[kind] = kind()
    return states[kind]


@dataclass(slots=True)
class _Connection:
    held: AsyncConnection | None = None


async def connection(session: AsyncSession) -> AsyncConnection:
    """The connection of the session's transaction (begun if need be), for a Core statement that needs nothing of
    the ORM: no session execution, events or objects loaded (a hot write's lock, facts and batched write). The
    session's pending changes are flushed first, as its autoflush would before a statement of its own, so the
    statement sees them."""
    if session.new or session.dirty or session.deleted:
        await session.flush()
    if session.sync_session.get_transaction() is None:
        return await session.connection()  # begins the transaction; the next call keeps its connection
    known = state(session, _Connection)
    if known.held is None:
        known.held = await session.connection()
    return known.held
