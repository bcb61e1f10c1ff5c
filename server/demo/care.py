"""Demo data for the care of a family (development only): the Carter family's plan has contingencies, the
school worker is its deputy lead, and its contact log shows the support's intensity over the last weeks.
Called by server/demo/load.py."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.categories import InformationCategory
from server.clock import utcnow
from server.contact.models import Contact, ContactKind
from server.cover.models import DeputyLead
from server.db.versioning import snapshot
from server.family.models import Family
from server.plan.contingency import CONTINGENCY_FIELDS
from server.plan.models import PlanContingency, PlanHistory
from server.user.models import User

# (days ago, staff key, kind, minutes, note, category)
CONTACTS = (
    (2, "school", ContactKind.school, 20, "Jayden in on time; saw his mentor", InformationCategory.education),
    (3, "lead", ContactKind.home_visit, 60, "Went through the repairs list with Lisa", InformationCategory.housing),
    (8, "housing", ContactKind.phone, 15, "Landlord agreed a date for the damp survey", InformationCategory.housing),
    (9, "lead", ContactKind.home_visit, 75, "Lisa tired; Mia's nursery place confirmed", InformationCategory.other),
    (16, "health", ContactKind.home_visit, 45, "Mia's two-year review booked", InformationCategory.health),
    (23, "school", ContactKind.office, 30, "Attendance meeting with Lisa", InformationCategory.education),
)  # fmt: skip


async def load(session: AsyncSession, family: Family, staff: dict) -> None:
    lead = staff["lead"]
    await add_contingencies(
        session,
        family,
        lead,
        (
            (
                "If Lisa is admitted to hospital again",
                "Jayden and Mia stay with their nan in Hillside Road; the school and nursery are told that day",
                "Nan, with Lisa's agreement; the lead professional tells the school",
            ),
            (
                "If Jayden misses two school days in a row",
                "The school's attendance officer visits the same week and the lead professional calls Lisa",
                "The school, then the lead professional",
            ),
        ),
    )
    session.add(DeputyLead(family_id=family.id, user_id=staff["school"].id, appointed_by_user_id=lead.id))
    add_contacts(session, family, staff, CONTACTS, utcnow())


async def add_contingencies(
    session: AsyncSession, family: Family, lead: User, plans: tuple[tuple[str, str, str], ...]
) -> None:
    """Contingencies agreed with the family, each with its first version in the plan's history."""
    for trigger, response, who_acts in plans:
        row = PlanContingency(
            family_id=family.id,
            trigger=trigger,
            response=response,
            who_acts=who_acts,
            agreed_with_family=True,
            owning_agency_id=lead.agency_id,
            created_by_user_id=lead.id,
        )
        session.add(row)
        await session.flush()
        session.add(
            PlanHistory(
                family_id=family.id,
                entity="contingency",
                entity_id=row.id,
                version=row.version,
                editor_user_id=lead.id,
                snapshot=snapshot(row, CONTINGENCY_FIELDS),
            )
        )


def add_contacts(session: AsyncSession, family: Family, staff: dict, contacts: tuple, before: datetime) -> None:
    """Contacts with the family, `days_ago` counted back from `before` (rows as in CONTACTS)."""
    for days_ago, key, kind, minutes, note, category in contacts:
        worker = staff[key]
        session.add(
            Contact(
                family_id=family.id,
                worker_user_id=worker.id,
                owning_agency_id=worker.agency_id,
                contacted_at=before - timedelta(days=days_ago, hours=3),
                kind=kind,
                duration_minutes=minutes,
                note=note,
                category=category,
            )
        )
