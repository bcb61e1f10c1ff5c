"""The grouped, matcher-caching enforcer decides exactly like stock pycasbin over the whole policy, and
the pycasbin internals its matcher cache relies on are the ones it was checked against."""

from __future__ import annotations

import importlib.metadata
import inspect
import itertools
import re
import uuid

import casbin
import pytest

from server.access.actor import Actor
from server.access.enforcer import PYCASBIN_CHECKED, build_enforcer, build_reference_enforcer
from server.access.facts import FamilyFacts, ItemFacts
from server.access.rules import Resource
from server.config import REPO_ROOT

pytestmark = pytest.mark.long

ROLES = ["practitioner", "manager", "ig_officer", "admin", "family", "nobody"]
MINE, THEIRS = uuid.uuid4(), uuid.uuid4()


def test_grouped_decisions_equal_the_reference_for_every_combination():
    fast, reference = build_enforcer(REPO_ROOT / "policies"), build_reference_enforcer(REPO_ROOT / "policies")
    kinds = [*sorted({line[1] for line in reference.get_policy()}), "unknown_kind"]
    acts = sorted({line[2] for line in reference.get_policy()})
    # Stock pycasbin over each role's lines decides as over the whole policy for an actor of that role: the
    # matcher requires the role first, and the roles' lines together are the whole policy. Checked here, it lets
    # the comparison below ask a reference of ~23 lines, not 140 (the whole policy took ~85 s, nearly all of it
    # pycasbin evaluating the matcher line by line).
    assert reference.model["m"]["m"].value.startswith("r_sub.role == p_role && ")
    by_role = {role: build_reference_enforcer(REPO_ROOT / "policies", role) for role in ROLES}
    assert sorted(line for role in ROLES for line in by_role[role].get_policy()) == sorted(reference.get_policy())
    for role in ROLES:
        assert sorted(by_role[role].get_grouping_policy()) == sorted(reference.get_grouping_policy()), role
    assert by_role["nobody"].get_policy() == []
    facts_options = [
        FamilyFacts(
            uuid.uuid4(),
            named_worker=worker,
            lead_professional=lead,
            agency_on_team=on_team,
            own_family=own,
            consented=frozenset({"education"}) if consent else frozenset(),
            overridden=frozenset({(THEIRS, "health")}) if override else frozenset(),
            agreements=frozenset({(THEIRS, "education")}) if consent != override else frozenset(),
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
            agreements=frozenset({(THEIRS, "education")}),
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
        assert fast.enforce_ex(actor, resource, act)[0] == by_role[role].enforce_ex(actor, resource, act)[0], (
            role,
            kind,
            act,
            facts,
            item,
        )
        checked += 1
    assert checked > 5_000


def test_the_pinned_pycasbin_is_the_one_whose_private_matcher_hook_was_checked():
    # given the pycasbin pinned in requirements.lock and pyproject.toml
    pinned = re.search(r"^pycasbin==(\S+)$", (REPO_ROOT / "requirements.lock").read_text(), re.MULTILINE)
    assert pinned is not None
    assert f'"pycasbin=={pinned[1]}"' in (REPO_ROOT / "pyproject.toml").read_text()
    # then it is the one installed, and the one server/access/enforcer.py's override was checked against
    # (upgrading: read pycasbin's CoreEnforcer.enforce_ex again, then move PYCASBIN_CHECKED)
    assert importlib.metadata.version("pycasbin") == pinned[1] == PYCASBIN_CHECKED
    # and the hook it overrides is still a static method taking the matcher text and the functions
    assert isinstance(inspect.getattr_static(casbin.Enforcer, "_get_expression"), staticmethod)
    assert list(inspect.signature(casbin.Enforcer._get_expression).parameters) == ["expr", "functions"]


def test_deciding_parses_the_matcher_once_through_the_overridden_hook():
    # given a freshly built enforcer, and the small enforcer of one (role, kind, action)
    enforcer = build_enforcer(REPO_ROOT / "policies")
    role, kind, act = enforcer.get_policy()[0][:3]
    group = enforcer._groups[(role, kind, act)]
    assert "_parsed" not in group.__dict__
    actor = Actor(uuid.uuid4(), "x", "staff", role, MINE, None)
    resource = Resource(kind, FamilyFacts(uuid.uuid4(), agency_on_team=True), None)
    # when it decides twice
    first = enforcer.enforce_ex(actor, resource, act)
    parsed = dict(group._parsed)
    second = enforcer.enforce_ex(actor, resource, act)
    # then pycasbin's enforce path asked the override for the model's matcher, which was parsed once and kept
    assert list(parsed) == [group.model["m"]["m"].value]
    assert group._parsed[group.model["m"]["m"].value] is parsed[group.model["m"]["m"].value]
    assert first == second
