from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from functools import partial

import strawberry

from server.access.actor import Act
from server.access.kinds import Kind
from server.api.mutation import mutate
from server.api.pagination import After, First, PageInfo
from server.api.scalars import Info, parse_id
from server.retention import erasure
from server.retention import service as retention_service
from server.retention.dates import PeriodDate, Retention
from server.retention.models import FamilyTombstone
from server.retention.schedule import CountedFrom, RecordKind, Schedule, load_schedule
from server.retention.words import applies
from server.user.api import StaffMemberType

RetentionRecordKindType = strawberry.enum(
    RecordKind, name="RetentionRecordKind", description="A kind of record the retention schedule names."
)
RetentionCountedFromType = strawberry.enum(
    CountedFrom,
    name="RetentionCountedFrom",
    description="closure, or the youngest subject child's 18th (child_18) or 25th (child_25) birthday.",
)


def schedule_of(info: Info) -> Schedule:
    return load_schedule(info.context.settings.retention_schedule_path)


@strawberry.type(name="RetentionPeriod", description="One period of the schedule that applies to the family.")
class RetentionPeriodType:
    counted_from: RetentionCountedFromType  # type: ignore[valid-type]
    years: int
    at_least_years_after_closure: int
    records: list[RetentionRecordKindType] = strawberry.field(  # type: ignore[valid-type]
        description="The kinds of record with this period that the family holds."
    )
    basis: list[str] = strawberry.field(description="Where each of those periods comes from.")
    from_start: date | None = strawberry.field(description="Counted from its start; null: no date of birth.")
    from_closure: date
    on: date = strawberry.field(description="The date this period gives: the later of the two.")

    @classmethod
    def of(cls, period: PeriodDate) -> RetentionPeriodType:
        rule = period.period
        return cls(
            counted_from=rule.counted_from,
            years=rule.years,
            at_least_years_after_closure=rule.at_least_years_after_closure,
            records=[held.record for held in period.held],
            basis=[held.basis for held in period.held],
            from_start=period.from_start,
            from_closure=period.from_closure,
            on=period.on,
        )


@strawberry.type(name="FamilyRetention", description="Until when a closed family's records are kept.")
class FamilyRetentionType:
    family_id: strawberry.ID
    closed_on: date
    due_on: date = strawberry.field(description="The records are reviewed by information governance after this.")
    applies_because: str = strawberry.field(description="What gives the date, in words.")

    @classmethod
    def of(cls, retention: Retention) -> FamilyRetentionType:
        return cls(
            family_id=strawberry.ID(str(retention.family_id)),
            closed_on=retention.closed_on,
            due_on=retention.due_on,
            applies_because=applies(retention),
        )


@strawberry.type(
    name="RetentionReview",
    description="A closed family in the information-governance officers' retention review. No case content.",
)
class RetentionReviewType:
    family_id: strawberry.ID
    reference: str
    closed_on: date
    due_on: date
    applies_because: str
    periods: list[RetentionPeriodType]
    extended_until: date | None
    extension_reason: str | None
    on_legal_hold: bool
    legal_hold_reason: str | None
    legal_hold_since: datetime | None
    label: strawberry.Private[str]

    @strawberry.field(description="Which family, as name and reference (kind family_label).")
    def family_label(self, info: Info) -> str | None:
        return self.label if info.context.access.can_outside_family(Act.read, Kind.family_label) else None

    @classmethod
    def of(cls, retention: Retention) -> RetentionReviewType:
        return cls(
            family_id=strawberry.ID(str(retention.family_id)),
            reference=retention.reference,
            closed_on=retention.closed_on,
            due_on=retention.due_on,
            applies_because=applies(retention),
            periods=[RetentionPeriodType.of(period) for period in retention.periods],
            extended_until=retention.extended_until,
            extension_reason=retention.extension_reason,
            on_legal_hold=retention.on_hold,
            legal_hold_reason=retention.hold_reason,
            legal_hold_since=retention.hold_since,
            label=f"{retention.display_name} ({retention.reference})",
        )


@strawberry.type(description="A page of the retention review queue.")
class RetentionReviewConnection:
    nodes: list[RetentionReviewType]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Every family waiting, not only those on this page.")


@strawberry.type(name="FamilyTombstone", description="What is kept of an erased family: no case content.")
class FamilyTombstoneType:
    family_id: strawberry.ID
    reference: str
    opened_on: date
    closed_on: date
    retention_due_on: date
    erased_at: datetime
    reason: str
    erased_by_id: strawberry.Private[uuid.UUID]

    @strawberry.field
    async def erased_by(self, info: Info) -> StaffMemberType | None:
        row = await info.context.loaders.user_by_id.load(self.erased_by_id)
        return StaffMemberType.from_row(row) if row else None

    @classmethod
    def of(cls, row: FamilyTombstone) -> FamilyTombstoneType:
        return cls(
            family_id=strawberry.ID(str(row.family_id)),
            reference=row.reference,
            opened_on=row.opened_on,
            closed_on=row.closed_on,
            retention_due_on=row.retention_due_on,
            erased_at=row.erased_at,
            reason=row.reason,
            erased_by_id=row.erased_by_user_id,
        )


