"""AccessControl memoises item decisions on what the rules read (rules.item_decision_key), not on the
item's identity: every memoised answer, basis included, must equal a fresh decision for that item."""

from __future__ import annotations

import itertools
import uuid

from server.access.actor import Act, Actor
from server.access.enforcer import build_enforcer
from server.access.facts import FamilyFacts, ItemFacts
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.access.rules import Resource
from server.config import REPO_ROOT

MINE = uuid.uuid4()
OTHERS = [uuid.uuid4() for _ in range(3)]
CATEGORIES = ["education", "health", "police", "housing"]


def test_memoised_item_decisions_equal_fresh_decisions_for_every_item():
    # given the real policy, actors of every role in one agency, and families with consents and overrides
    enforcer = build_enforcer(REPO_ROOT / "policies")
    kinds = sorted({Kind(line[1]) for line in enforcer.get_policy()})
    facts_options = [
        FamilyFacts(
            uuid.uuid4(),
            named_worker=worker,
            lead_professional=lead,
            agency_on_team=on_team,
            own_family=own,
            consented=frozenset({"education", "housing"}) if consent else frozenset(),
            overridden=frozenset({(OTHERS[0], "health"), (OTHERS[1], "police")}),
            # agreements cover education with both other agencies, housing with one: same category, two answers
            agreements=frozenset({(OTHERS[0], "education"), (OTHERS[1], "education"), (OTHERS[0], "housing")}),
            closed_read_over=closed,
        )
        for worker, lead, on_team, own, consent, closed in [
            *list(itertools.product([False, True], repeat=6))[::16],
            # and a worker on the team of a family that consented (the consent and agreement rules then decide)
            (True, False, True, False, True, False),
            (True, True, True, False, True, True),
        ]
    ]
    items = [
        ItemFacts(owner, category, family_summary=summary, third_party=third, recipients=recipients)
        for owner, category, summary, third, recipients in itertools.product(
            [MINE, OTHERS[0], OTHERS[1]],
            CATEGORIES,
            [False, True],
            [False, True],
            [frozenset(), frozenset({MINE}), frozenset({OTHERS[2]})],
        )
    ]
    checked = memo_hits = 0
    for role in ["practitioner", "manager", "ig_officer", "admin", "family"]:
        actor = Actor(uuid.uuid4(), "x", "family" if role == "family" else "staff", role, MINE, None)
        # when one request-scoped AccessControl decides every item of every family, in order
        for facts in facts_options:
            access = AccessControl(enforcer, actor)
            for kind, item in itertools.product(kinds, items):
                before = len(access._decisions)
                memoised = access.decide(Act.read, kind, facts, item)
                memo_hits += len(access._decisions) == before
                # then each answer and its basis are what a fresh decision for that very item says
                allowed, explanation = enforcer.enforce_ex(actor, Resource(kind, facts, item), "read")
                assert (memoised.allowed, memoised.basis) == (
                    bool(allowed),
                    explanation[3] if allowed and explanation else None,
                ), (role, kind, facts, item)
                checked += 1
    # and the memo is actually used: many items of a family share a key with an earlier one
    assert checked > 20_000
    assert memo_hits > checked // 3
