"""Writing the audit log. Every mutation records who did what to which family, in its own transaction."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Actor
from server.audit.models import AuditEvent, AuditOutcome


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
    session.add(
        AuditEvent(
            actor_user_id=actor.user_id if actor else user_id,
            action=action,
            outcome=outcome,
            family_id=family_id,
            address=address,
            detail=detail or {},
        )
    )
