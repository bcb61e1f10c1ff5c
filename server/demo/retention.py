"""Demo data for retention at closure: the Whitfield family, whose record Sam Patel closed in 2016, so that
its retention date (Jordan's 25th birthday, in 2023, later than six years after closure) has passed and
Hannah Wood finds it in the retention review."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from server.contribution.models import Contribution, ContributionVersion
from server.family.models import Family, FamilyMember, FamilyStatus, LevelOfNeed, family_reference_seq
from server.team.models import TeamMembership, TeamRole
from server.transition.models import ClosureOutcome, FamilyTransition, TransitionKind

OPENED = datetime(2015, 9, 14, 9, 0, tzinfo=UTC)
CLOSED = datetime(2016, 7, 20, 15, 0, tzinfo=UTC)


async def load(session: AsyncSession, staff: dict) -> Family:
    lead = staff["lead"]
    number = (await session.exec(sa.select(family_reference_seq.next_value()))).one()[0]
    family = Family(
        reference=f"TAF-{number}",
        display_name="The Whitfield family",
        status=FamilyStatus.closed,
        level_of_need=LevelOfNeed.targeted,
        opened_at=OPENED,
        closed_at=CLOSED,
    )
    session.add(family)
    await session.flush()
    session.add_all(
        [
            FamilyMember(family_id=family.id, full_name="Karen Whitfield", relationship="mother"),
            FamilyMember(
                family_id=family.id,
                full_name="Jordan Whitfield",
                relationship="son",
                date_of_birth=date(1998, 9, 2),
                is_subject_child=True,
            ),
            TeamMembership(
                family_id=family.id,
                agency_id=lead.agency_id,
                user_id=lead.id,
                role=TeamRole.lead_professional,
                agency_role="Family support worker",
                valid_from=OPENED,
                created_at=OPENED,
            ),
            FamilyTransition(
                family_id=family.id,
                kind=TransitionKind.closure,
                effective_on=CLOSED.date(),
                reason="Jordan started an apprenticeship and the family no longer needs early help",
                outcome=ClosureOutcome.goals_achieved,
                support_continuing="College pastoral support",
                contact_if_difficulties="Early Help Hub",
                recorded_by_user_id=lead.id,
                created_at=CLOSED,
            ),
        ]
    )
    item = Contribution(
        family_id=family.id,
        owning_agency_id=lead.agency_id,
        author_user_id=lead.id,
        kind="update",
        category="education",
        title="Apprenticeship application sent",
        body="Jordan sent his application to the council's apprenticeship scheme with help from the hub.",
        created_at=CLOSED,
        updated_at=CLOSED,
    )
    session.add(item)
    await session.flush()
    session.add(
        ContributionVersion(
            contribution_id=item.id,
            version=1,
            editor_user_id=lead.id,
            kind=item.kind,
            category=item.category,
            title=item.title,
            body=item.body,
            created_at=CLOSED,
        )
    )
    return family
