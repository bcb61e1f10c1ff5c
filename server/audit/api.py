from __future__ import annotations

import uuid
from datetime import date, datetime
from functools import partial
from typing import Any

import strawberry
from strawberry.scalars import JSON

from server.access.categories import InformationCategory
from server.api.mutation import mutate
from server.api.pagination import After, First, PageInfo
from server.api.scalars import Info, parse_id
from server.api.types import InformationCategoryType
from server.audit import log as audit_log
from server.audit import queries as audit_queries
from server.audit.log import EXPORT_LIMIT, AuditLogEntry, AuditLogExport, AuditLogFilter
from server.audit.models import AuditOutcome
from server.audit.queries import AccessLogEntry

AuditOutcomeType = strawberry.enum(AuditOutcome, name="AuditOutcome", description="How a request ended.")


@strawberry.type(name="AuditEvent", description="One entry of the append-only audit log.")
class AuditEventType:
    id: int
    at: datetime
    actor_user_id: strawberry.ID | None
    action: str = strawberry.field(description="The kind of event as a code; `what` names it in plain English.")
    what: str = strawberry.field(description="The kind of event in plain English, for example 'Recorded consent'.")
    outcome: str = strawberry.field(description="allowed, denied or failed.")
    family_id: strawberry.ID | None
    detail: JSON = strawberry.field(description="Ids and field names; never case content or secrets.")
    actor_name: str | None = strawberry.field(description="The name of whoever did it; null for the service itself.")
    actor_agency_name: str | None = strawberry.field(
        description="Their agency; null for family members and the service."
    )
    family_label: str | None = strawberry.field(
        description="Which family it was about, as name and reference (for IG officers); null when not about a family."
    )
    owning_agency_names: list[str] = strawberry.field(
        description="For a read of case content: the agencies whose information it was. Empty otherwise."
    )
    categories: list[InformationCategoryType] = strawberry.field(  # type: ignore[valid-type]
        description="For a read of case content: the categories of what was read, never the content. Empty otherwise."
    )
    withheld_from_family: bool = strawberry.field(
        description="An IG officer has withheld this entry from the family's view of who has looked."
    )
    withholdable: bool = strawberry.field(
        description="A read the family's view of who has looked could show, not yet withheld (auditDisclosureBlock)."
    )

    @classmethod
    def from_entry(cls, entry: AuditLogEntry) -> AuditEventType:
        def text_id(value: Any) -> strawberry.ID | None:
            return strawberry.ID(str(value)) if value else None

        return cls(
            id=entry.id,
            at=entry.at,
            actor_user_id=text_id(entry.actor_user_id),
            action=entry.action,
            what=entry.what,
            outcome=entry.outcome,
            family_id=text_id(entry.family_id),
            detail=entry.detail,
            actor_name=entry.actor_name,
            actor_agency_name=entry.actor_agency,
            family_label=entry.family_label,
            owning_agency_names=entry.owning_agencies,
            categories=[c for c in entry.categories if c in InformationCategory.__members__],
            withheld_from_family=entry.withheld_from_family,
            withholdable=entry.withholdable,
        )


@strawberry.type(description="A kind of audit event: its code and its name in plain English.")
class AuditEventKind:
    code: str
    name: str


@strawberry.input(description="Narrows the audit log. Every part is optional; they combine with AND.")
class AuditLogFilterInput:
    family_reference: str | None = strawberry.field(
        default=None, description="A family's reference, exactly (any case), such as TAF-2024-0001."
    )
    actor: str | None = strawberry.field(
        default=None, description="Part of the name or email address of whoever did it (any case)."
    )
    kind: str | None = strawberry.field(
        default=None, description="One code from auditEventKinds; anything else is BAD_USER_INPUT."
    )
    outcome: AuditOutcomeType | None = None  # type: ignore[valid-type]
    from_: date | None = strawberry.field(default=None, name="from", description="The first day, in UK time, included.")
    to: date | None = strawberry.field(
        default=None, description="The last day, in UK time, included; before `from` is BAD_USER_INPUT."
    )

    def to_filter(self, family_id: uuid.UUID | None = None) -> AuditLogFilter:
        return AuditLogFilter(
            family_id=family_id,
            family_reference=self.family_reference,
            actor=self.actor,
            kind=self.kind,
            outcome=self.outcome,
            from_date=self.from_,
            to_date=self.to,
        )


@strawberry.type(description="The filtered audit log as a CSV file (UTF-8). The export is itself audited.")
class AuditLogExportType:
    csv: str
    row_count: int
    complete: bool = strawberry.field(
        description=f"False when more than {EXPORT_LIMIT} entries matched: the file holds the newest {EXPORT_LIMIT}."
    )

    @classmethod
    def from_export(cls, result: AuditLogExport) -> AuditLogExportType:
        return cls(csv=result.csv, row_count=result.rows, complete=result.complete)


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
    @strawberry.field(description="Information-governance officers: the audit log, newest first, filtered.")
    async def audit_events(
        self,
        info: Info,
        family_id: strawberry.ID | None = None,
        filter: AuditLogFilterInput | None = None,
        first: First = 50,
        after: After = None,
    ) -> AuditEventConnection:
        await info.context.spend("report")
        log_filter = (filter or AuditLogFilterInput()).to_filter(parse_id(family_id, "familyId") if family_id else None)
        async with info.context.read() as session:
            page = await audit_log.entries(session, info.context.access, log_filter, first=first, after=after)
        return AuditEventConnection(
            nodes=[AuditEventType.from_entry(entry) for entry in page.items],
            page_info=PageInfo.of(page, audit_log.cursor),
        )

    @strawberry.field(description="Information-governance officers: every kind of audit event, by name.")
    def audit_event_kinds(self, info: Info) -> list[AuditEventKind]:
        return [AuditEventKind(code=code, name=name) for code, name in audit_log.kinds(info.context.access)]


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

    @strawberry.mutation(
        description=f"Information-governance officers: the filtered audit log as CSV, up to {EXPORT_LIMIT} entries."
    )
    async def audit_log_export(self, info: Info, input: AuditLogFilterInput) -> AuditLogExportType:
        await info.context.spend("report")
        log_filter = input.to_filter()
        result = await mutate(
            info,
            partial(audit_log.export, log_filter=log_filter),
            audit=lambda export: {"filter": log_filter.as_detail(), "rows": export.rows, "complete": export.complete},
        )
        return AuditLogExportType.from_export(result)
