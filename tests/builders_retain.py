"""Builders for the retention tests: closed families with chosen closure dates and children's birthdays."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from server.db.engine import SessionFactory, unit_of_work
from server.family.models import Family, FamilyMember, FamilyStatus, LevelOfNeed
from server.retention.models import RetentionDecision, RetentionDecisionKind
from server.team.models import TeamMembership, TeamRole
from server.user.models import User
from tests.builders import unique


async def create_closed_family(
    sessions: SessionFactory,
    *,
    lead: User,
    contributors: tuple[User, ...] = (),
    closed_on: date = date(2012, 6, 1),
    births: tuple[date | None, ...] = (date(1995, 3, 10),),
    other_births: tuple[date, ...] = (),
    status: FamilyStatus = FamilyStatus.closed,
) -> Family:
    """A family closed on `closed_on` (a closed family's retention date has passed by default), with a
    subject child born on each of `births` and a child not the subject of the plan for `other_births`."""
    async with unit_of_work(sessions) as session:
        family = Family(
            reference=unique("R")[:20],
            display_name=unique("The Retained family"),
            status=status,
            level_of_need=LevelOfNeed.targeted,
            opened_at=datetime.combine(closed_on, time(9), UTC).replace(year=closed_on.year - 1),
            closed_at=datetime.combine(closed_on, time(12), UTC) if status is FamilyStatus.closed else None,
        )
        session.add(family)
        await session.flush()
        for born in births:
            session.add(_child(family, born, subject=True))
        for born in other_births:
            session.add(_child(family, born, subject=False))
        for user, role in [(lead, TeamRole.lead_professional), *((c, TeamRole.contributor) for c in contributors)]:
            session.add(
                TeamMembership(
                    family_id=family.id, agency_id=user.agency_id, user_id=user.id, role=role, agency_role="test role"
                )
            )
    return family


def _child(family: Family, born: date | None, *, subject: bool) -> FamilyMember:
    return FamilyMember(
        family_id=family.id,
        full_name=unique("Child"),
        relationship="daughter",
        date_of_birth=born,
        is_subject_child=subject,
    )


async def decide(
    sessions: SessionFactory,
    *,
    family: Family,
    by: User,
    kind: RetentionDecisionKind,
    retain_until: date | None = None,
    reason: str = "Decided for the test, in full.",
) -> None:
    async with unit_of_work(sessions) as session:
        session.add(
            RetentionDecision(
                family_id=family.id, kind=kind, retain_until=retain_until, reason=reason, decided_by_user_id=by.id
            )
        )
