"""Builders for the access-log and closed-family tests (the `govern` part of issue 14)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from server.agency.models import Agency, AgencyKind
from server.clock import utcnow
from server.db.engine import SessionFactory, unit_of_work
from server.family.models import Family, FamilyStatus
from server.safeguarding.models import SafeguardingOverride
from server.team.models import TeamMembership, TeamRole
from server.user.models import User
from tests.builders import create_agency, create_user


async def join_team(sessions: SessionFactory, *, family: Family, kind: AgencyKind) -> tuple[Agency, User]:
    """A new agency of `kind` with one worker, who joins the family's team as a contributor."""
    agency = await create_agency(sessions, kind=kind)
    worker = await create_user(sessions, agency=agency)
    async with unit_of_work(sessions) as session:
        session.add(
            TeamMembership(
                family_id=family.id,
                agency_id=agency.id,
                user_id=worker.id,
                role=TeamRole.contributor,
                agency_role=f"{kind.value} worker",
                contact_in_hours="01632 960000",
            )
        )
    return agency, worker


async def create_override_of(
    sessions: SessionFactory,
    *,
    family: Family,
    decided_by: User,
    categories: list[str],
    recipients: list[Agency],
    family_informed: bool,
) -> SafeguardingOverride:
    """An override in force for a week, recorded with the family told or not told of it."""
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
            family_informed=family_informed,
            not_informed_reason=None if family_informed else "Telling the family could increase the risk.",
            starts_at=now - timedelta(days=1),
            expires_at=now + timedelta(days=7),
        )
        session.add(row)
    return row


async def closed_days_ago(sessions: SessionFactory, family: Family, days: int) -> None:
    """Move the closure of a closed family back in time (closing itself goes through the API)."""
    async with unit_of_work(sessions) as session:
        table = Family.__table__
        await session.exec(
            sa.update(table)
            .where(table.c.id == family.id, table.c.status == FamilyStatus.closed.value)
            .values(closed_at=utcnow() - timedelta(days=days))
        )
