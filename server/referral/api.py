from __future__ import annotations

import uuid
from datetime import date
from functools import partial

import strawberry

from server.agency.api import AgencyType
from server.api.mutation import mutate
from server.api.scalars import Info, idempotency_key_field, parse_id
from server.api.types import InformationCategoryType
from server.family.api import LevelOfNeedType
from server.referral import service as referral_service
from server.referral.models import Referral, ReferralConsent, ReferralOutcome
from server.referral.service import DecisionIn, ReferralIn, Referrer, Seen
from server.user.api import StaffMemberType

ReferralConsentType = strawberry.enum(
    ReferralConsent,
    name="ReferralConsent",
    description="Whether the family agreed to be referred: given, refused, or not_sought (for example where asking"
    " would put a child at risk).",
)
ReferralOutcomeType = strawberry.enum(
    ReferralOutcome,
    name="ReferralOutcome",
    description="The threshold decision's outcome: accepted, redirected (to another service), no_further_action.",
)


def _days(start: date, end: date | None) -> int | None:
    return (end - start).days if end is not None else None


@strawberry.type(
    name="Referral",
    description="A referral of the family and its threshold decision. The team (and the managers of its agencies)"
    " see who referred, when, with what consent, the decision's level, outcome, date and decision-maker, and the"
    " waits; the reason, the presenting needs and the decision's rationale are the recording agency's information"
    " and are shown only to those the sharing rules allow for its category (null otherwise).",
)
class ReferralType:
    id: strawberry.ID
    family_id: strawberry.ID
    version: int = strawberry.field(description="Send it back as expectedVersion; a stale one gives CONFLICT.")
    received_on: date
    referrer_name: str
    referrer_organisation: str = strawberry.field(description="The referrer's agency or organisation.")
    referrer_role: str
    referrer_contact: str
    consent: ReferralConsentType  # type: ignore[valid-type]
    consent_given_by: str = strawberry.field(description="Who gave (or refused) consent; empty when not sought.")
    category: InformationCategoryType  # type: ignore[valid-type]
    reason_visible: bool = strawberry.field(
        description="Whether the caller may read the reason, the presenting needs and the decision's rationale."
    )
    reason: str | None = strawberry.field(
        description="Why the family was referred. Null when the caller may not read it."
    )
    presenting_needs: str | None = strawberry.field(description="Null when the caller may not read it.")
    decided: bool = strawberry.field(description="Whether the threshold decision has been recorded.")
    decided_level: LevelOfNeedType | None  # type: ignore[valid-type]
    decided_on: date | None
    decision_reason: str | None = strawberry.field(
        description="Why the decision was made. Null before the decision, or when the caller may not read the reason."
    )
    outcome: ReferralOutcomeType | None  # type: ignore[valid-type]
    redirected_to: str = strawberry.field(description="Where a redirected referral was sent; empty otherwise.")
    first_contact_on: date | None = strawberry.field(description="The date a worker first reached the family.")
    assessed_on: date | None = strawberry.field(
        description="The date of the family's first assessment on or after the referral was received."
    )
    days_to_decision: int | None = strawberry.field(description="Days from receivedOn to decidedOn.")
    days_to_first_contact: int | None = strawberry.field(description="Days from receivedOn to firstContactOn.")
    days_to_assessment: int | None = strawberry.field(description="Days from receivedOn to assessedOn.")
    re_referral: bool = strawberry.field(
        description="Whether this referral follows a closed case: the family's own, or a closed family sharing a"
        " member (same name and date of birth). Only cases the caller may see are shown."
    )
    earlier_family_id: strawberry.ID | None = strawberry.field(description="The closed case's family, if shown.")
    earlier_family_reference: str | None = strawberry.field(description="Its reference, e.g. TAF-1001.")
    seen: strawberry.Private[Seen]

    @strawberry.field(description="Who recorded the referral.")
    async def recorded_by(self, info: Info) -> StaffMemberType:
        return StaffMemberType.from_row(await info.context.loaders.user_by_id.load(self.seen.row.recorded_by_user_id))

    @strawberry.field(description="The named decision-maker; null before the decision.")
    async def decided_by(self, info: Info) -> StaffMemberType | None:
        user_id = self.seen.row.decided_by_user_id
        return StaffMemberType.from_row(await info.context.loaders.user_by_id.load(user_id)) if user_id else None

    @strawberry.field(description="The agency that recorded the referral and whose information its reason is.")
    async def recording_agency(self, info: Info) -> AgencyType:
        return AgencyType.from_row(await info.context.loaders.agency_by_id.load(self.seen.row.owning_agency_id))

    @classmethod
    def from_seen(cls, seen: Seen) -> ReferralType:
        row, visible = seen.row, seen.reason_visible
        return cls(
            id=strawberry.ID(str(row.id)),
            family_id=strawberry.ID(str(row.family_id)),
            version=row.version,
            received_on=row.received_on,
            referrer_name=row.referrer_name,
            referrer_organisation=row.referrer_organisation,
            referrer_role=row.referrer_role,
            referrer_contact=row.referrer_contact,
            consent=row.consent,
            consent_given_by=row.consent_given_by,
            category=row.category,
            reason_visible=visible,
            reason=row.reason if visible else None,
            presenting_needs=row.presenting_needs if visible else None,
            decided=row.outcome is not None,
            decided_level=row.decided_level,
            decided_on=row.decided_on,
            decision_reason=row.decision_reason if visible else None,
            outcome=row.outcome,
            redirected_to=row.redirected_to,
            first_contact_on=row.first_contact_on,
            assessed_on=seen.assessed_on,
            days_to_decision=_days(row.received_on, row.decided_on),
            days_to_first_contact=_days(row.received_on, row.first_contact_on),
            days_to_assessment=_days(row.received_on, seen.assessed_on),
            re_referral=seen.earlier is not None,
            earlier_family_id=strawberry.ID(str(seen.earlier.id)) if seen.earlier else None,
            earlier_family_reference=seen.earlier.reference if seen.earlier else None,
            seen=seen,
        )


