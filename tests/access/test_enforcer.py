"""The grouped, matcher-caching enforcer decides exactly like stock pycasbin over the whole policy."""

from __future__ import annotations

import itertools
import uuid

from server.access.actor import Actor
from server.access.enforcer import build_enforcer, build_reference_enforcer
from server.access.facts import FamilyFacts, ItemFacts
from server.access.rules import Resource
from server.config import REPO_ROOT

ROLES = ["practitioner", "manager", "ig_officer", "admin", "family", "nobody"]
MINE, THEIRS = uuid.uuid4(), uuid.uuid4()


def test_grouped_decisions_equal_the_reference_for_every_combination():
    fast, reference = build_enforcer(REPO_ROOT / "policies"), build_reference_enforcer(REPO_ROOT / "policies")
    kinds = [*sorted({line[1] for line in reference.get_policy()}), "unknown_kind"]
    acts = sorted({line[2] for line in reference.get_policy()})
    facts_options = [
        FamilyFacts(
            uuid.uuid4(),
            named_worker=worker,
            lead_professional=lead,
            agency_on_team=on_team,
            own_family=own,
            consented=frozenset({"education"}) if consent else frozenset(),
            overridden=frozenset({(THEIRS, "health")}) if override else frozenset(),
        )
        for worker, lead, on_team, own, consent, override in list(itertools.product([False, True], repeat=6))[::9]
    ]
    # and a closed family beyond the read period, for a worker, the lead and the family itself
    facts_options += [
        FamilyFacts(
            uuid.uuid4(),
            named_worker=True,
            lead_professional=lead,
            agency_on_team=True,
            own_family=own,
            consented=frozenset({"education"}),
            overridden=frozenset({(THEIRS, "health")}),
            closed_read_over=True,
        )
        for lead, own in [(False, False), (True, False), (False, True)]
    ]
    items = [
        None,
        ItemFacts(MINE, "education"),
        ItemFacts(THEIRS, "education"),
        ItemFacts(THEIRS, "health"),
        ItemFacts(THEIRS, "police", family_summary=True),
        ItemFacts(THEIRS, "housing", family_summary=True, third_party=True),
        ItemFacts(THEIRS, "", recipients=frozenset({MINE})),
    ]
    checked = 0
    for role, kind, act, facts, item in itertools.product(ROLES, kinds, acts, facts_options, items):
        actor = Actor(uuid.uuid4(), "x", "staff", role, MINE, None)
        resource = Resource(kind, facts, item)
        assert fast.enforce_ex(actor, resource, act)[0] == reference.enforce_ex(actor, resource, act)[0], (
            role,
            kind,
            act,
            facts,
            item,
        )
        checked += 1
    assert checked > 5_000
