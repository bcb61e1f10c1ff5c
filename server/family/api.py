from __future__ import annotations

import uuid
from datetime import date, datetime
from functools import partial
from typing import Annotated

import strawberry

from server.api.mutation import mutate
from server.api.pagination import After, First, PageInfo
from server.api.scalars import Info, idempotency_key_field, parse_id
from server.api.types import InformationCategoryType
from server.audit.api import AccessLogEntryType, access_log_of_family
from server.chronology.api import ChronologyConnection, ChronologyFilter, chronology_of_family
from server.consent.api import (
    AgencyConsentStateType,
    ConsentType,
    EngagementAgreementType,
    consent_picture_of_family,
    consents_of_family,
    engagement_of_family,
)
from server.contribution.api import ContributionConnection, ContributionKindType, contributions_of_family
from server.cover.api import FamilyCoverType, cover_of_family
from server.family import service as family_service
from server.family.models import Family, FamilyMember, FamilyStatus, LevelOfNeed
from server.family.service import FamilyOpen, MemberDetails, MemberIn
from server.meeting.api import ReviewScheduleType
from server.safeguarding.api import (
    SafeguardingOverrideType,
    SharingDecisionType,
    decisions_of_family,
    overrides_of_family,
)
from server.team.api import ContactInput, TeamMemberType

FamilyStatusType = strawberry.enum(FamilyStatus, name="FamilyStatus", description="Where the case is.")
LevelOfNeedType = strawberry.enum(
    LevelOfNeed,
    name="LevelOfNeed",
    description="The four-tier scale: universal, targeted, specialist, statutory.",
)


@strawberry.type(name="FamilyMember", description="A person in the family.")
class FamilyMemberType:
    id: strawberry.ID
    full_name: str
    relationship: str = strawberry.field(description="In the family's words: mother, stepfather, grandmother...")
    date_of_birth: date | None
    is_subject_child: bool = strawberry.field(description="True for a child the plan is about.")
    lives_in_household: bool = strawberry.field(
        description="False for wider family who do not live with the children (household composition)."
    )
    is_young_carer: bool = strawberry.field(description="A child or young person who cares for someone at home.")
    first_language: str = strawberry.field(description="Empty when not recorded.")
    interpreter_needed: bool
    has_disability: bool

    @classmethod
    def from_row(cls, row: FamilyMember) -> FamilyMemberType:
        return cls(
            id=strawberry.ID(str(row.id)),
            full_name=row.full_name,
            relationship=row.relationship,
            date_of_birth=row.date_of_birth,
            is_subject_child=row.is_subject_child,
            lives_in_household=row.lives_in_household,
            is_young_carer=row.is_young_carer,
            first_language=row.first_language,
            interpreter_needed=row.interpreter_needed,
            has_disability=row.has_disability,
        )