@strawberry.input(description="Who referred the family.")
class ReferrerInput:
    name: str = strawberry.field(description="200 characters at most.")
    organisation: str = strawberry.field(description="Their agency or organisation; 200 characters at most.")
    role: str = strawberry.field(default="", description="200 characters at most.")
    contact: str = strawberry.field(default="", description="Telephone or e-mail; 300 characters at most.")


@strawberry.input(
    description="Record a referral against a family's record (open or closed: a closed family referred again)."
    " Lead professional only."
)
class ReferralRecordInput:
    family_id: strawberry.ID
    received_on: date = strawberry.field(description="Today or earlier.")
    referrer: ReferrerInput
    consent: ReferralConsentType  # type: ignore[valid-type]
    consent_given_by: str = strawberry.field(
        default="", description="The family member who gave or refused consent: required unless not sought."
    )
    reason: str = strawberry.field(description="Why the family was referred; 5,000 characters at most.")
    presenting_needs: str = strawberry.field(description="5,000 characters at most.")
    category: InformationCategoryType = strawberry.field(  # type: ignore[valid-type]
        description="The category of information the reason and needs hold: it decides who may read them."
    )
    idempotency_key: str | None = idempotency_key_field()

    def to_referral(self) -> ReferralIn:
        referrer = self.referrer
        return ReferralIn(
            received_on=self.received_on,
            referrer=Referrer(referrer.name, referrer.organisation, referrer.role, referrer.contact),
            consent=self.consent,
            consent_given_by=self.consent_given_by,
            reason=self.reason,
            presenting_needs=self.presenting_needs,
            category=self.category,
        )


@strawberry.input(
    description="The threshold decision on a referral, made once, by the caller as its named decision-maker: the"
    " lead professional or a manager of the lead's agency."
)
class ReferralDecideInput:
    referral_id: strawberry.ID
    expected_version: int = strawberry.field(description="The version you read; a stale one gives CONFLICT.")
    level_of_need: LevelOfNeedType  # type: ignore[valid-type]
    decided_on: date = strawberry.field(description="On or after receivedOn, and not in the future.")
    reason: str = strawberry.field(description="Why: required, 5,000 characters at most.")
    outcome: ReferralOutcomeType  # type: ignore[valid-type]
    redirected_to: str = strawberry.field(default="", description="Required when redirected, empty otherwise.")


@strawberry.input(description="The date a worker first reached the family. Lead professional only.")
class ReferralFirstContactInput:
    referral_id: strawberry.ID
    expected_version: int
    first_contact_on: date = strawberry.field(description="On or after receivedOn, and not in the future.")


async def _view(info: Info, referral_id: uuid.UUID) -> ReferralType:
    async with info.context.read() as session:
        return ReferralType.from_seen(await referral_service.get(session, info.context.access, referral_id))


@strawberry.type
class ReferralQuery:
    @strawberry.field(description="A family's referrals, newest first. For the team and its agencies' managers.")
    async def family_referrals(self, info: Info, family_id: strawberry.ID) -> list[ReferralType]:
        async with info.context.read() as session:
            seen = await referral_service.list_for_family(session, info.context.access, parse_id(family_id, "familyId"))
        return [ReferralType.from_seen(item) for item in seen]

    @strawberry.field(description="One referral. NOT_FOUND when it does not exist or the caller may not see it.")
    async def referral(self, info: Info, id: strawberry.ID) -> ReferralType:
        return await _view(info, parse_id(id, "id"))


@strawberry.type
class ReferralMutation:
    @strawberry.mutation(description="Record a referral against a family's record. Lead professional only.")
    async def referral_record(self, info: Info, input: ReferralRecordInput) -> ReferralType:
        family_id = parse_id(input.family_id, "familyId")
        row = await mutate(
            info,
            partial(referral_service.record, family_id=family_id, data=input.to_referral()),
            family_id=family_id,
            audit=lambda row: {"referralId": str(row.id), "category": row.category.value},
            idempotency_key=input.idempotency_key,
            replay=Referral,
        )
        return await _view(info, row.id)

    @strawberry.mutation(description="Record the threshold decision. CONFLICT if already decided or stale.")
    async def referral_decide(self, info: Info, input: ReferralDecideInput) -> ReferralType:
        referral_id = parse_id(input.referral_id, "referralId")
        data = DecisionIn(input.level_of_need, input.decided_on, input.reason, input.outcome, input.redirected_to)
        await mutate(
            info,
            partial(
                referral_service.decide, referral_id=referral_id, expected_version=input.expected_version, data=data
            ),
            audit=lambda row: {"referralId": str(row.id), "outcome": input.outcome.value},
        )
        return await _view(info, referral_id)

    @strawberry.mutation(description="Record the date of first contact. Lead professional only; CONFLICT if stale.")
    async def referral_first_contact(self, info: Info, input: ReferralFirstContactInput) -> ReferralType:
        referral_id = parse_id(input.referral_id, "referralId")
        await mutate(
            info,
            partial(
                referral_service.record_first_contact,
                referral_id=referral_id,
                expected_version=input.expected_version,
                on=input.first_contact_on,
            ),
            audit=lambda row: {"referralId": str(row.id)},
        )
        return await _view(info, referral_id)
