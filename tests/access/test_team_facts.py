"""The facts a dispatch reads with a family's team (one statement for the whole team) are each member's own facts
as a decision without an item reads them (rules.family_decision_key), exactly as a request of theirs reads them;
the sets only an item decision reads are left empty, and every decision about the family is the same."""

from __future__ import annotations

from dataclasses import replace

from server.access.actor import Act
from server.access.enforcer import build_enforcer
from server.access.facts import FamilyFacts, facts_from_rows, facts_statement, team_facts_statement, team_member_facts
from server.access.kinds import Kind
from server.access.rules import Resource, family_decision_key
from server.agency.models import AgencyKind
from server.auth.service import actor_from
from server.user.models import SystemRole
from tests.builders import create_agency, create_agreement, create_consent, create_family, create_override, create_user

# What a decision without an item never reads (rules.family_decision_key): the team's statement leaves them empty.
ITEM_SETS = {"consented", "overridden", "refused", "police_agencies", "override_ids", "agreements"}


def _as_the_team_reads(facts: FamilyFacts) -> FamilyFacts:
    return replace(facts, **{name: frozenset() for name in ITEM_SETS})


def _same_decisions(enforcer, user, team: FamilyFacts, own: FamilyFacts) -> None:
    """Every decision about the family, every act on every kind, is the same on the team's facts as on the member's,
    asked of the enforcer afresh (AccessControl keeps such decisions by family_decision_key)."""
    actor = actor_from(user)
    assert family_decision_key(actor, team) == family_decision_key(actor, own)
    for kind in Kind:
        for act in Act:
            assert enforcer.enforce_ex(actor, Resource(kind, team), act.value) == enforcer.enforce_ex(
                actor, Resource(kind, own), act.value
            ), (kind, act)


async def test_each_member_has_the_facts_their_own_requests_read(sessions, settings):
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
        by_user = {row[1]: team_member_facts(row) for row in rows}
        # then each member's facts are those read for them alone
        assert sorted(by_user) == sorted(user.id for user in [lead, *team])
        enforcer = build_enforcer(settings.policies_dir)
        for user in [lead, *team]:
            alone = (await session.exec(facts_statement(actor_from(user), [family.id]))).all()
            own = facts_from_rows([family.id], list(alone), user.agency_id)[family.id]
            assert by_user[user.id] == _as_the_team_reads(own), user.agency_id
            _same_decisions(enforcer, user, by_user[user.id], own)
    assert any(facts.lead_professional for facts in by_user.values())
    assert any(facts.agency_manages_lead and not facts.lead_professional for facts in by_user.values())


async def test_members_sharing_agencies_and_agreements_have_their_own_facts(sessions, settings):
    # given two families read in one statement, teams of several members per agency, agencies in two
    # overlapping agreements (one for some categories only), an ended agreement, consents, a refusal and overrides
    agencies = [await create_agency(sessions, kind=AgencyKind.early_help), await create_agency(sessions)]
    agencies += [await create_agency(sessions, kind=AgencyKind.health), await create_agency(sessions)]
    ig = await create_user(sessions, agency=agencies[0], role=SystemRole.ig_officer)
    await create_agreement(sessions, parties=agencies[:3], created_by=ig)
    await create_agreement(sessions, parties=agencies[1:], categories=["health", "housing"], created_by=ig)
    await create_agreement(sessions, parties=[agencies[0], agencies[3]], ended=True, created_by=ig)
    leads = [await create_user(sessions, agency=agencies[0]), await create_user(sessions, agency=agencies[2])]
    team = [await create_user(sessions, agency=agencies[i % 4]) for i in range(10)]
    families = [
        await create_family(sessions, lead=leads[0], contributors=tuple(team)),
        await create_family(sessions, lead=leads[1], contributors=tuple(team[:5])),
    ]
    for family, lead in zip(families, leads, strict=True):
        await create_consent(sessions, family=family, recorded_by=lead, categories=["education", "health"])
    await create_consent(
        sessions,
        family=families[0],
        recorded_by=leads[0],
        categories=["health"],
        agencies=agencies[1:2],
        decision="refused",
    )
    await create_override(sessions, family=families[0], decided_by=team[2], categories=["police"], recipients=agencies)
    await create_override(
        sessions, family=families[1], decided_by=team[1], categories=["health"], recipients=agencies[3:]
    )
    # when both teams are read in one statement
    async with sessions() as session:
        rows = (await session.exec(team_facts_statement([family.id for family in families]))).all()
        read = {(row[0], row[1]): team_member_facts(row) for row in rows}
        assert len(read) == 10 + 1 + 5 + 1
        # (and each family's team alone, the statement of a dispatch at commit, reads the same)
        for family in families:
            alone_rows = (await session.exec(team_facts_statement([family.id]))).all()
            assert {(row[0], row[1]): team_member_facts(row) for row in alone_rows} == {
                key: facts for key, facts in read.items() if key[0] == family.id
            }
        # then each member's facts of each family are those read for them alone, as a decision about it reads them
        enforcer = build_enforcer(settings.policies_dir)
        owns = []
        for (family_id, user_id), facts in read.items():
            user = next(user for user in [*leads, *team] if user.id == user_id)
            alone = (await session.exec(facts_statement(actor_from(user), [family_id]))).all()
            own = facts_from_rows([family_id], list(alone), user.agency_id)[family_id]
            assert facts == _as_the_team_reads(own), (family_id, user.agency_id)
            _same_decisions(enforcer, user, facts, own)
            owns.append(own)
    # (and what was left out was there to leave: each agency its own pairs, a refusal, overrides)
    assert len({facts.agreements for facts in owns}) == 4
    assert any(facts.refused for facts in owns) and any(facts.overridden for facts in owns)
