"""The Carter family's consent-based sharing: each agency's items, what Lisa Carter agreed to share and refused,
and the police's safeguarding override (Operation Encompass)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.consent.models import Consent, ConsentCapacity, ConsentDecision, EngagementAgreement
from server.contribution.models import Contribution, ContributionKind, ContributionVersion, InformationCategory
from server.db.columns import utcnow
from server.family.models import Family, FamilyMember
from server.safeguarding.models import LawfulBasis, SafeguardingOverride

CARTER_ITEMS = [
    (
        "school",
        ContributionKind.concern,
        InformationCategory.education,
        "Attendance 78% this term",
        "Jayden missed 14 sessions since September, mostly Mondays. Mentoring started on 4 November.",
        True,
        False,
    ),
    (
        "school",
        ContributionKind.strength,
        InformationCategory.education,
        "Jayden enjoys football club",
        "Coach says he is reliable and encourages younger players.",
        True,
        False,
    ),
    (
        "health",
        ContributionKind.assessment_note,
        InformationCategory.health,
        "Mia's 4-year review",
        "Speech slightly delayed; referred to speech and language therapy.",
        True,
        False,
    ),
    (
        "health",
        ContributionKind.concern,
        InformationCategory.mental_health,
        "Lisa's low mood",
        "Lisa reports poor sleep and low mood; GP appointment booked.",
        False,
        False,
    ),
    (
        "police",
        ContributionKind.risk_factor,
        InformationCategory.domestic_abuse,
        "Domestic incident, 2 November",
        "Officers attended after a neighbour's call. Ex-partner removed. Children present.",
        False,
        True,
    ),
    (
        "housing",
        ContributionKind.service_offered,
        InformationCategory.housing,
        "Damp repairs booked",
        "Surveyor visit on 28 November; temporary dehumidifier supplied.",
        True,
        False,
    ),
]


async def load(session: AsyncSession, family: Family, staff: dict) -> None:
    members = (await session.exec(select(FamilyMember).where(FamilyMember.family_id == family.id))).all()
    mother = next(member for member in members if member.relationship == "mother")
    for key, kind, category, title, body, summary, third_party in CARTER_ITEMS:
        author = staff[key]
        content = {
            "kind": kind,
            "category": category,
            "title": title,
            "body": body,
            "may_appear_in_family_summary": summary,
            "contains_third_party_identities": third_party,
        }
        item = Contribution(family_id=family.id, owning_agency_id=author.agency_id, author_user_id=author.id, **content)
        session.add(item)
        await session.flush()
        session.add(ContributionVersion(contribution_id=item.id, version=1, editor_user_id=author.id, **content))
    lead = staff["lead"]
    session.add(
        EngagementAgreement(
            family_id=family.id,
            member_id=mother.id,
            agreed=True,
            notes="Lisa wants help with school attendance and the flat.",
            recorded_by_user_id=lead.id,
        )
    )
    session.add(
        Consent(
            family_id=family.id,
            given_by_member_id=mother.id,
            capacity=ConsentCapacity.parental_responsibility,
            decision=ConsentDecision.given,
            categories=["education", "health", "housing"],
            whole_team=True,
            purpose="Plan support for Jayden and Mia at school, at home and with health services",
            evidence_reference="Signed consent form, first TAF meeting",
            recorded_by_user_id=lead.id,
        )
    )
    session.add(
        Consent(
            family_id=family.id,
            given_by_member_id=mother.id,
            capacity=ConsentCapacity.self,
            decision=ConsentDecision.refused,
            categories=["mental_health"],
            whole_team=True,
            purpose="Lisa prefers to keep her own health between her and her GP",
            recorded_by_user_id=lead.id,
        )
    )
    now = utcnow()
    session.add(
        SafeguardingOverride(
            family_id=family.id,
            owning_agency_id=staff["police"].agency_id,
            decided_by_user_id=staff["police"].id,
            categories=["domestic_abuse"],
            recipient_agency_ids=[staff["school"].agency_id, lead.agency_id],
            justification="Operation Encompass: the children were present at a domestic incident; the school and"
            " the lead professional need to know before the school day to support them.",
            lawful_basis=LawfulBasis.legal_obligation,
            advice_sought="Police safeguarding hub sergeant",
            family_informed=True,
            starts_at=now,
            expires_at=now + timedelta(days=30),
        )
    )
