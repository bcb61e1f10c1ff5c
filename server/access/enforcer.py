"""Builds the one Casbin enforcer of the process from policies/model.conf and policies/policy.csv."""

from __future__ import annotations

from pathlib import Path

import casbin

from server.access.actor import Actor
from server.access.rules import RULES, Resource


def _holds(rule: str, actor: Actor, resource: Resource) -> bool:
    known = RULES.get(rule)
    # An unknown rule name in policy.csv never grants anything (and the policy test catches it).
    return known is not None and known.check(actor, resource.facts)


def build_enforcer(policies_dir: Path) -> casbin.Enforcer:
    enforcer = casbin.Enforcer(str(policies_dir / "model.conf"), str(policies_dir / "policy.csv"))
    enforcer.add_function("holds", _holds)
    return enforcer


def rules_granting(enforcer: casbin.Enforcer, role: str, kind: str, act: str) -> tuple[list[str], list[str]]:
    """The rule names of the allow and deny lines for (role, kind, act), for the SQL form of a decision."""
    allow, deny = [], []
    for _role, _kind, _act, rule, effect in enforcer.get_filtered_policy(0, role, kind, act):
        (allow if effect == "allow" else deny).append(rule)
    return allow, deny