@strawberry.type(name="Family", description="A family's record (the case), visible to the workers on its team.")
class FamilyType:
    id: strawberry.ID
    reference: str = strawberry.field(description="The case reference, e.g. TAF-1001.")
    display_name: str
    status: FamilyStatusType  # type: ignore[valid-type]
    level_of_need: LevelOfNeedType  # type: ignore[valid-type]
    opened_at: datetime
    closed_at: datetime | None
    version: int = strawberry.field(description="Send it back as expectedVersion when changing the family.")
    row_id: strawberry.Private[uuid.UUID]

    @strawberry.field
    async def members(self, info: Info) -> list[FamilyMemberType]:
        rows = await info.context.loaders.members_by_family_id.load(self.row_id)
        return [FamilyMemberType.from_row(row) for row in rows]

    @strawberry.field(description="The current team, lead professional first.")
    async def team(self, info: Info) -> list[TeamMemberType]:
        rows = await info.context.loaders.active_team_by_family_id.load(self.row_id)
        return await TeamMemberType.many(info, rows)

    @strawberry.field(description="The family's items that the caller may see, newest first.")
    async def contributions(
        self,
        info: Info,
        first: First = 50,
        after: After = None,
        category: InformationCategoryType | None = None,  # type: ignore[valid-type]
        kind: ContributionKindType | None = None,  # type: ignore[valid-type]
        search: Annotated[str | None, strawberry.argument(description="Words in the title or text.")] = None,
    ) -> ContributionConnection:
        return await contributions_of_family(
            info, self.row_id, first=first, after=after, category=category, kind=kind, search=search
        )

    @strawberry.field(description="Consent records, newest first. Empty for those who may not see them.")
    async def consents(self, info: Info) -> list[ConsentType]:
        return await consents_of_family(info, self.row_id)

    @strawberry.field(description="Agreements (or not) to engage with early help, newest first.")
    async def engagement_agreements(self, info: Info) -> list[EngagementAgreementType]:
        return await engagement_of_family(info, self.row_id)

    @strawberry.field(
        description="For the lead professional (and their manager): which agency lacks consent for which category."
        " Null for everyone else."
    )
    async def consent_picture(self, info: Info) -> list[AgencyConsentStateType] | None:
        return await consent_picture_of_family(info, self.row_id)

    @strawberry.field(description="Overrides the caller may see (the parties, their managers, IG officers).")
    async def safeguarding_overrides(self, info: Info) -> list[SafeguardingOverrideType]:
        return await overrides_of_family(info, self.row_id)

    @strawberry.field(description="Decisions not to share that the caller may see.")
    async def decisions_not_to_share(self, info: Info) -> list[SharingDecisionType]:
        return await decisions_of_family(info, self.row_id)

    @strawberry.field(
        description="Significant events across agencies, newest first by the day they happened, as far as the caller"
        " may see: events the caller may not see are neither listed nor counted; events whose words the caller may"
        " not read are listed with their words withheld."
    )
    async def chronology(
        self, info: Info, first: First = 50, after: After = None, filter: ChronologyFilter | None = None
    ) -> ChronologyConnection:
        return await chronology_of_family(info, self.row_id, first=first, after=after, filter=filter)

    @strawberry.field(
        description="Who from other agencies has looked at the family's information. For the family, the lead"
        " professional and IG officers; empty for others."
    )
    async def access_log(self, info: Info, first: int = 50) -> list[AccessLogEntryType]:
        return await access_log_of_family(info, self.row_id, first)

    @strawberry.field(
        description="Actions on the plan that are open or in progress and due before today. Null when the caller"
        " may not read the family's plan."
    )
    async def overdue_action_count(self, info: Info) -> int | None:
        return (await info.context.loaders.attention_by_family_id.load(self.row_id)).overdue_actions

    @strawberry.field(
        description="Escalations not yet resolved. Null when the caller may not see the family's escalations."
    )
    async def open_escalation_count(self, info: Info) -> int | None:
        return (await info.context.loaders.attention_by_family_id.load(self.row_id)).open_escalations

    @strawberry.field(description="Who covers for the lead professional when they are away.")
    async def cover(self, info: Info) -> FamilyCoverType:
        return await cover_of_family(info, self.row_id)

    @strawberry.field(
        description="Of the escalations not yet resolved, those urgent or of immediate danger. Null when the caller"
        " may not see the family's escalations."
    )
    async def urgent_escalation_count(self, info: Info) -> int | None:
        return (await info.context.loaders.attention_by_family_id.load(self.row_id)).urgent_escalations

    @strawberry.field(
        description="When the family's next review is, and whether it is missing or late. Null when the caller"
        " may not see the family's meetings."
    )
    async def review_schedule(self, info: Info) -> ReviewScheduleType | None:
        found = await info.context.loaders.review_by_family_id.load(self.row_id)
        return ReviewScheduleType(**vars(found)) if found else None

    @strawberry.field
    async def lead_professional(self, info: Info) -> TeamMemberType | None:
        lead = await info.context.loaders.lead_by_family_id.load(self.row_id)
        return await TeamMemberType.one(info, lead) if lead else None

    @classmethod
    def from_row(cls, row: Family) -> FamilyType:
        return cls(
            id=strawberry.ID(str(row.id)),
            reference=row.reference,
            display_name=row.display_name,
            status=row.status,
            level_of_need=row.level_of_need,
            opened_at=row.opened_at,
            closed_at=row.closed_at,
            version=row.version,
            row_id=row.id,
        )


