"""The SQL form of each decision (lists) and the enforcer's answer (single lookups) must agree."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from server.access.actor import Act
from server.access.enforcer import build_enforcer
from server.access.pep import AccessControl
from server.access.rules import FAMILY_RULES, ITEM_RULES
from server.auth.service import actor_from
from server.config import REPO_ROOT
from server.family.models import Family
from tests.builders import create_area, create_family

ACTORS = ["lead", "colleague", "outsider", "manager", "other_manager", "ig", "admin"]
DECISIONS = [
    (Act.read, "family"),
    (Act.update, "family"),
    (Act.manage, "team"),
    (Act.read, "plan"),
    (Act.update, "plan"),
    (Act.read, "meeting"),
    (Act.update, "meeting"),
    (Act.read, "assessment"),
    (Act.create, "assessment"),
    (Act.read, "escalation"),
    (Act.create, "escalation"),
    (Act.update, "escalation"),
]


@pytest.fixture(scope="module")
def enforcer():
    return build_enforcer(REPO_ROOT / "policies")


def test_every_rule_the_policy_names_exists(enforcer):
    named = {line[3] for line in enforcer.get_policy()}
    assert named <= set(FAMILY_RULES) | set(ITEM_RULES), named - set(FAMILY_RULES) - set(ITEM_RULES)


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
