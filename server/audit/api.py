from __future__ import annotations

import uuid
from datetime import datetime
from functools import partial
from typing import Any

import strawberry
from strawberry.scalars import JSON

from server.api.labels import family_label
from server.api.mutation import mutate
from server.api.pagination import After, First, PageInfo
from server.api.scalars import Info, parse_id
from server.api.types import InformationCategoryType
from server.audit import queries as audit_queries
from server.audit.models import AuditEvent
from server.audit.queries import AccessLogEntry


@strawberry.type(name="AuditEvent", description="One entry of the append-only audit log.")
class AuditEventType:
    id: int
    at: datetime
    actor_user_id: strawberry.ID | None
    action: str
    outcome: str = strawberry.field(description="allowed, denied or failed.")
    family_id: strawberry.ID | None
    detail: JSON = strawberry.field(description="Ids and field names; never case content or secrets.")
    row_actor_id: strawberry.Private[uuid.UUID | None] = None
    row_family_id: strawberry.Private[uuid.UUID | None] = None

    @strawberry.field(description="The name of whoever did it; null for the service itself.")
    async def actor_name(self, info: Info) -> str | None:
        if self.row_actor_id is None:
            return None
        user = await info.context.loaders.user_by_id.load(self.row_actor_id)
        return user.display_name if user else None

    @strawberry.field(description="Which family it was about, as name and reference (for IG officers).")
    async def family_label(self, info: Info) -> str | None:
        return await family_label(info, self.row_family_id)

    @classmethod
    def from_row(cls, row: AuditEvent) -> AuditEventType:
        def text_id(value: Any) -> strawberry.ID | None:
            return strawberry.ID(str(value)) if value else None

        return cls(
            id=row.id or 0,
            at=row.at,
            actor_user_id=text_id(row.actor_user_id),
            action=row.action,
            outcome=row.outcome.value,
            family_id=text_id(row.family_id),
            detail=row.detail,
            row_actor_id=row.actor_user_id,
            row_family_id=row.family_id,
        )


@strawberry.type(name="AccessLogEntry", description="Someone from another agency looked at the family's information.")
class AccessLogEntryType:
    at: datetime
    viewer_name: str
    agency_name: str
    categories: list[InformationCategoryType]  # type: ignore[valid-type]
    item_count: int
    viewer_role: str = strawberry.field(description="Their role on the family's team; empty if none.")

    @classmethod
    def from_entry(cls, entry: AccessLogEntry) -> AccessLogEntryType:
        return cls(
            at=entry.at,
            viewer_name=entry.viewer_name,
            agency_name=entry.agency_name,
            categories=entry.categories,
            item_count=entry.item_count,
            viewer_role=entry.viewer_role,
        )


@strawberry.type(description="A page of the audit log, newest first.")
class AuditEventConnection:
    nodes: list[AuditEventType]
    page_info: PageInfo


@strawberry.input
class AuditDisclosureBlockInput:
    audit_event_id: int
    reason: str = strawberry.field(description="Why showing this entry to the family could put someone at risk.")


async def access_log_of_family(info: Info, family_id: uuid.UUID, first: int) -> list[AccessLogEntryType]:
    async with info.context.read() as session:
        entries = await audit_queries.access_log(session, info.context.access, family_id, first=first)
    return [AccessLogEntryType.from_entry(entry) for entry in entries]


@strawberry.type
class AuditQuery:
    @strawberry.field(description="Information-governance officers: the audit log, newest first.")
    async def audit_events(
        self, info: Info, family_id: strawberry.ID | None = None, first: First = 50, after: After = None
    ) -> AuditEventConnection:
        await info.context.spend("report")
        async with info.context.read() as session:
            page = await audit_queries.events(
                session,
                info.context.access,
                family_id=parse_id(family_id, "familyId") if family_id else None,
                first=first,
                after=after,
            )
        return AuditEventConnection(
            nodes=[AuditEventType.from_row(row) for row in page.items],
            page_info=PageInfo.of(page, audit_queries.cursor),
        )


@strawberry.type
class AuditMutation:
    @strawberry.mutation(description="Information-governance officers: withhold an entry from the family's view.")
    async def audit_disclosure_block(self, info: Info, input: AuditDisclosureBlockInput) -> bool:
        await mutate(
            info,
            partial(audit_queries.block_disclosure, audit_event_id=input.audit_event_id, reason=input.reason),
            audit=lambda _: {"auditEventId": input.audit_event_id},
        )
        return True
