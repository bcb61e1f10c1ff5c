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


async def record_request(
    session: AsyncSession, actor: Actor, reads: list[dict], denials: list[dict], address: str
) -> None:
    """One event per family whose other-agency items the request read, and one per refused lookup."""
    by_family: dict[uuid.UUID, list[dict]] = {}
    for read in reads:
        by_family.setdefault(read["family_id"], []).append(read)
    for family_id, items in by_family.items():
        unique = list({item["item_id"]: item for item in items}.values())
        await record(
            session,
            actor,
            "contribution_read",
            family_id=family_id,
            address=address,
            detail={
                "items": [item["item_id"] for item in unique],
                "categories": sorted({item["category"] for item in unique}),
                "owningAgencyIds": sorted({item["owning_agency_id"] for item in unique}),
                "basis": sorted({item["basis"] for item in unique if item["basis"]}),
            },
        )
    for denial in denials:
        await record(
            session,
            actor,
            denial["action"],
            family_id=denial["family_id"],
            outcome=AuditOutcome.denied,
            detail=denial["detail"],
            address=address,
        )
