"""The demo families: their members and each family's team (the staff of server/demo/area.py), opened at
different dates and at different levels of need and stages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db.columns import utcnow
from server.family.models import Family, FamilyMember, FamilyStatus, LevelOfNeed, family_reference_seq
from server.team.models import TeamMembership, TeamRole


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


async def add_family(session: AsyncSession, demo: DemoFamily, index: int, staff: dict, contacts: dict) -> Family:
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
