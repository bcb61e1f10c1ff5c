"""The dispatcher reads every recipient's facts for a batch in one statement: the same facts, exactly, as
reading them one actor at a time."""

from __future__ import annotations

import uuid

from server.access.enforcer import build_enforcer
from server.access.pep import AccessControl
from server.auth.service import actor_from
from tests.builders import create_area, create_consent, create_family, create_family_user, create_override


async def test_facts_of_many_pairs_equal_the_facts_read_one_actor_at_a_time(settings, sessions):
    # given workers in several relationships to two families: lead, team member, outsider, IG officer,
    # a manager, and a family member, with a consent and an override on record
    area = await create_area(sessions)
    other = await create_family(sessions, lead=area.colleague, contributors=(area.outsider,))
    await create_consent(
        sessions, family=area.family, recorded_by=area.lead, categories=["education", "health"], agencies=[area.school]
    )
    await create_override(
        sessions, family=other, decided_by=area.colleague, categories=["health"], recipients=[area.early_help]
    )
    member = await create_family_user(sessions, family=area.family)
    users = [area.lead, area.colleague, area.outsider, area.ig, area.manager, member]
    families = [area.family.id, other.id, uuid.uuid4()]  # and a family that does not exist
    enforcer = build_enforcer(settings.policies_dir)
    # when read in one statement for every pair, and one actor at a time
    batched = [AccessControl(enforcer, actor_from(user)) for user in users]
    single = [AccessControl(enforcer, actor_from(user)) for user in users]
    async with sessions() as session:
        await AccessControl.load_facts_of_many(session, [(access, f) for access in batched for f in families])
        for access in single:
            await access.load_facts(session, families)
        # then the facts are the same, pair by pair
        for one, many in zip(single, batched, strict=True):
            for family_id in families:
                assert await many.facts(session, family_id) == await one.facts(session, family_id)
        # and they are not all empty: the lead leads, the school is consented to, early help has the override
        assert (await batched[0].facts(session, area.family.id)).lead_professional
        assert (await batched[1].facts(session, area.family.id)).consented == frozenset({"education", "health"})
        assert (await batched[0].facts(session, other.id)).overridden == frozenset(
            {(area.colleague.agency_id, "health")}
        )
