"""Demo data for the family portal: Lisa Carter's portal account, a second review so the "how things are
going" chart has a line, one read by another agency so "who has looked" has an entry, and words for the
family about two of the team (the others show what their role means)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit import service as audit
from server.auth.service import actor_from
from server.contribution.models import Contribution
from server.demo.plan import add_review
from server.family.models import Family, FamilyMember
from server.plan.models import OutcomeDomain
from server.team.models import TeamMembership
from server.user.models import User, UserKind

DEMO_FAMILY_EMAIL = "lisa.carter@family.example"
# What the lead professional wrote for the Carter family about two of the team, by staff key.
FAMILY_WORDS = {
    "school": "Helps Jayden get to school. He sees Jayden every Monday morning.",
    "health": "Checks that Mia is well and growing as she should.",
}


async def load(session: AsyncSession, carter: Family, staff: dict, password_hash: str) -> None:
    members = (await session.exec(select(FamilyMember).where(FamilyMember.family_id == carter.id))).all()
    lisa = next(member for member in members if member.full_name == "Lisa Carter")
    session.add(
        User(
            email=DEMO_FAMILY_EMAIL,
            display_name=lisa.full_name,
            kind=UserKind.family,
            family_member_id=lisa.id,
            password_hash=password_hash,
        )
    )
    for key, words in FAMILY_WORDS.items():
        memberships = select(TeamMembership).where(
            TeamMembership.family_id == carter.id, TeamMembership.user_id == staff[key].id
        )
        for membership in (await session.exec(memberships)).all():
            membership.family_description = words
    lead = staff["lead"]
    scores = {OutcomeDomain.school_attendance_attainment: 6, OutcomeDomain.living_conditions: 5}
    summary = "Mentoring is helping; the damp repairs are booked"
    await add_review(session, carter, lead, date.today() - timedelta(days=2), summary, scores)
    # Dan Okafor (the school) read the housing team's item about the damp repairs, which Lisa agreed to share.
    housing_item = (
        await session.exec(
            select(Contribution).where(
                Contribution.family_id == carter.id, col(Contribution.owning_agency_id) == staff["housing"].agency_id
            )
        )
    ).first()
    if housing_item is not None:
        facts = (str(housing_item.owning_agency_id), housing_item.category, "shared_by_consent", None)
        read = {(carter.id, "contribution"): {str(housing_item.id): facts}}
        await audit.record_request(session, actor_from(staff["school"]), read, [], "demo")