@strawberry.type(description="A page of the caller's caseload.")
class FamilyConnection:
    nodes: list[FamilyType]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Families matching the filters that the caller may see.")


@strawberry.input
class FamilyMemberInput:
    full_name: str
    relationship: str
    date_of_birth: date | None = None
    is_subject_child: bool = False
    lives_in_household: bool = strawberry.field(default=True, description="False for wider family.")
    is_young_carer: bool = False
    first_language: str = strawberry.field(default="", description="60 characters at most.")
    interpreter_needed: bool = strawberry.field(default=False, description="Needs firstLanguage.")
    has_disability: bool = False

    def to_member(self) -> MemberIn:
        details = MemberDetails(
            self.lives_in_household,
            self.is_young_carer,
            self.first_language,
            self.interpreter_needed,
            self.has_disability,
        )
        return MemberIn(self.full_name, self.relationship, self.date_of_birth, self.is_subject_child, details)


@strawberry.input(
    description="Record a person's household, young carer, language, interpreter and disability details (all of"
    " them, replacing what was recorded). Lead professional only."
)
class FamilyMemberDetailsSetInput:
    member_id: strawberry.ID
    expected_version: int = strawberry.field(description="The family's version; a stale one gives CONFLICT.")
    lives_in_household: bool
    is_young_carer: bool
    first_language: str = strawberry.field(description="60 characters at most; empty when not known.")
    interpreter_needed: bool = strawberry.field(description="Needs firstLanguage.")
    has_disability: bool

    def to_details(self) -> MemberDetails:
        return MemberDetails(
            self.lives_in_household,
            self.is_young_carer,
            self.first_language,
            self.interpreter_needed,
            self.has_disability,
        )


@strawberry.input(description="A new referral. At least one member must be marked as the subject child.")
class FamilyOpenInput:
    display_name: str = strawberry.field(description="How the team refers to the family, e.g. 'The Carter family'.")
    level_of_need: LevelOfNeedType  # type: ignore[valid-type]
    members: list[FamilyMemberInput] = strawberry.field(description="1 to 30 people.")
    lead_contact: ContactInput = strawberry.field(description="The lead professional's role and contacts.")
    lead_professional_user_id: strawberry.ID | None = strawberry.field(
        default=None, description="Defaults to the person opening the record."
    )
    opened_on: date | None = strawberry.field(
        default=None,
        description="The day the case was really opened, when it is recorded later (not in the future);"
        " defaults to today. A past date is kept in the audit log's record of the opening.",
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="A value unique to this attempt (8-100 characters). A retry with the same key returns the"
        " family the first attempt opened instead of opening a second one; the same key with other values is"
        " CONFLICT.",
    )


@strawberry.input(description="Change a family's status or level of need; absent fields stay as they are.")
class FamilyUpdateInput:
    family_id: strawberry.ID
    expected_version: int = strawberry.field(description="The version you read; a stale one gives CONFLICT.")
    status: FamilyStatusType | None = None  # type: ignore[valid-type]
    level_of_need: LevelOfNeedType | None = None  # type: ignore[valid-type]


