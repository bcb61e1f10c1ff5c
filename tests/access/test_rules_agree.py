"""The SQL form of each decision (lists) and the enforcer's answer (single lookups) must agree."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from server.access.actor import Act
from server.access.enforcer import build_enforcer
from server.access.pep import AccessControl
from server.access.rules import RULES, facts_from_rows, facts_from_team, facts_statement
from server.auth.service import actor_from
from server.config import REPO_ROOT
from server.family.models import Family
from server.team.models import TeamMembership
from tests.builders import create_area, create_family

ACTORS = ["lead", "colleague", "outsider", "manager", "other_manager", "ig", "admin"]
DECISIONS = [(Act.read, "family"), (Act.update, "family"), (Act.manage, "team")]


@pytest.fixture(scope="module")
def enforcer():
    return build_enforcer(REPO_ROOT / "policies")


def test_every_rule_the_policy_names_exists(enforcer):
    named = {line[3] for line in enforcer.get_policy()}
    assert named <= set(RULES), named - set(RULES)


async def test_list_filter_and_single_decisions_agree_for_every_actor(sessions, enforcer):
    # given families where each actor stands in a different relationship
    area = await create_area(sessions)
    families = [
        area.family,
        await create_family(sessions, lead=area.colleague),
        await create_family(sessions, lead=area.outsider, contributors=(area.lead,)),
        await create_family(sessions, lead=area.manager),
        await create_family(sessions, lead=area.other_manager),
    ]
    ids = [family.id for family in families]
    for who in ACTORS:
        access = AccessControl(enforcer, actor_from(getattr(area, who)))
        for act, kind in DECISIONS:
            async with sessions() as session:
                # when asked both ways
                listed = set(
                    (
                        await session.exec(
                            select(Family.id).where(
                                col(Family.id).in_(ids), access.family_filter(col(Family.id), act, kind)
                            )
                        )
                    ).all()
                )
                single = {family_id for family_id in ids if await access.can(session, act, kind, family_id)}
            # then the answers are the same
            assert listed == single, (who, act, kind)


async def test_facts_from_a_loaded_team_agree_with_the_facts_query(sessions):
    # given families where each actor stands in a different relationship
    area = await create_area(sessions)
    families = [area.family, await create_family(sessions, lead=area.outsider, contributors=(area.lead,))]
    async with sessions() as session:
        for family in families:
            team = list(
                (
                    await session.exec(select(TeamMembership).where(TeamMembership.family_id == family.id))
                ).all()
            )
            for who in ACTORS:
                actor = actor_from(getattr(area, who))
                rows = (await session.exec(facts_statement(actor, [family.id]))).all()
                # then the notification dispatcher's form equals the enforcer's
                assert (
                    facts_from_team(actor, family.id, team) == facts_from_rows([family.id], rows)[family.id]
                ), who
