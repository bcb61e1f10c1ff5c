"""The rule deputy_covering asked both ways, as a list filter (SQL) and as single decisions (the facts),
must agree in every state: no deputy, deputy with the lead here, away, away but cancelled, away in the
future, the deputy off the team, and the deputy since made lead."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import col, select

from server.access.actor import Act
from server.access.enforcer import build_enforcer
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.auth.service import actor_from
from server.clock import today, utcnow
from server.config import REPO_ROOT
from server.cover.models import DeputyLead, LeadAbsence
from server.db.engine import unit_of_work
from server.family.models import Family
from server.team.models import TeamMembership, TeamRole
from tests.builders import create_agency, create_family, create_user


async def test_the_deputy_rule_in_sql_agrees_with_the_facts(sessions):
    # given one deputy and one lead across families in every state of cover
    agency = await create_agency(sessions)
    deputy, lead, other_lead = [await create_user(sessions, agency=agency) for _ in range(3)]
    states = ["no_deputy", "lead_here", "lead_away", "cancelled", "future", "deputy_left", "deputy_is_lead"]
    families = {}
    for state in states:
        leader = other_lead if state in ("lead_here", "future", "cancelled") else lead
        families[state] = await create_family(sessions, lead=leader, contributors=(deputy,))
    async with unit_of_work(sessions) as session:
        for state, family in families.items():
            if state != "no_deputy":
                session.add(DeputyLead(family_id=family.id, user_id=deputy.id, appointed_by_user_id=lead.id))
        session.add(LeadAbsence(user_id=lead.id, starts_on=today(), ends_on=today() + timedelta(days=3)))
        later = today() + timedelta(days=5)
        session.add(LeadAbsence(user_id=other_lead.id, starts_on=later, ends_on=later + timedelta(days=1)))
        session.add(LeadAbsence(user_id=other_lead.id, starts_on=today(), ends_on=today(), cancelled_at=utcnow()))
        await session.exec(
            sa.update(TeamMembership)
            .where(TeamMembership.family_id == families["deputy_left"].id, TeamMembership.user_id == deputy.id)
            .values(valid_to=utcnow())
        )
        # the deputy made lead: the old lead steps aside to contributor
        moved = families["deputy_is_lead"].id
        await session.exec(
            sa.update(TeamMembership)
            .where(TeamMembership.family_id == moved, TeamMembership.user_id == lead.id)
            .values(role=TeamRole.contributor.value)
        )
        await session.exec(
            sa.update(TeamMembership)
            .where(TeamMembership.family_id == moved, TeamMembership.user_id == deputy.id)
            .values(role=TeamRole.lead_professional.value)
        )
    ids = [family.id for family in families.values()]
    access = AccessControl(build_enforcer(REPO_ROOT / "policies"), actor_from(deputy))
    # when asked both ways
    async with sessions() as session:
        statement = select(Family.id).where(
            col(Family.id).in_(ids), access.family_filter(col(Family.id), Act.update, Kind.escalation)
        )
        listed = set((await session.exec(statement)).all())
        single = {family_id for family_id in ids if await access.can(session, Act.update, Kind.escalation, family_id)}
    # then they agree: the deputy covers exactly the family whose lead is away today (and it is them who leads
    # the last one, which their lead's rule allows)
    assert listed == single
    assert single == {families["lead_away"].id, families["deputy_is_lead"].id}
