"""AccessControl keeps decisions without an item for the process, on what they read (rules.family_decision_key):
the key must cover every input the model reads for such a decision, and every kept answer, basis included,
must equal a fresh decision for whoever asks about whichever family."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import fields, replace

from server.access.actor import Act, Actor
from server.access.enforcer import build_enforcer
from server.access.facts import FamilyFacts
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.access.rules import FAMILY_RULES, ITEM_RULES, Resource, family_decision_key, holds
from server.config import REPO_ROOT

MATCHER = "r.sub.role == p.role && g(r.obj.kind, p.kind) && r.act == p.act && holds(p.rule, r.sub, r.obj)"
FLAGS = [f.name for f in fields(FamilyFacts) if f.type in ("bool", bool)]


class _Reading:
    """Records the attributes read of the object it stands for."""

    def __init__(self, target: object) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "read", set())

    def __getattr__(self, name: str) -> object:
        self.read.add(name)
        return getattr(self._target, name)


def _actor(role: str, agency: uuid.UUID | None = None, member: uuid.UUID | None = None) -> Actor:
    return Actor(uuid.uuid4(), "x", "family" if role == "family" else "staff", role, agency, member)


def test_the_key_covers_all_that_the_model_reads_without_an_item():
    # given the model's matcher: it reads the actor's role, the kind, the act, and `holds` of the line's rule
    enforcer = build_enforcer(REPO_ROOT / "policies")
    as_read = enforcer.full.model["m"]["m"].value  # pycasbin writes r.sub as r_sub
    assert as_read.replace(" ", "").replace(".", "_") == MATCHER.replace(" ", "").replace(".", "_")
    actor, facts = _Reading(_actor("practitioner", uuid.uuid4())), _Reading(FamilyFacts(uuid.uuid4()))
    family_decision_key(actor, facts)  # type: ignore[arg-type]
    keyed_actor, keyed_facts = set(actor.read), set(facts.read)
    assert keyed_actor == {"role"}
    assert keyed_facts == set(FLAGS)  # every flag of the facts, even one no rule reads yet
    # when every rule is asked without an item
    for rule in [*FAMILY_RULES, *ITEM_RULES, "no_such_rule"]:
        actor, facts = _Reading(_actor("practitioner", uuid.uuid4())), _Reading(FamilyFacts(uuid.uuid4()))
        resource = _Reading(Resource(Kind.family.value, facts))  # type: ignore[arg-type]
        holds(rule, actor, resource)  # type: ignore[arg-type]
        # then it reads nothing of the actor and only keyed flags of the facts (an item rule holds for no item)
        assert actor.read == set(), rule
        assert facts.read <= keyed_facts, (rule, facts.read - keyed_facts)
        assert resource.read <= {"facts", "item"}, rule


def test_kept_decisions_equal_fresh_decisions_for_every_key():
    # given the real policy and, for every role and every combination of the flags, two askers who differ in
    # all the key leaves out (user, agency, family member, family, consents, overrides, agreements, police)
    enforcer = build_enforcer(REPO_ROOT / "policies")
    kinds = sorted({Kind(line[1]) for line in enforcer.get_policy()})
    agency, other = uuid.uuid4(), uuid.uuid4()
    sets = {
        "consented": frozenset({"education", "health"}),
        "refused": frozenset({"police"}),
        "overridden": frozenset({(other, "health")}),
        "agreements": frozenset({(other, "education")}),
        "police_agencies": frozenset({other}),
    }
    checked = kept = 0
    for role in ["practitioner", "manager", "ig_officer", "admin", "family", "nobody"]:
        askers = [_actor(role, agency, None), _actor(role, other, uuid.uuid4())]
        for flags in itertools.product([False, True], repeat=len(FLAGS)):
            plain = FamilyFacts(uuid.uuid4(), **dict(zip(FLAGS, flags, strict=True)))
            facts = [plain, replace(plain, family_id=uuid.uuid4(), **sets)]
            for kind, act in itertools.product(kinds, Act):
                for actor, fact in zip(askers, facts, strict=True):
                    # when each asks in a request of its own (the second one's answer is the first one's, kept)
                    before = len(enforcer.family_decisions)
                    decided = AccessControl(enforcer, actor).decide(act, kind, fact)
                    kept += len(enforcer.family_decisions) == before
                    # then it is what a fresh decision for that very asker and family says
                    allowed, explanation = enforcer.enforce_ex(actor, Resource(kind, fact), act.value)
                    assert (decided.allowed, decided.basis) == (
                        bool(allowed),
                        explanation[3] if allowed and explanation else None,
                    ), (role, kind, act, fact)
                    checked += 1
    assert kept >= checked // 2
