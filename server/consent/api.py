from __future__ import annotations

import uuid
from datetime import datetime
from functools import partial

import strawberry

from server.agency.api import AgencyType
from server.api.mutation import mutate
from server.api.scalars import Info, idempotency_key_field, parse_id, parse_ids
from server.api.types import InformationCategoryType
from server.consent import service as consent_service
from server.consent.models import Consent, ConsentCapacity, ConsentDecision, EngagementAgreement
from server.consent.service import AgencyConsentState, ConsentIn
from server.user.api import StaffMemberType

ConsentDecisionType = strawberry.enum(ConsentDecision, name="ConsentDecision", description="Given or refused.")
ConsentCapacityType = strawberry.enum(
    ConsentCapacity,
    name="ConsentCapacity",
    description="self: an adult or a competent young person, for themselves; parental_responsibility: a parent"
    " or carer for a child.",
)


@strawberry.type(name="Consent", description="Consent to share (or a refusal) by a named family member.")
class ConsentType:
    id: strawberry.ID
    decision: ConsentDecisionType  # type: ignore[valid-type]
    capacity: ConsentCapacityType  # type: ignore[valid-type]
    categories: list[InformationCategoryType]  # type: ignore[valid-type]
    whole_team: bool = strawberry.field(description="True: to every agency on the team, now and later.")
    purpose: str
    evidence_reference: str = strawberry.field(description="Where the signed form or recording is kept.")
    valid_from: datetime
    valid_to: datetime | None
    withdrawn_at: datetime | None
    withdrawal_reason: str | None
    created_at: datetime
    row: strawberry.Private[Consent]

    @strawberry.field(description="The family member who decided.")
    async def given_by(self, info: Info) -> ConsentMember | None:
        members = await info.context.loaders.members_by_family_id.load(self.row.family_id)
        member = next((m for m in members if m.id == self.row.given_by_member_id), None)
        return ConsentMember(id=strawberry.ID(str(member.id)), full_name=member.full_name) if member else None

    @strawberry.field(description="The named agencies (empty when wholeTeam is true).")
    async def recipient_agencies(self, info: Info) -> list[AgencyType]:
        rows = await info.context.loaders.agency_by_id.load_many(self.row.recipient_agency_ids)
        return [AgencyType.from_row(row) for row in rows if row]

    @strawberry.field
    async def recorded_by(self, info: Info) -> StaffMemberType:
        return StaffMemberType.from_row(await info.context.loaders.user_by_id.load(self.row.recorded_by_user_id))

    @classmethod
    def from_row(cls, row: Consent) -> ConsentType:
        return cls(
            id=strawberry.ID(str(row.id)),
            decision=row.decision,
            capacity=row.capacity,
            categories=list(row.categories),
            whole_team=row.whole_team,
            purpose=row.purpose,
            evidence_reference=row.evidence_reference,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            withdrawn_at=row.withdrawn_at,
            withdrawal_reason=row.withdrawal_reason,
            created_at=row.created_at,
            row=row,
        )


@strawberry.type(name="ConsentMember", description="A family member who gave, refused or agreed to something.")
class ConsentMember:
    id: strawberry.ID
    full_name: str


@strawberry.type(
    name="EngagementAgreement",
    description="The family's agreement to engage in early help. Voluntary, and not a consent to share.",
)
class EngagementAgreementType:
    id: strawberry.ID
    member_id: strawberry.ID
    agreed: bool
    notes: str
    recorded_at: datetime

    @classmethod
    def from_row(cls, row: EngagementAgreement) -> EngagementAgreementType:
        return cls(
            id=strawberry.ID(str(row.id)),
            member_id=strawberry.ID(str(row.member_id)),
            agreed=row.agreed,
            notes=row.notes,
            recorded_at=row.recorded_at,
        )


@strawberry.type(
    name="AgreementGap",
    description="Consented, but no data-sharing agreement covers it: the family consented to share this category"
    " with the agency, yet it may not read these agencies' information in it, because no active agreement between"
    " them covers the category. What is missing is the agencies' agreement, not the family's consent.",
)
class AgreementGapType:
    category: InformationCategoryType  # type: ignore[valid-type]
    agencies: list[AgencyType] = strawberry.field(description="The agencies on the team without such an agreement.")


