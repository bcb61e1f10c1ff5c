"""The SQL form of each decision (lists) and the enforcer's answer (single lookups) must agree."""

from __future__ import annotations

import dataclasses
import itertools
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import col, select

from server.access.actor import Act, Actor
from server.access.enforcer import build_enforcer
from server.access.facts import FamilyFacts, ItemFacts, families_facts, families_facts_parameters
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.access.rules import FAMILY_RULES, ITEM_RULES, ContentColumns
from server.auth.service import actor_from
from server.config import REPO_ROOT
from server.family.models import Family
from tests.builders import create_area, create_consent, create_family, create_override

ACTORS = ["lead", "colleague", "outsider", "manager", "other_manager", "ig", "admin"]
DECISIONS = [
    (Act.read, Kind.family),
    (Act.update, Kind.family),
    (Act.manage, Kind.team),
    (Act.read, Kind.plan),
    (Act.update, Kind.plan),
    (Act.read, Kind.meeting),
    (Act.update, Kind.meeting),
    (Act.read, Kind.assessment),
    (Act.create, Kind.assessment),
    (Act.read, Kind.escalation),
    (Act.create, Kind.escalation),
    (Act.update, Kind.escalation),
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


async def test_families_facts_agree_with_each_familys_own_facts(sessions, enforcer):
    # given families whose consents and overrides say different things to different agencies
    area = await create_area(sessions)
    consenting = await create_family(sessions, lead=area.lead, contributors=(area.colleague,))
    await create_consent(sessions, family=consenting, recorded_by=area.lead, categories=["health", "education"])
    await create_consent(
        sessions, family=consenting, recorded_by=area.lead, categories=["education"], decision="refused"
    )
    to_school = await create_family(sessions, lead=area.lead, contributors=(area.outsider,))
    await create_consent(
        sessions, family=to_school, recorded_by=area.lead, categories=["housing", "health"], agencies=[area.school]
    )
    await create_consent(sessions, family=to_school, recorded_by=area.lead, categories=["police"], withdrawn=True)
    overridden = await create_family(sessions, lead=area.colleague, contributors=(area.lead,))
    await create_override(
        sessions, family=overridden, decided_by=area.lead, categories=["health", "health"], recipients=[area.school]
    )
    await create_override(
        sessions, family=overridden, decided_by=area.lead, categories=["education"], recipients=[area.school]
    )
    await create_override(
        sessions,
        family=overridden,
        decided_by=area.lead,
        categories=["housing"],
        recipients=[area.school],
        revoked=True,
    )
    families = [area.family, consenting, to_school, overridden, await create_family(sessions, lead=area.manager)]
    ids = [family.id for family in families] + [uuid.uuid4()]  # and one that does not exist
    listed = sa.select(sa.func.unnest(sa.literal(ids, ARRAY(sa.Uuid()))).label("id")).cte("ids")
    facts = families_facts()
    statement = sa.select(facts).select_from(listed.join(facts, facts.c.family_id == listed.c.id))
    for who in ACTORS:
        actor = actor_from(getattr(area, who))
        access = AccessControl(enforcer, actor)
        async with sessions() as session:
            # when their facts are read for all of them at once, as a report reads them, and for each on its own
            rows = {
                row.family_id: row
                for row in (
                    await session.exec(statement.params(families_facts_parameters(actor, enforcer.closed_read_period)))
                ).all()
            }
            single = [await access.facts(session, family_id) for family_id in ids[:-1]]
        # then each family's row holds its own facts (the overrides without their ids)
        assert set(rows) == set(ids[:-1]), who  # and the family that does not exist has no row
        for expected in single:
            row = rows[expected.family_id]
            found = FamilyFacts(
                row.family_id,
                row.named_worker,
                row.lead_professional,
                row.agency_on_team,
                row.agency_manages_lead,
                row.own_family,
                frozenset(row.consented),
                frozenset((uuid.UUID(a), c) for a, c in (entry.split(" ") for entry in row.overridden)),
                frozenset(row.refused),
                frozenset(row.police_agencies),
                bool(row.closed_read_over),
                frozenset(),
                frozenset((uuid.UUID(a), c) for a, c in (pair.split(" ") for pair in row.agreement_pairs)),
                bool(row.deputy_covering),
            )
            assert found == dataclasses.replace(expected, override_ids=frozenset()), who


async def test_each_item_rule_in_sql_agrees_with_its_python_form(sessions):
    # given families in every state the item rules read (closed beyond the read period included)
    mine, police, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    actor = Actor(uuid.uuid4(), "x", "staff", "practitioner", mine, None)
    facts_options = [
        FamilyFacts(
            uuid.uuid4(),
            named_worker=worker,
            lead_professional=lead,
            agency_on_team=worker,
            own_family=own,
            consented=frozenset({"education", "mental_health"}),
            overridden=frozenset({(other, "health")}),
            refused=frozenset({"mental_health"}),
            police_agencies=frozenset({police}),
            closed_read_over=closed,
            # consented and agreed (other's education), agreed only (health), consented only (police's health)
            agreements=frozenset({(other, "education"), (other, "health"), (police, "mental_health")})
            if agreed
            else frozenset(),
        )
        for worker, lead, own, closed, agreed in itertools.product([False, True], repeat=5)
    ]
    items = [
        ItemFacts(owner, category, family_summary=summary, third_party=third, team_shared=shared, recipients=named)
        for owner, category, summary, third, shared, named in itertools.product(
            [mine, other, police],
            ["education", "health", "mental_health", "police"],
            [False, True],
            [False, True],
            [False, True],
            [frozenset(), frozenset({mine})],
        )
    ]
    async with sessions() as session:
        for facts in facts_options:
            # when every rule is asked both ways about every item (one statement per family state)
            expressions, expected = [], []
            for item in items:
                columns = ContentColumns(
                    owning_agency_id=sa.literal(item.owning_agency_id, sa.Uuid()),
                    category=sa.literal(item.category, sa.Text()),
                    family_summary=sa.literal(item.family_summary),
                    third_party=sa.literal(item.third_party),
                    team_shared=sa.literal(item.team_shared),
                    recipients=sa.literal(sorted(item.recipients), ARRAY(sa.Uuid())),
                )
                for name, rule in ITEM_RULES.items():
                    expressions.append(rule.sql(actor, facts, columns))
                    expected.append((name, item, rule.check(actor, facts, item)))
            answers = []
            for start in range(0, len(expressions), 1000):  # PostgreSQL selects at most 1,664 columns
                answers.extend((await session.exec(sa.select(*expressions[start : start + 1000]))).one())
            # then they agree
            for answer, (name, item, check) in zip(answers, expected, strict=True):
                assert bool(answer) == check, (name, facts, item)