@strawberry.input(description="Keep a family's records until a later date. Information-governance officers.")
class RetentionExtendInput:
    family_id: strawberry.ID
    retain_until: date = strawberry.field(description="Later than today and the current date; within 25 years.")
    reason: str = strawberry.field(description="Why the records are still needed (10 characters or more).")


@strawberry.input(description="Place or remove a legal hold. Information-governance officers.")
class RetentionLegalHoldInput:
    family_id: strawberry.ID
    reason: str = strawberry.field(description="10 characters or more.")


@strawberry.input(description="Erase a closed family's records. Information-governance officers.")
class FamilyEraseInput:
    family_id: strawberry.ID
    confirm_reference: str = strawberry.field(description="The family's reference, typed to confirm.")
    reason: str = strawberry.field(description="Why the records are erased now (10 characters or more).")


@strawberry.type
class RetentionQuery:
    @strawberry.field(
        description="Information-governance officers: closed families whose retention date has passed and that no"
        " legal hold keeps, the longest overdue first; with onLegalHold, those a legal hold keeps."
    )
    async def retention_review_queue(
        self, info: Info, first: First = 50, after: After = None, on_legal_hold: bool = False
    ) -> RetentionReviewConnection:
        await info.context.spend("search")
        async with info.context.read() as session:
            page = await retention_service.queue(
                session, info.context.access, schedule_of(info), on_hold=on_legal_hold, first=first, after=after
            )
        return RetentionReviewConnection(
            nodes=[RetentionReviewType.of(row) for row in page.items],
            page_info=PageInfo.of(page, retention_service.cursor),
            total_count=page.total,  # type: ignore[arg-type]
        )

    @strawberry.field(description="Information-governance officers: one closed family's retention review.")
    async def retention_review(self, info: Info, family_id: strawberry.ID) -> RetentionReviewType:
        async with info.context.read() as session:
            found = await retention_service.review_of(
                session, info.context.access, schedule_of(info), parse_id(family_id, "familyId")
            )
        return RetentionReviewType.of(found)

    @strawberry.field(description="Until when a closed family's records are kept; null while the record is open.")
    async def family_retention(self, info: Info, family_id: strawberry.ID) -> FamilyRetentionType | None:
        async with info.context.read() as session:
            found = await retention_service.for_team(
                session, info.context.access, schedule_of(info), parse_id(family_id, "familyId")
            )
        return FamilyRetentionType.of(found) if found else None

    @strawberry.field(description="Information-governance officers: erased families, the latest first (100 max).")
    async def erased_families(self, info: Info, first: int = 50) -> list[FamilyTombstoneType]:
        async with info.context.read() as session:
            rows = await erasure.tombstones(session, info.context.access, first=first)
        return [FamilyTombstoneType.of(row) for row in rows]


@strawberry.type
class RetentionMutation:
    @strawberry.mutation(description="Keep a closed family's records until a later date, with a reason.")
    async def retention_extend(self, info: Info, input: RetentionExtendInput) -> RetentionReviewType:
        found = await mutate(
            info,
            partial(
                retention_service.extend,
                schedule=schedule_of(info),
                family_id=parse_id(input.family_id, "familyId"),
                retain_until=input.retain_until,
                reason=input.reason,
            ),
            audit=lambda _: {"retainUntil": input.retain_until.isoformat()},
        )
        return RetentionReviewType.of(found)

    @strawberry.mutation(description="Keep a closed family's records whatever their date, until the hold is removed.")
    async def retention_legal_hold_place(self, info: Info, input: RetentionLegalHoldInput) -> RetentionReviewType:
        return await _legal_hold(info, retention_service.place_hold, input)

    @strawberry.mutation(description="Remove a legal hold, with a reason; the records' date applies again.")
    async def retention_legal_hold_remove(self, info: Info, input: RetentionLegalHoldInput) -> RetentionReviewType:
        return await _legal_hold(info, retention_service.remove_hold, input)

    @strawberry.mutation(
        description="Erase a closed family's records once their retention date has passed: every row about the"
        " family goes; a tombstone (reference, dates, who, when, why) and the audit log stay. CONFLICT while the"
        " record is open, under a legal hold or not yet due."
    )
    async def family_erase(self, info: Info, input: FamilyEraseInput) -> FamilyTombstoneType:
        tombstone, _ = await mutate(
            info,
            partial(
                erasure.erase,
                schedule=schedule_of(info),
                family_id=parse_id(input.family_id, "familyId"),
                confirm_reference=input.confirm_reference,
                reason=input.reason,
            ),
            audit=lambda erased: {"reference": erased[0].reference, "removed": erased[1]},
        )
        return FamilyTombstoneType.of(tombstone)


async def _legal_hold(
    info: Info, change: Callable[..., Awaitable[Retention]], input: RetentionLegalHoldInput
) -> RetentionReviewType:
    """Place or remove a legal hold: the same question, the same audit entry (its reason stays in the
    retention decision, not the log)."""
    family_id = parse_id(input.family_id, "familyId")
    found = await mutate(info, partial(change, schedule=schedule_of(info), family_id=family_id, reason=input.reason))
    return RetentionReviewType.of(found)
