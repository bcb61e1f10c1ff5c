"""Demo data: a believable small local area (Northbridge). Development only; README lists the accounts."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import demo_plan, demo_portal
from server.access.categories import InformationCategory
from server.agency.models import Agency, AgencyKind
from server.auth.passwords import hash_password
from server.clock import utcnow
from server.consent.models import Consent, ConsentCapacity, ConsentDecision, EngagementAgreement
from server.contribution.models import Contribution, ContributionKind, ContributionVersion
from server.db.engine import create_engine, create_session_factory, unit_of_work
from server.family.models import Family, FamilyMember, FamilyStatus, LevelOfNeed, family_reference_seq
from server.safeguarding.models import LawfulBasis, SafeguardingOverride
from server.team.models import TeamMembership, TeamRole
from server.user.models import SystemRole, User, UserKind

log = logging.getLogger("taf.demo")
DEMO_PASSWORD = "taf-demo-2026"  # noqa: S105 (a published demo credential, never used in production)
DEMO_LOCK = 727_003

AGENCIES = {
    "early_help": ("Northbridge Early Help Hub", AgencyKind.early_help),
    "police": ("Northbridge Police", AgencyKind.police),
    "health": ("Northbridge Community Health", AgencyKind.health),
    "school": ("Riverside Academy", AgencyKind.education),
    "housing": ("Northbridge Homes", AgencyKind.housing),
    "social_care": ("Northbridge Children's Social Care", AgencyKind.social_care),
    "voluntary": ("Family Action Northbridge", AgencyKind.voluntary),
}

# key, agency, e-mail, name, role, what they do on a team, in hours, out of hours
STAFF = [
    (
        "lead",
        "early_help",
        "sam.patel@earlyhelp.example",
        "Sam Patel",
        SystemRole.practitioner,
        "Lead professional: coordinates the plan and chairs TAF meetings",
        "07700 900101, Mon-Fri 9-5",
        "Emergency Duty Team 0300 555 0100",
    ),
    (
        "manager",
        "early_help",
        "morgan.reid@earlyhelp.example",
        "Morgan Reid",
        SystemRole.manager,
        "Early help team manager",
        "01632 960200",
        "Emergency Duty Team 0300 555 0100",
    ),
    (
        "police",
        "police",
        "alex.jones@police.example",
        "PC Alex Jones",
        SystemRole.practitioner,
        "Neighbourhood policing and Operation Encompass liaison",
        "101 ext 4410",
        "999 in an emergency, else 101",
    ),
    (
        "health",
        "health",
        "priya.shah@health.example",
        "Priya Shah",
        SystemRole.practitioner,
        "Health visitor: child development and parental wellbeing",
        "01632 960311",
        "NHS 111",
    ),
    (
        "school",
        "school",
        "dan.okafor@school.example",
        "Dan Okafor",
        SystemRole.practitioner,
        "Designated safeguarding lead: attendance support and mentoring",
        "01632 960422 (term time)",
        "School office answerphone; Emergency Duty Team 0300 555 0100",
    ),
    (
        "housing",
        "housing",
        "jo.lee@housing.example",
        "Jo Lee",
        SystemRole.practitioner,
        "Tenancy sustainment and repairs",
        "01632 960533",
        "Out-of-hours repairs 0800 555 0199",
    ),
    (
        "social_care",
        "social_care",
        "ruth.evans@socialcare.example",
        "Ruth Evans",
        SystemRole.practitioner,
        "Social worker: consultation and step-up advice",
        "01632 960644",
        "Emergency Duty Team 0300 555 0100",
    ),
    (
        "voluntary",
        "voluntary",
        "chris.bell@familyaction.example",
        "Chris Bell",
        SystemRole.practitioner,
        "Family support worker: parenting and routines at home",
        "07700 900707",
        "Family Action helpline 0808 555 0123",
    ),
    ("ig", "social_care", "hannah.wood@council.example", "Hannah Wood", SystemRole.ig_officer, "", "", ""),
    ("admin", "social_care", "ali.khan@council.example", "Ali Khan", SystemRole.admin, "", "", ""),
]


@dataclass(frozen=True)
class DemoFamily:
    name: str
    level: LevelOfNeed
    status: FamilyStatus
    lead: str
    contributors: tuple[str, ...]
    members: tuple[tuple[str, str, int, bool], ...]  # name, relationship, age in years, subject child


FAMILIES = [
    DemoFamily(
        "The Carter family",
        LevelOfNeed.targeted,
        FamilyStatus.active,
        "lead",
        ("school", "health", "housing", "police"),
        (
            ("Lisa Carter", "mother", 34, False),
            ("Jayden Carter", "son", 12, True),
            ("Mia Carter", "daughter", 4, True),
        ),
    ),
    DemoFamily(
        "The Novak family",
        LevelOfNeed.specialist,
        FamilyStatus.active,
        "lead",
        ("school", "police", "social_care"),
        (
            ("Tomas Novak", "father", 41, False),
            ("Ewa Novak", "mother", 38, False),
            ("Adam Novak", "son", 15, True),
        ),
    ),
    DemoFamily(
        "The Ahmed family",
        LevelOfNeed.targeted,
        FamilyStatus.assessment,
        "lead",
        ("health",),
        (("Sara Ahmed", "mother", 27, False), ("Yusuf Ahmed", "son", 1, True)),
    ),
    DemoFamily(
        "The Brown family",
        LevelOfNeed.universal,
        FamilyStatus.stepped_down,
        "voluntary",
        ("school",),
        (("Kelly Brown", "mother", 30, False), ("Tyler Brown", "son", 9, True)),
    ),
    DemoFamily(
        "The O'Neill family",
        LevelOfNeed.statutory,
        FamilyStatus.stepped_up,
        "lead",
        ("social_care", "police", "health"),
        (
            ("Siobhan O'Neill", "mother", 29, False),
            ("Liam O'Neill", "son", 7, True),
            ("Aoife O'Neill", "daughter", 5, True),
        ),
    ),
    DemoFamily(
        "The Williams family",
        LevelOfNeed.targeted,
        FamilyStatus.referral,
        "lead",
        (),
        (("Grace Williams", "grandmother", 62, False), ("Kai Williams", "grandson", 13, True)),
    ),
    DemoFamily(
        "The Kowalski family",
        LevelOfNeed.specialist,
        FamilyStatus.active,
        "voluntary",
        ("housing", "health"),
        (
            ("Marta Kowalski", "mother", 36, False),
            ("Piotr Kowalski", "stepfather", 40, False),
            ("Zofia Kowalski", "daughter", 11, True),
        ),
    ),
    DemoFamily(
        "The Green family",
        LevelOfNeed.targeted,
        FamilyStatus.active,
        "lead",
        ("school", "voluntary"),
        (("Dean Green", "father", 45, False), ("Ellie Green", "daughter", 14, True)),
    ),
    DemoFamily(
        "The Osei family",
        LevelOfNeed.targeted,
        FamilyStatus.closed,
        "lead",
        ("school",),
        (("Abena Osei", "mother", 39, False), ("Kwame Osei", "son", 10, True)),
    ),
    DemoFamily(
        "The Taylor family",
        LevelOfNeed.universal,
        FamilyStatus.closed,
        "voluntary",
        ("health",),
        (("Jade Taylor", "mother", 22, False), ("Noah Taylor", "son", 2, True)),
    ),
    DemoFamily(
        "The Hughes family",
        LevelOfNeed.specialist,
        FamilyStatus.active,
        "lead",
        ("police", "housing", "school"),
        (
            ("Rhys Hughes", "father", 37, False),
            ("Cerys Hughes", "daughter", 16, True),
            ("Owen Hughes", "son", 8, True),
        ),
    ),
    DemoFamily(
        "The Morris family",
        LevelOfNeed.specialist,
        FamilyStatus.closed,
        "lead",
        ("health", "police"),
        (("Claire Morris", "mother", 31, False), ("Ben Morris", "son", 11, True)),
    ),
    DemoFamily(
        "The Ali family",
        LevelOfNeed.specialist,
        FamilyStatus.closed,
        "lead",
        ("school", "housing"),
        (("Nadia Ali", "mother", 40, False), ("Omar Ali", "son", 13, True)),
    ),
    DemoFamily(
        "The Singh family",
        LevelOfNeed.targeted,
        FamilyStatus.assessment,
        "voluntary",
        ("school", "health"),
        (("Harpreet Singh", "mother", 33, False), ("Arjun Singh", "son", 6, True)),
    ),
]


async def load_demo_data(url: str) -> bool:
    """Load the demo area once; returns False when the database already holds agencies."""
    engine = create_engine(url, pool_size=1)
    try:
        async with unit_of_work(create_session_factory(engine)) as session:
            await session.exec(sa.select(sa.func.pg_advisory_xact_lock(DEMO_LOCK)))
            if (await session.exec(select(Agency).limit(1))).first() is not None:
                return False
            await _load(session)
    finally:
        await engine.dispose()
    log.info("loaded demo data: %d agencies, %d staff, %d families", len(AGENCIES), len(STAFF), len(FAMILIES))
    return True


async def _load(session: AsyncSession) -> None:
    agencies = {key: Agency(name=name, kind=kind) for key, (name, kind) in AGENCIES.items()}
    session.add_all(agencies.values())
    password_hash = hash_password(DEMO_PASSWORD)
    staff = {}
    for key, agency, email, name, role, *_ in STAFF:
        staff[key] = User(
            email=email,
            display_name=name,
            kind=UserKind.staff,
            role=role,
            agency_id=agencies[agency].id,
            password_hash=password_hash,
        )
    session.add_all(staff.values())
    contacts = {row[0]: row[5:] for row in STAFF}
    await session.flush()
    families = [await _family(session, demo, index, staff, contacts) for index, demo in enumerate(FAMILIES)]
    await _sharing(session, families[0], staff)
    await demo_plan.load(session, families, staff)
    await demo_portal.load(session, families[0], staff, password_hash)


async def _family(session: AsyncSession, demo: DemoFamily, index: int, staff: dict, contacts: dict) -> Family:
    number = (await session.exec(sa.select(family_reference_seq.next_value()))).one()[0]
    opened = utcnow() - timedelta(days=20 + 17 * index)
    closed = demo.status is FamilyStatus.closed
    family = Family(
        reference=f"TAF-{number}",
        display_name=demo.name,
        status=demo.status,
        level_of_need=demo.level,
        opened_at=opened,
        closed_at=opened + timedelta(days=120) if closed else None,
    )
    session.add(family)
    today = date.today()
    for name, relationship, age, subject in demo.members:
        born = today.replace(year=today.year - age) - timedelta(days=40 + 11 * len(name))
        session.add(
            FamilyMember(
                family_id=family.id,
                full_name=name,
                relationship=relationship,
                date_of_birth=born,
                is_subject_child=subject,
            )
        )
    team = [
        (demo.lead, TeamRole.lead_professional),
        *((key, TeamRole.contributor) for key in demo.contributors),
    ]
    for key, role in team:
        agency_role, in_hours, out_of_hours = contacts[key]
        if role is TeamRole.contributor and key == "lead":
            agency_role = "Early help practitioner"
        session.add(
            TeamMembership(
                family_id=family.id,
                agency_id=staff[key].agency_id,
                user_id=staff[key].id,
                role=role,
                agency_role=agency_role,
                contact_in_hours=in_hours,
                contact_out_of_hours=out_of_hours,
                valid_from=opened,
            )
        )
    await session.flush()
    return family


# The Carter family's plan: each agency's items, what Lisa Carter agreed to share, and one override.
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


async def _sharing(session: AsyncSession, family: Family, staff: dict) -> None:
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
