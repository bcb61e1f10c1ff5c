from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import Any

import strawberry

from server.agency.api import AgencyType
from server.api.labels import family_label
from server.api.mutation import mutate
from server.api.pagination import After, First, PageInfo
from server.api.scalars import Info, idempotency_key_field, parse_id, parse_ids
from server.api.types import InformationCategoryType
from server.safeguarding import service as safeguarding_service
from server.safeguarding.models import LawfulBasis, SafeguardingOverride, SharingDecision
from server.safeguarding.service import OverrideIn, SharingDecisionIn
from server.user.api import StaffMemberType

LawfulBasisType = strawberry.enum(
    LawfulBasis,
    name="LawfulBasis",
    description="public_task_safeguarding: UK GDPR Art 6(1)(e) with DPA 2018 Sch 1 para 18; legal_obligation: Art"
    " 6(1)(c); vital_interests: Art 6(1)(d); recognised_legitimate_interest: Art 6(1)(ea) (safeguarding);"
    " legitimate_interests: Art 6(1)(f), for voluntary and private bodies.",
)


async def _owning_agency(root: Any, info: Info) -> AgencyType:
    return AgencyType.from_row(await info.context.loaders.agency_by_id.load(root.row.owning_agency_id))


async def _recipient_agencies(root: Any, info: Info) -> list[AgencyType]:
    rows = await info.context.loaders.agency_by_id.load_many(root.row.recipient_agency_ids)
    return [AgencyType.from_row(row) for row in rows if row]


async def _decided_by(root: Any, info: Info) -> StaffMemberType:
    return StaffMemberType.from_row(await info.context.loaders.user_by_id.load(root.row.decided_by_user_id))


@strawberry.type(
    name="SafeguardingOverride",
    description="Information shared without consent because a child is at risk of significant harm. Visible to"
    " the lead professional, the agencies involved, their managers and information-governance officers.",
)
class SafeguardingOverrideType:
    id: strawberry.ID
    family_id: strawberry.ID
    categories: list[InformationCategoryType]  # type: ignore[valid-type]
    justification: str
    lawful_basis: LawfulBasisType  # type: ignore[valid-type]
    advice_sought: str
    family_informed: bool
    not_informed_reason: str | None
    starts_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revocation_reason: str | None
    reviewed_at: datetime | None
    review_note: str | None
    row: strawberry.Private[SafeguardingOverride]

    owning_agency: AgencyType = strawberry.field(
        resolver=_owning_agency, description="The agency whose information is shared."
    )
    recipient_agencies: list[AgencyType] = strawberry.field(resolver=_recipient_agencies)
    decided_by: StaffMemberType = strawberry.field(resolver=_decided_by)

    @strawberry.field(description="Which family, as name and reference: for IG officers reviewing overrides.")
    async def family_label(self, info: Info) -> str | None:
        return await family_label(info, self.row.family_id)

    @strawberry.field(description="In force now: started, not expired, not revoked.")
    def active(self) -> bool:
        now = datetime.now(self.row.expires_at.tzinfo)
        return self.row.revoked_at is None and self.row.starts_at <= now < self.row.expires_at

    @classmethod
    def from_row(cls, row: SafeguardingOverride) -> SafeguardingOverrideType:
        return cls(
            id=strawberry.ID(str(row.id)),
            family_id=strawberry.ID(str(row.family_id)),
            categories=list(row.categories),
            justification=row.justification,
            lawful_basis=row.lawful_basis,
            advice_sought=row.advice_sought,
            family_informed=row.family_informed,
            not_informed_reason=row.not_informed_reason,
            starts_at=row.starts_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            revocation_reason=row.revocation_reason,
            reviewed_at=row.reviewed_at,
            review_note=row.review_note,
            row=row,
        )


@strawberry.type(name="SharingDecision", description="A recorded decision not to share, with its reasons.")
class SharingDecisionType:
    id: strawberry.ID
    categories: list[InformationCategoryType]  # type: ignore[valid-type]
    reason: str
    created_at: datetime
    row: strawberry.Private[SharingDecision]

    recipient_agencies: list[AgencyType] = strawberry.field(resolver=_recipient_agencies)
    decided_by: StaffMemberType = strawberry.field(resolver=_decided_by)

    @classmethod
    def from_row(cls, row: SharingDecision) -> SharingDecisionType:
        return cls(
            id=strawberry.ID(str(row.id)),
            categories=list(row.categories),
            reason=row.reason,
            created_at=row.created_at,
            row=row,
        )


@strawberry.input(description="Share your agency's information without consent, to safeguard a child.")
class SafeguardingOverrideInput:
    family_id: strawberry.ID
    categories: list[InformationCategoryType]  # type: ignore[valid-type]
    recipient_agency_ids: list[strawberry.ID] = strawberry.field(description="Other agencies on the team.")
    justification: str = strawberry.field(description="Why the risk of harm warrants it (20 characters or more).")
    lawful_basis: LawfulBasisType  # type: ignore[valid-type]
    expires_at: datetime = strawberry.field(description="Required; within 90 days.")
    family_informed: bool
    not_informed_reason: str = strawberry.field(default="", description="Required when familyInformed is false.")
    advice_sought: str = strawberry.field(default="", description="e.g. 'DSL and Caldicott Guardian, 3 Nov'.")
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input
class SafeguardingOverrideRevokeInput:
    override_id: strawberry.ID
    reason: str


@strawberry.input
class SafeguardingOverrideReviewInput:
    override_id: strawberry.ID
    note: str


