"""Writes what a request read and was refused to the audit log, once, when the operation ends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from strawberry.extensions import SchemaExtension

from server.audit import group_commit
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
    reads, denials = dict(access.reads), list(access.denials)
    access.reads.clear()
    access.denials.clear()
    engine = getattr(context, "engine", None)
    if engine is None:
        async with unit_of_work(context.sessions) as session:
            await audit.record_request(session, access.actor, reads, denials, context.address)
        return
    rows = audit.request_rows(access.actor, reads, denials, context.address)
    if rows:
        # Committed (synchronous commit) before the request answers; together with the events of the requests
        # that arrive meanwhile, in one transaction, one lock and one WAL flush (server/audit/group_commit.py).
        await group_commit.writer(engine).write(rows)