@strawberry.input
class FamilyMemberAddInput:
    family_id: strawberry.ID
    member: FamilyMemberInput
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class FamilyQuery:
    @strawberry.field(
        description="The caller's caseload: families whose team they are on (for a manager, whose team their"
        " agency is on), ordered by reference. Families the caller may not see are neither listed nor"
        " counted."
    )
    async def families(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        status: FamilyStatusType | None = None,  # type: ignore[valid-type]
        level_of_need: LevelOfNeedType | None = None,  # type: ignore[valid-type]
        overdue_actions: Annotated[
            bool,
            strawberry.argument(description="Only families with an overdue action on a plan the caller may read."),
        ] = False,
        open_escalations: Annotated[
            bool,
            strawberry.argument(description="Only families with an unresolved escalation the caller may see."),
        ] = False,
    ) -> FamilyConnection:
        await info.context.spend("search")
        async with info.context.read() as session:
            page = await family_service.list_families(
                session,
                info.context.access,
                first=first,
                after=after,
                status=status,
                level_of_need=level_of_need,
                overdue_actions=overdue_actions,
                open_escalations=open_escalations,
            )
        return FamilyConnection(
            nodes=[FamilyType.from_row(row) for row in page.items],
            page_info=PageInfo.of(page, family_service.cursor),
            total_count=page.total,  # type: ignore[arg-type]
        )

    @strawberry.field(description="One family. NOT_FOUND when it does not exist or the caller may not see it.")
    async def family(self, info: Info, id: strawberry.ID) -> FamilyType:
        async with info.context.read() as session:
            row = await family_service.get_family(session, info.context.access, parse_id(id, "id"))
        return FamilyType.from_row(row)


@strawberry.type
class FamilyMutation:
    @strawberry.mutation(description="Open a family's record from a referral. Practitioners and managers.")
    async def family_open(self, info: Info, input: FamilyOpenInput) -> FamilyType:
        data = FamilyOpen(
            display_name=input.display_name,
            level_of_need=input.level_of_need,
            members=[member.to_member() for member in input.members],
            lead_user_id=parse_id(input.lead_professional_user_id, "leadProfessionalUserId")
            if input.lead_professional_user_id
            else None,
            lead_contact=input.lead_contact.to_contact(),
            opened_on=input.opened_on,
        )
        await info.context.spend("invite")
        row = await mutate(
            info,
            partial(family_service.open_family, data=data),
            audit=lambda row: {"openedOn": input.opened_on.isoformat()} if input.opened_on else {},
            idempotency_key=input.idempotency_key,
            replay=family_service.get_family,
        )
        return FamilyType.from_row(row)

    @strawberry.mutation(description="Change status or level of need. Lead professional only; CONFLICT if stale.")
    async def family_update(self, info: Info, input: FamilyUpdateInput) -> FamilyType:
        family_id = parse_id(input.family_id, "familyId")
        row = await mutate(
            info,
            partial(
                family_service.update_family,
                family_id=family_id,
                expected_version=input.expected_version,
                status=input.status,
                level_of_need=input.level_of_need,
            ),
            family_id=family_id,
            audit=lambda row: {"status": row.status.value, "levelOfNeed": row.level_of_need.value},
        )
        return FamilyType.from_row(row)

    @strawberry.mutation(description="Add a person to the family. Lead professional only.")
    async def family_member_add(self, info: Info, input: FamilyMemberAddInput) -> FamilyMemberType:
        family_id = parse_id(input.family_id, "familyId")
        await info.context.spend("invite")
        row = await mutate(
            info,
            partial(family_service.add_member, family_id=family_id, member=input.member.to_member()),
            family_id=family_id,
            audit=lambda row: {"memberId": str(row.id)},
            idempotency_key=input.idempotency_key,
            replay=FamilyMember,
        )
        return FamilyMemberType.from_row(row)

    @strawberry.mutation(
        description="Record a person's household, young carer, language, interpreter and disability details."
        " Lead professional only; CONFLICT if the family is stale."
    )
    async def family_member_details_set(self, info: Info, input: FamilyMemberDetailsSetInput) -> FamilyMemberType:
        member_id = parse_id(input.member_id, "memberId")
        row = await mutate(
            info,
            partial(
                family_service.set_member_details,
                member_id=member_id,
                expected_version=input.expected_version,
                details=input.to_details(),
            ),
            audit=lambda row: {"memberId": str(row.id)},
        )
        return FamilyMemberType.from_row(row)