@strawberry.input(description="Record a decision not to share, with the reasons.")
class SharingDecisionInput:
    family_id: strawberry.ID
    categories: list[InformationCategoryType]  # type: ignore[valid-type]
    recipient_agency_ids: list[strawberry.ID]
    reason: str
    idempotency_key: str | None = idempotency_key_field()


async def overrides_of_family(info: Info, family_id: uuid.UUID) -> list[SafeguardingOverrideType]:
    async with info.context.read() as session:
        rows = await safeguarding_service.for_family(session, info.context.access, family_id)
    return [SafeguardingOverrideType.from_row(row) for row in rows]


async def decisions_of_family(info: Info, family_id: uuid.UUID) -> list[SharingDecisionType]:
    async with info.context.read() as session:
        rows = await safeguarding_service.decisions_for_family(session, info.context.access, family_id)
    return [SharingDecisionType.from_row(row) for row in rows]


@strawberry.type(description="A page of overrides, most recent activity (recorded or reviewed) first.")
class SafeguardingOverrideConnection:
    nodes: list[SafeguardingOverrideType]
    page_info: PageInfo
    total_count: int = strawberry.field(description="How many overrides match, on any page.")


@strawberry.type
class SafeguardingQuery:
    @strawberry.field(description="Information-governance officers: every override, unreviewed first (100 max).")
    async def safeguarding_overrides(
        self, info: Info, unreviewed_only: bool = False, first: int = 50
    ) -> list[SafeguardingOverrideType]:
        await info.context.spend("search")
        async with info.context.read() as session:
            rows = await safeguarding_service.review_queue(
                session, info.context.access, unreviewed_only=unreviewed_only, first=first
            )
        return [SafeguardingOverrideType.from_row(row) for row in rows]

    @strawberry.field(description="Information-governance officers: every override, a page at a time.")
    async def safeguarding_override_queue(
        self, info: Info, unreviewed_only: bool = False, first: First = 50, after: After = None
    ) -> SafeguardingOverrideConnection:
        await info.context.spend("search")
        async with info.context.read() as session:
            page = await safeguarding_service.review_page(
                session, info.context.access, unreviewed_only=unreviewed_only, first=first, after=after
            )
        return SafeguardingOverrideConnection(
            nodes=[SafeguardingOverrideType.from_row(row) for row in page.items],
            page_info=PageInfo.of(page, safeguarding_service.review_cursor),
            total_count=page.total or 0,
        )


@strawberry.type
class SafeguardingMutation:
    @strawberry.mutation(
        description="Share without consent where a child is at risk of significant harm. IG officers and the lead"
        " professional see it at once; it ends at expiresAt or when an IG officer revokes it."
    )
    async def safeguarding_override_record(
        self, info: Info, input: SafeguardingOverrideInput
    ) -> SafeguardingOverrideType:
        family_id = parse_id(input.family_id, "familyId")
        data = OverrideIn(
            categories=list(input.categories),
            recipient_agency_ids=parse_ids(input.recipient_agency_ids, "recipientAgencyIds"),
            justification=input.justification,
            lawful_basis=input.lawful_basis,
            expires_at=input.expires_at,
            family_informed=input.family_informed,
            advice_sought=input.advice_sought,
            not_informed_reason=input.not_informed_reason,
        )
        row = await mutate(
            info,
            partial(safeguarding_service.record_override, family_id=family_id, data=data),
            family_id=family_id,
            audit=lambda row: {
                "overrideId": str(row.id),
                "categories": row.categories,
                "recipientAgencyIds": [str(a) for a in row.recipient_agency_ids],
            },
            idempotency_key=input.idempotency_key,
            replay=SafeguardingOverride,
        )
        return SafeguardingOverrideType.from_row(row)

    @strawberry.mutation(description="Information-governance officers: end an override now.")
    async def safeguarding_override_revoke(
        self, info: Info, input: SafeguardingOverrideRevokeInput
    ) -> SafeguardingOverrideType:
        return await _override_changed(info, safeguarding_service.revoke, input.override_id, reason=input.reason)

    @strawberry.mutation(description="Information-governance officers: record the review of an override.")
    async def safeguarding_override_review(
        self, info: Info, input: SafeguardingOverrideReviewInput
    ) -> SafeguardingOverrideType:
        return await _override_changed(info, safeguarding_service.review, input.override_id, note=input.note)

    @strawberry.mutation(description="Record a decision not to share, and why.")
    async def sharing_decision_record(self, info: Info, input: SharingDecisionInput) -> SharingDecisionType:
        family_id = parse_id(input.family_id, "familyId")
        data = SharingDecisionIn(
            categories=list(input.categories),
            reason=input.reason,
            recipient_agency_ids=parse_ids(input.recipient_agency_ids, "recipientAgencyIds"),
        )
        row = await mutate(
            info,
            partial(safeguarding_service.record_decision_not_to_share, family_id=family_id, data=data),
            family_id=family_id,
            audit=lambda row: {"sharingDecisionId": str(row.id)},
            idempotency_key=input.idempotency_key,
            replay=SharingDecision,
        )
        return SharingDecisionType.from_row(row)


async def _override_changed(
    info: Info, change: Callable[..., Awaitable[SafeguardingOverride]], override_id: strawberry.ID, **words: str
) -> SafeguardingOverrideType:
    """An information-governance officer ends or reviews an override; audited by the override's id."""
    call = partial(change, override_id=parse_id(override_id, "overrideId"), **words)
    row = await mutate(info, call, audit=lambda row: {"overrideId": str(row.id)})
    return SafeguardingOverrideType.from_row(row)
