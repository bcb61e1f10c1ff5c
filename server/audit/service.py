"""Writing the audit log. Every mutation records who did what to which family, in its own transaction."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from server import writes
from server.access.actor import Actor
from server.audit import read_detail
from server.audit.models import AuditEvent, AuditOutcome
from server.audit.read_detail import Reads
from server.clock import utcnow


async def record(
    session: AsyncSession,
    actor: Actor | None,
    action: str,
    *,
    family_id: uuid.UUID | None = None,
    outcome: AuditOutcome = AuditOutcome.allowed,
    detail: dict[str, Any] | None = None,
    address: str | None = None,
    user_id: uuid.UUID | None = None,
) -> None:
    """Append one audit event. `detail` holds ids and field names, never case content or secrets."""
    session.add(event(actor, action, family_id, outcome, detail, address, user_id))


def record_later(
    session: AsyncSession,
    actor: Actor,
    action: str,
    *,
    family_id: uuid.UUID | None,
    detail: dict[str, Any],
    address: str | None,
) -> None:
    """Append an allowed change's audit event with the change's other rows, in one statement (writes.flush)."""
    values = _row(actor, action, family_id, AuditOutcome.allowed, detail or {}, address)
    writes.insert_later(session, _TABLE, values)  # its statement built once (no ORM object either)


def event(
    actor: Actor | None,
    action: str,
    family_id: uuid.UUID | None = None,
    outcome: AuditOutcome = AuditOutcome.allowed,
    detail: dict[str, Any] | None = None,
    address: str | None = None,
    user_id: uuid.UUID | None = None,
) -> AuditEvent:
    return AuditEvent(
        actor_user_id=actor.user_id if actor else user_id,
        action=action,
        outcome=outcome,
        family_id=family_id,
        address=address,
        detail=detail or {},
    )


_TABLE = AuditEvent.__table__  # type: ignore[attr-defined]
_SET_BY_THE_DATABASE = {"id", "chain_position", "prev_hash", "hash"}


def _values(row: AuditEvent) -> dict[str, Any]:
    return {
        column.name: getattr(row, column.name) for column in _TABLE.columns if column.name not in _SET_BY_THE_DATABASE
    }


def read_action(kind: str) -> str:
    """The audit action of a read of one kind of record: `contribution_read`, `assessment_rating_read`, ..."""
    return f"{kind}_read"


async def record_request(session: AsyncSession, actor: Actor, reads: Reads, denials: list[dict], address: str) -> None:
    """The events of `request_events`, in the session's transaction."""
    statement = request_events(actor, reads, denials, address)
    if statement is not None:
        await session.exec(statement)  # type: ignore[call-overload]


def request_events(actor: Actor, reads: Reads, denials: list[dict], address: str) -> sa.Insert | None:
    """`request_rows` as one INSERT statement (None when there are none)."""
    events = request_rows(actor, reads, denials, address)
    return sa.insert(_TABLE).values(events) if events else None


def request_rows(actor: Actor, reads: Reads, denials: list[dict], address: str) -> list[dict[str, Any]]:
    """One event per family and kind of content whose other-agency items the request read (named after
    the kind: `minutes_item_read`), and one per refused lookup, in that order and in one statement (every
    request that reads another agency's items writes them: no ORM unit of work for them). Each read keeps its
    own facts (owning agency, category, the rule that allowed it and, for an override, which one) so the
    access log can decide every entry on its own (server/audit/read_detail.py)."""
    allowed = AuditOutcome.allowed
    events = [
        _row(actor, read_action(kind), family_id, allowed, read_detail.compact(items), address)
        for (family_id, kind), items in reads.items()
        if items
    ]
    for denial in denials:
        denied = AuditOutcome.denied
        events.append(_row(actor, denial["action"], denial["family_id"], denied, denial["detail"], address))
    return events


def _row(
    actor: Actor, action: str, family_id: uuid.UUID | None, outcome: AuditOutcome, detail: dict, address: str | None
) -> dict[str, Any]:
    """`_values(event(...))` without the ORM object: the columns an event is written with."""
    return {
        "at": utcnow(),
        "actor_user_id": actor.user_id,
        "action": action,
        "outcome": outcome,
        "family_id": family_id,
        "address": address,
        "detail": detail,
    }
