"""State that lives as long as one transaction, typed: `state(session, Kind)`.

The outbox keeps there the events a transaction appended for its dispatch at commit, and the server's
audience what a dispatch batch read once for all its events. Each kind of state is a dataclass whose
fields all have defaults, made on first use. The session's `info` holds them all under one key, with the
transaction they belong to: a session that goes on to another transaction starts afresh, so nothing read
in one transaction is trusted in the next.
"""

from __future__ import annotations

from typing import Any, TypeVar

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
