"""Async builders for committed test data (uvicorn serves it from other connections).

Every name is unique, so tests share one database without seeing each other's rows."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from sqlmodel import select

from server.access.categories import InformationCategory
from server.agency.models import Agency, AgencyKind
from server.auth.models import SessionToken
from server.auth.passwords import hash_password
from server.auth.service import token_digest
from server.clock import utcnow
from server.consent.models import Consent
from server.contribution.models import Contribution, ContributionVersion
from server.db.engine import SessionFactory, unit_of_work
from server.family.models import Family, FamilyMember, FamilyStatus, LevelOfNeed
from server.safeguarding.models import SafeguardingOverride
from server.sharing_agreement.models import AgreementLawfulBasis, DataSharingAgreement, DataSharingAgreementParty
from server.team.models import TeamMembership, TeamRole
from server.user.models import SystemRole, User, UserKind

PASSWORD = "correct horse battery staple"


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def create_agency(sessions: SessionFactory, *, kind: AgencyKind = AgencyKind.early_help) -> Agency:
    async with unit_of_work(sessions) as session:
        agency = Agency(name=unique(f"{kind.value} agency"), kind=kind)
        session.add(agency)
    return agency


async def create_user(
    sessions: SessionFactory,
    *,
    agency: Agency,
    role: SystemRole = SystemRole.practitioner,
    name: str | None = None,
) -> User:
    async with unit_of_work(sessions) as session:
        user = User(
            email=f"{unique(role.value)}@{agency.kind.value}.example",
            display_name=name or unique(role.value.title()),
            kind=UserKind.staff,
            role=role,
            agency_id=agency.id,
            password_hash=_password_hash(),
        )
        session.add(user)
    return user


async def create_family(
    sessions: SessionFactory,
    *,
    lead: User,
    contributors: tuple[User, ...] = (),
    status: FamilyStatus = FamilyStatus.active,
    level_of_need: LevelOfNeed = LevelOfNeed.targeted,
) -> Family:
    async with unit_of_work(sessions) as session:
        family = Family(
            reference=unique("T")[:20],
            display_name=unique("The Test family"),
            status=status,
            level_of_need=level_of_need,
        )
        session.add(family)
        await session.flush()
        session.add(
            FamilyMember(
                family_id=family.id,
                full_name=unique("Child"),
                relationship="son",
                date_of_birth=date(2014, 5, 1),
                is_subject_child=True,
            )
        )
        for user, role in [
            (lead, TeamRole.lead_professional),
            *((c, TeamRole.contributor) for c in contributors),
        ]:
            session.add(
                TeamMembership(
                    family_id=family.id,
                    agency_id=user.agency_id,
                    user_id=user.id,
                    role=role,
                    agency_role="test role",
                    contact_in_hours="01632 960000",
                )
            )
    return family


ALL_CATEGORIES = [category.value for category in InformationCategory]


async def create_agreement(
    sessions: SessionFactory,
    *,
    parties: list[Agency],
    categories: list[str] | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    ended: bool = False,
    created_by: User | None = None,
) -> DataSharingAgreement:
    """A data-sharing agreement between `parties` (every category unless told), in force from a month ago
    for a year unless told otherwise. Sharing by consent between two agencies needs one."""
    today = utcnow().date()
    starts_on = starts_on or today - timedelta(days=30)
    ends_on = ends_on or today + timedelta(days=365)
    async with unit_of_work(sessions) as session:
        author = created_by or (await session.exec(select(User).limit(1))).first()
        row = DataSharingAgreement(
            title=unique("Information-sharing agreement"),
            categories=categories or ALL_CATEGORIES,
            purposes="Coordinating early help for families who agree to it",
            lawful_basis=AgreementLawfulBasis.public_task,
            starts_on=starts_on,
            review_on=starts_on + (ends_on - starts_on) / 2,
            ends_on=ends_on,
            document_reference=unique("ISA"),
            created_by_user_id=author.id,
            ended_at=utcnow() if ended else None,
        )
        session.add(row)
        await session.flush()
        for agency in parties:
            session.add(
                DataSharingAgreementParty(
                    agreement_id=row.id,
                    agency_id=agency.id,
                    ig_contact_name=unique("IG lead"),
                    ig_contact_email=f"{unique('ig')}@{agency.kind.value}.example",
                )
            )
    return row


async def end_agreement(sessions: SessionFactory, agreement: DataSharingAgreement) -> None:
    async with unit_of_work(sessions) as session:
        row = await session.get(DataSharingAgreement, agreement.id)
        row.ended_at, row.end_reason, row.version = utcnow(), "Replaced", row.version + 1


async def join_agreement(sessions: SessionFactory, *, agreement: DataSharingAgreement | None, agency: Agency) -> None:
    """Add an agency to an agreement as one more party (a new signatory of the area's agreement). None: the
    area has no agreement, and this adds nothing."""
    if agreement is None:
        return
    async with unit_of_work(sessions) as session:
        session.add(
            DataSharingAgreementParty(
                agreement_id=agreement.id,
                agency_id=agency.id,
                ig_contact_name=unique("IG lead"),
                ig_contact_email=f"{unique('ig')}@{agency.kind.value}.example",
            )
        )


@dataclass
class Area:
    """A small local area: two agencies, their staff, and a family led by `lead` with `colleague` on it.
    Like real areas, it has an information-sharing agreement between its agencies covering every category
    (`area_agreement`), unless it is created without one."""

    early_help: Agency
    school: Agency
    lead: User
    colleague: User
    outsider: User
    manager: User
    other_manager: User
    ig: User
    admin: User
    family: Family
    area_agreement: DataSharingAgreement | None = None


async def create_area(sessions: SessionFactory, *, agreement: bool = True) -> Area:
    early_help = await create_agency(sessions, kind=AgencyKind.early_help)
    school = await create_agency(sessions, kind=AgencyKind.education)
    lead = await create_user(sessions, agency=early_help)
    colleague = await create_user(sessions, agency=school)
    outsider = await create_user(sessions, agency=school)
    manager = await create_user(sessions, agency=early_help, role=SystemRole.manager)
    other_manager = await create_user(sessions, agency=await create_agency(sessions), role=SystemRole.manager)
    ig = await create_user(sessions, agency=early_help, role=SystemRole.ig_officer)
    admin = await create_user(sessions, agency=early_help, role=SystemRole.admin)
    family = await create_family(sessions, lead=lead, contributors=(colleague,))
    area_agreement = (
        await create_agreement(sessions, parties=[early_help, school], created_by=ig) if agreement else None
    )
    return Area(
        early_help, school, lead, colleague, outsider, manager, other_manager, ig, admin, family, area_agreement
    )


async def create_contribution(
    sessions: SessionFactory,
    *,
    family: Family,
    author: User,
    category: str = "health",
    kind: str = "update",
    family_summary: bool = False,
    third_party: bool = False,
    title: str | None = None,
) -> Contribution:
    async with unit_of_work(sessions) as session:
        row = Contribution(
            family_id=family.id,
            owning_agency_id=author.agency_id,
            author_user_id=author.id,
            kind=kind,
            category=category,
            title=title or unique(f"{category} item"),
            body=unique("body"),
            may_appear_in_family_summary=family_summary,
            contains_third_party_identities=third_party,
        )
        session.add(row)
        await session.flush()
        session.add(
            ContributionVersion(
                contribution_id=row.id,
                version=1,
                editor_user_id=author.id,
                kind=kind,
                category=category,
                title=row.title,
                body=row.body,
                may_appear_in_family_summary=family_summary,
                contains_third_party_identities=third_party,
            )
        )
    return row


async def create_consent(
    sessions: SessionFactory,
    *,
    family: Family,
    recorded_by: User,
    categories: list[str],
    agencies: list[Agency] | None = None,
    decision: str = "given",
    valid_from: datetime | None = None,
    valid_to: datetime | None = None,
    withdrawn: bool = False,
) -> Consent:
    async with unit_of_work(sessions) as session:
        member = (await session.exec(select(FamilyMember).where(FamilyMember.family_id == family.id))).first()
        row = Consent(
            family_id=family.id,
            given_by_member_id=member.id,
            capacity="parental_responsibility",
            decision=decision,
            categories=categories,
            whole_team=agencies is None,
            recipient_agency_ids=[agency.id for agency in agencies or []],
            purpose="test purpose",
            recorded_by_user_id=recorded_by.id,
            valid_from=valid_from or utcnow() - timedelta(days=1),
            valid_to=valid_to,
            withdrawn_at=utcnow() if withdrawn else None,
        )
        session.add(row)
    return row


async def create_override(
    sessions: SessionFactory,
    *,
    family: Family,
    decided_by: User,
    categories: list[str],
    recipients: list[Agency],
    expires_in: timedelta = timedelta(days=7),
    revoked: bool = False,
) -> SafeguardingOverride:
    async with unit_of_work(sessions) as session:
        now = utcnow()
        row = SafeguardingOverride(
            family_id=family.id,
            owning_agency_id=decided_by.agency_id,
            decided_by_user_id=decided_by.id,
            categories=categories,
            recipient_agency_ids=[agency.id for agency in recipients],
            justification="Risk of significant harm to the child; strategy discussion agreed.",
            lawful_basis="public_task_safeguarding",
            family_informed=False,
            not_informed_reason="Telling the family could increase the risk.",
            starts_at=min(now, now + expires_in) - timedelta(days=10),
            expires_at=now + expires_in,
            revoked_at=now if revoked else None,
        )
        session.add(row)
    return row


async def create_family_user(sessions: SessionFactory, *, family: Family) -> User:
    async with unit_of_work(sessions) as session:
        member = FamilyMember(family_id=family.id, full_name=unique("Parent"), relationship="mother")
        session.add(member)
        await session.flush()
        user = User(
            email=f"{unique('parent')}@family.example",
            display_name=member.full_name,
            kind=UserKind.family,
            family_member_id=member.id,
            password_hash=_password_hash(),
        )
        session.add(user)
    return user


async def issue_token(sessions: SessionFactory, user: User) -> str:
    """A session token without the (deliberately slow) password check, for tests about authorization."""
    token = secrets.token_urlsafe(32)
    async with unit_of_work(sessions) as session:
        session.add(
            SessionToken(user_id=user.id, token_hash=token_digest(token), expires_at=utcnow() + timedelta(hours=2))
        )
    return token


async def create_family_member(
    sessions: SessionFactory, *, family: Family, relationship: str = "father"
) -> FamilyMember:
    """A family member without a portal account (someone to invite)."""
    async with unit_of_work(sessions) as session:
        member = FamilyMember(family_id=family.id, full_name=unique("Parent"), relationship=relationship)
        session.add(member)
    return member