@strawberry.type(
    name="AgencyConsentState",
    description="For one agency on the team: what it may see and on what basis, computed from consent and"
    " override records (never from the items themselves).",
)
class AgencyConsentStateType:
    agency: AgencyType
    consented: list[InformationCategoryType]  # type: ignore[valid-type]
    refused: list[InformationCategoryType]  # type: ignore[valid-type]
    shared_by_override: list[InformationCategoryType]  # type: ignore[valid-type]
    missing: list[InformationCategoryType] = strawberry.field(  # type: ignore[valid-type]
        description="Categories with neither consent, refusal nor override: consent not yet asked."
    )
    consented_without_agreement: list[AgreementGapType] = strawberry.field(
        description="Of the consented categories, those some agencies' information in which this agency still may"
        " not read: no active data-sharing agreement between them covers the category (ask the IG officers)."
    )

    @classmethod
    def from_state(cls, state: AgencyConsentState) -> AgencyConsentStateType:
        return cls(
            agency=AgencyType.from_row(state.agency),
            consented=state.consented,
            refused=state.refused,
            shared_by_override=state.shared_by_override,
            missing=state.missing,
            consented_without_agreement=[
                AgreementGapType(
                    category=gap.category, agencies=[AgencyType.from_row(agency) for agency in gap.agencies]
                )
                for gap in state.without_agreement
            ],
        )


@strawberry.input(description="Record a family member's consent to share, or their refusal.")
class ConsentRecordInput:
    family_id: strawberry.ID
    given_by_member_id: strawberry.ID
    capacity: ConsentCapacityType  # type: ignore[valid-type]
    decision: ConsentDecisionType  # type: ignore[valid-type]
    categories: list[InformationCategoryType]  # type: ignore[valid-type]
    purpose: str = strawberry.field(description="What the information will be used for (required).")
    whole_team: bool = strawberry.field(default=False, description="Either this, or recipientAgencyIds.")
    recipient_agency_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    valid_from: datetime | None = strawberry.field(default=None, description="Defaults to now.")
    valid_to: datetime | None = strawberry.field(default=None, description="Empty: until withdrawn.")
    evidence_reference: str = ""
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input
class ConsentWithdrawInput:
    consent_id: strawberry.ID
    reason: str


@strawberry.input
class EngagementRecordInput:
    family_id: strawberry.ID
    member_id: strawberry.ID
    agreed: bool
    notes: str = ""
    idempotency_key: str | None = idempotency_key_field()


async def consents_of_family(info: Info, family_id: uuid.UUID) -> list[ConsentType]:
    async with info.context.read() as session:
        rows = await consent_service.list_for_family(session, info.context.access, family_id)
    return [ConsentType.from_row(row) for row in rows]


async def engagement_of_family(info: Info, family_id: uuid.UUID) -> list[EngagementAgreementType]:
    async with info.context.read() as session:
        rows = await consent_service.engagement_for_family(session, info.context.access, family_id)
    return [EngagementAgreementType.from_row(row) for row in rows]


async def consent_picture_of_family(info: Info, family_id: uuid.UUID) -> list[AgencyConsentStateType] | None:
    async with info.context.read() as session:
        states = await consent_service.consent_picture(session, info.context.access, family_id)
    return None if states is None else [AgencyConsentStateType.from_state(state) for state in states]


@strawberry.type
class ConsentMutation:
    @strawberry.mutation(description="Record consent or a refusal. It counts on the next request, on every server.")
    async def consent_record(self, info: Info, input: ConsentRecordInput) -> ConsentType:
        family_id = parse_id(input.family_id, "familyId")
        data = ConsentIn(
            given_by_member_id=parse_id(input.given_by_member_id, "givenByMemberId"),
            capacity=input.capacity,
            decision=input.decision,
            categories=list(input.categories),
            purpose=input.purpose,
            whole_team=input.whole_team,
            recipient_agency_ids=parse_ids(input.recipient_agency_ids, "recipientAgencyIds"),
            valid_from=input.valid_from,
            valid_to=input.valid_to,
            evidence_reference=input.evidence_reference,
        )
        row = await mutate(
            info,
            partial(consent_service.record, family_id=family_id, data=data),
            family_id=family_id,
            audit=lambda row: {"consentId": str(row.id), "decision": row.decision.value, "categories": row.categories},
            idempotency_key=input.idempotency_key,
            replay=Consent,
        )
        return ConsentType.from_row(row)

    @strawberry.mutation(description="Withdraw a consent. It stops counting at once, on every server.")
    async def consent_withdraw(self, info: Info, input: ConsentWithdrawInput) -> ConsentType:
        consent_id = parse_id(input.consent_id, "consentId")
        row = await mutate(
            info,
            partial(consent_service.withdraw, consent_id=consent_id, reason=input.reason),
            audit=lambda row: {"consentId": str(row.id)},
        )
        return ConsentType.from_row(row)

    @strawberry.mutation(description="Record whether a family member agrees to engage with early help.")
    async def engagement_record(self, info: Info, input: EngagementRecordInput) -> EngagementAgreementType:
        family_id = parse_id(input.family_id, "familyId")
        row = await mutate(
            info,
            partial(
                consent_service.record_engagement,
                family_id=family_id,
                member_id=parse_id(input.member_id, "memberId"),
                agreed=input.agreed,
                notes=input.notes,
            ),
            family_id=family_id,
            audit=lambda row: {"agreed": row.agreed},
            idempotency_key=input.idempotency_key,
            replay=EngagementAgreement,
        )
        return EngagementAgreementType.from_row(row)
