"""Writes what a request read and was refused to the audit log, once, when the operation ends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from strawberry.extensions import SchemaExtension

from server.audit import service as audit
from server.db.engine import unit_of_work


class RequestAudit(SchemaExtension):
    async def on_operation(self) -> AsyncIterator[None]:
        yield
        await flush(self.execution_context.context)


async def flush(context: Any) -> None:
    """Also called by compiled reads (server/api/compiled.py), which do not run the schema's extensions."""
    access = getattr(context, "_access", None)
    if access is None or not (access.reads or access.denials):
        return
    reads, denials = list(access.reads), list(access.denials)
    access.reads.clear()
    access.denials.clear()
    statement = audit.request_events(access.actor, reads, denials, context.address)
    if statement is None:
        return
    engine = getattr(context, "engine", None)
    if engine is None:
        async with unit_of_work(context.sessions) as session:
            await session.exec(statement)  # type: ignore[call-overload]
        return
    # One statement is its own transaction: sent alone (autocommit), it is one round trip, not BEGIN, INSERT
    # and COMMIT, with the same rows, chained by the same trigger under the same lock.
    async with engine.connect() as connection:
        alone = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await alone.execute(statement)
