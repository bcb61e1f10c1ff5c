"""Reading the audit log: for IG officers, and "who has seen our information" for the family."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import pagination
from server.access.actor import Act
from server.access.pep import AccessControl
from server.agency.models import Agency
from server.audit.disclosure import AuditDisclosureBlock
from server.audit.models import AuditEvent, AuditOutcome
from server.errors import Conflict, NotFound
from server.team.models import TeamMembership
from server.user.models import User
from server.validation import required_text

READ_ACTION = "contribution_read"


@dataclass(frozen=True)
class AccessLogEntry:
    at: datetime
    viewer_name: str
    agency_name: str
    categories: list[str]
    item_count: int
    viewer_role: str = ""  # their role on the family's team, e.g. "Designated safeguarding lead"


async def events(
    session: AsyncSession,
    access: AccessControl,
    *,
    family_id: uuid.UUID | None,
    first: int,
    after: int | None,
) -> list[AuditEvent]:
    """Newest first; `after` is the id of the last event of the previous page."""
    pagination.check_first(first)
    access.require_outside_family(Act.read, "audit")
    statement = select(AuditEvent)
    if family_id is not None:
        statement = statement.where(AuditEvent.family_id == family_id)
    if after is not None:
        statement = statement.where(col(AuditEvent.id) < after)
    return list((await session.exec(statement.order_by(col(AuditEvent.id).desc()).limit(first))).all())


async def access_log(
    session: AsyncSession, access: AccessControl, family_id: uuid.UUID, *, first: int = 50
) -> list[AccessLogEntry]:
    """Reads of the family's items by agencies other than the one that wrote them, except entries an IG
    officer marked unsafe to disclose. Returns [] to whoever may not see the log."""
    pagination.check_first(first)
    if not await access.can(session, Act.read, "access_log", family_id):
        return []
    blocked = select(AuditDisclosureBlock.audit_event_id).where(AuditDisclosureBlock.audit_event_id == AuditEvent.id)
    role = (
        select(TeamMembership.agency_role)
        .where(TeamMembership.family_id == family_id, TeamMembership.user_id == AuditEvent.actor_user_id)
        .order_by(col(TeamMembership.valid_from).desc())
        .limit(1)
        .scalar_subquery()
    )
    statement = (
        select(AuditEvent, User.display_name, Agency.name, role)
        .join(User, col(User.id) == AuditEvent.actor_user_id)
        .join(Agency, col(Agency.id) == User.agency_id)
        .where(
            AuditEvent.family_id == family_id,
            AuditEvent.action == READ_ACTION,
            AuditEvent.outcome == AuditOutcome.allowed,
            ~sa.exists(blocked),
        )
        .order_by(col(AuditEvent.id).desc())
        .limit(first)
    )
    return [
        AccessLogEntry(
            event.at,
            name,
            agency,
            sorted(set(event.detail.get("categories", []))),
            len(event.detail.get("items", [])),
            viewer_role or "",
        )
        for event, name, agency, viewer_role in (await session.exec(statement)).all()
    ]


async def block_disclosure(
    session: AsyncSession, access: AccessControl, *, audit_event_id: int, reason: str
) -> AuditDisclosureBlock:
    access.require_outside_family(Act.update, "audit")
    if await session.get(AuditEvent, audit_event_id) is None:
        raise NotFound("No audit event with that id.")
    existing = select(AuditDisclosureBlock).where(AuditDisclosureBlock.audit_event_id == audit_event_id)
    if (await session.exec(existing)).first() is not None:
        raise Conflict("That entry is already withheld from the family.")
    row = AuditDisclosureBlock(
        audit_event_id=audit_event_id,
        marked_by_user_id=access.actor.user_id,
        reason=required_text(reason, "reason", 1000),
    )
    session.add(row)
    await session.flush()
    return row
