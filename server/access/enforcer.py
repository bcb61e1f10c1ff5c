"""Builds the Casbin enforcer of the process from policies/model.conf and policies/policy.csv.

The policy is small and static (role x kind x action x rule); it changes only with a deployment, so
there is nothing to watch between instances. What changes all day (teams, consents, overrides) is
read per request as facts (server/access/facts.py) and checked by the rules the policy names.

Why it is not stock pycasbin: a decision is made for every item a page shows, and stock pycasbin
parses the matcher afresh on every call and evaluates it against every policy line (about 730 µs a
decision, bench/results/sharing.md). The matcher can only match lines of the request's own (role,
kind, action), so each such group gets its own enforcer holding just its lines, with the same model;
and each keeps its parsed matcher (about 46 µs a decision). Same decisions as stock pycasbin over the
whole policy (tests/access/test_enforcer.py).

Keeping the parsed matcher overrides pycasbin's private `_get_expression`, because pycasbin has no
public way to do it. The override is safe because nothing it is given changes after start-up: the
model, the registered functions and the kind groups are fixed when the enforcers are built. It is
pinned: pycasbin is pinned in requirements.lock, PYCASBIN_CHECKED names the version whose enforce path
was read for it, and tests/access/test_enforcer.py fails if the installed pycasbin is another, if
`_get_expression` changes its signature, or if `enforce_ex` stops calling it. Upgrading pycasbin means
reading its `CoreEnforcer.enforce_ex` again and then moving PYCASBIN_CHECKED.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import casbin
from casbin.persist.adapters.filtered_file_adapter import Filter, FilteredFileAdapter

from server.access.facts import DEFAULT_CLOSED_READ_PERIOD
from server.access.rules import holds

PYCASBIN_CHECKED = "2.8.0"  # the pycasbin whose enforce path _ParsedMatcherEnforcer was checked against


class _ParsedMatcherEnforcer(casbin.Enforcer):
    """Keeps the parsed matcher, by matcher text: the model and the registered functions never change
    after start-up (see the module's docstring for why this private override is pinned)."""

    _parsed: dict[str, Any]

    def _get_expression(self, expr: str, functions: dict | None = None) -> Any:  # type: ignore[override]
        cache = self.__dict__.setdefault("_parsed", {})
        if expr not in cache:
            cache[expr] = casbin.Enforcer._get_expression(expr, functions)
        return cache[expr]


class PolicyEnforcer:
    """The whole policy (for reading it) and one small enforcer per (role, kind, action) (for deciding).

    A line written for a group of kinds (`case_content`) belongs to the enforcer of every kind in the
    group; each small enforcer also holds the kind groups, so its matcher reads exactly as the model."""

    def __init__(self, policies_dir: Path, closed_read_period: timedelta = DEFAULT_CLOSED_READ_PERIOD) -> None:
        # How long after closure the team still reads a closed family's case content (rule
        # closed_read_period_over); a parameter of the facts, set from Settings.
        self.closed_read_period = closed_read_period
        # Decisions without an item, by rules.family_decision_key: filled and read by pep.AccessControl only,
        # valid as long as this enforcer's policy, which never changes after start-up.
        self.family_decisions: dict[tuple, Any] = {}
        model = str(policies_dir / "model.conf")
        self.full = casbin.Enforcer(model, str(policies_dir / "policy.csv"))
        kind_groups = self.full.get_named_grouping_policy("g")
        groups: dict[tuple[str, str, str], list[list[str]]] = defaultdict(list)
        for line in self.full.get_policy():
            for kind in self.kinds_under(line[1]):
                groups[(line[0], kind, line[2])].append(line)
        self._lines = dict(groups)
        self._groups: dict[tuple[str, str, str], casbin.Enforcer] = {}
        for key, lines in groups.items():
            group = _ParsedMatcherEnforcer(model)
            group.add_function("holds", holds)
            if kind_groups:
                group.add_named_grouping_policies("g", kind_groups)
            group.add_policies(lines)
            self._groups[key] = group

    def kinds_under(self, kind: str) -> list[str]:
        """The kind itself and every kind grouped under it (`case_content`: each kind of case content)."""
        members = [child for child, parent in self.full.get_named_grouping_policy("g") if parent == kind]
        return [kind, *members]

    def lines_for(self, role: str, kind: str, act: str) -> list[list[str]]:
        """The policy lines that decide (role, kind, act), those written for the kind's group included."""
        return self._lines.get((role, kind, act), [])

    def enforce_ex(self, actor: Any, resource: Any, act: str) -> tuple[bool, list[str]]:
        group = self._groups.get((actor.role, resource.kind, act))
        if group is None:
            return False, []  # no line for this role, kind and action: deny by default
        return group.enforce_ex(actor, resource, act)

    def get_policy(self) -> list[list[str]]:
        return self.full.get_policy()

    def get_filtered_policy(self, index: int, *values: str) -> list[list[str]]:
        return self.full.get_filtered_policy(index, *values)


def build_enforcer(policies_dir: Path, closed_read_period: timedelta = DEFAULT_CLOSED_READ_PERIOD) -> PolicyEnforcer:
    # pycasbin logs every request with its subject and object (names, ids, the family's consents): the
    # audit log records decisions that matter; the application log must not. A level, not `disabled`,
    # because logging.config.dictConfig (uvicorn calls it) re-enables disabled loggers.
    for name in ("casbin", "casbin.enforcer", "casbin.policy", "casbin.role_manager"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    return PolicyEnforcer(policies_dir, closed_read_period)


def build_reference_enforcer(policies_dir: Path, role: str | None = None) -> casbin.Enforcer:
    """Stock pycasbin over the whole policy: what PolicyEnforcer must agree with (tests, benchmarks). Given a
    `role`, over only that role's lines, loaded by pycasbin's own filtered adapter: the matcher's first condition
    is the actor's role, so no other line can match an actor of that role (tests/access/test_enforcer.py checks
    both), and each decision evaluates the matcher once per line of the role instead of once per line."""
    model = str(policies_dir / "model.conf")
    if role is None:
        enforcer = casbin.Enforcer(model, str(policies_dir / "policy.csv"))
    else:
        enforcer = casbin.Enforcer(model, FilteredFileAdapter(str(policies_dir / "policy.csv")))
        lines = Filter()
        lines.P, lines.G = [role], []
        enforcer.load_filtered_policy(lines)
    enforcer.add_function("holds", holds)
    return enforcer


def rules_for(enforcer: PolicyEnforcer, role: str, kind: str, act: str) -> tuple[list[str], list[str]]:
    """The rule names of the allow and deny lines for (role, kind, act), for the SQL form of a decision."""
    allow, deny = [], []
    for _role, _kind, _act, rule, effect in enforcer.lines_for(role, kind, act):
        (allow if effect == "allow" else deny).append(rule)
    return allow, deny
