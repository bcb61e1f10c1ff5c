"""The facts a dispatch reads with a family's team (one statement for the whole team, the parsed agreements and
overrides shared between rows that hold the same) are each member's own facts, exactly as a request of theirs
reads them."""

from __future__ import annotations

from server.access.facts import TEAM_FACTS_LEAD, facts_from_rows, facts_statement, team_facts_statement
from server.agency.models import AgencyKind
from server.auth.service import actor_from
from server.user.models import SystemRole
from tests.builders import create_agency, create_agreement, create_consent, create_family, create_override, create_user


async def test_each_member_has_the_facts_their_own_requests_read(sessions):
    # given a team of seven from four agencies, three of them in an agreement, with consent and an override
    agencies = [await create_agency(sessions, kind=kind) for kind in (AgencyKind.early_help, AgencyKind.education)]
    agencies += [await create_agency(sessions, kind=AgencyKind.health), await create_agency(sessions)]
    ig = await create_user(sessions, agency=agencies[0], role=SystemRole.ig_officer)
    await create_agreement(sessions, parties=agencies[:3], created_by=ig)
    lead = await create_user(sessions, agency=agencies[0])
    team = [await create_user(sessions, agency=agencies[i % 4]) for i in range(6)]
    family = await create_family(sessions, lead=lead, contributors=tuple(team))
    await create_consent(sessions, family=family, recorded_by=lead, categories=["education", "health"])
    await create_override(
        sessions, family=family, decided_by=team[1], categories=["education"], recipients=agencies[2:3]
    )
    # when the team is read in one statement
    async with sessions() as session:
        rows = (await session.exec(team_facts_statement([family.id]))).all()
        by_user = {row[1]: facts_from_rows([family.id], [row[TEAM_FACTS_LEAD:]])[family.id] for row in rows}
        # then each member's facts are those read for them alone
        assert sorted(by_user) == sorted(user.id for user in [lead, *team])
        for user in [lead, *team]:
            alone = (await session.exec(facts_statement(actor_from(user), [family.id]))).all()
            assert by_user[user.id] == facts_from_rows([family.id], list(alone))[family.id], user.agency_id
    assert any(facts.agreements for facts in by_user.values())
