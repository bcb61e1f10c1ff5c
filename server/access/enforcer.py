"""Builds the one Casbin enforcer of the process from policies/model.conf and policies/policy.csv.

The policy is small and static (role x kind x action x rule); it changes only with a deployment, so
there is nothing to watch between instances. What changes all day (teams, consents, overrides) is
read per request as facts (server/access/facts.py) and checked by the rules the policy names.
"""

from __future__ import annotations

import logging
from pathlib import Path

import casbin

from server.access.rules import holds


def build_enforcer(policies_dir: Path) -> casbin.Enforcer:
    enforcer = casbin.Enforcer(str(policies_dir / "model.conf"), str(policies_dir / "policy.csv"))
    enforcer.add_function("holds", holds)
    # pycasbin logs every request with its subject and object (names, ids, the family's consents): the
    # audit log records decisions that matter; the application log must not. A level, not `disabled`,
    # because logging.config.dictConfig (uvicorn calls it) re-enables disabled loggers.
    for name in ("casbin", "casbin.enforcer", "casbin.policy", "casbin.role_manager"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    return enforcer


def rules_for(enforcer: casbin.Enforcer, role: str, kind: str, act: str) -> tuple[list[str], list[str]]:
    """The rule names of the allow and deny lines for (role, kind, act), for the SQL form of a decision."""
    allow, deny = [], []
    for _role, _kind, _act, rule, effect in enforcer.get_filtered_policy(0, role, kind, act):
        (allow if effect == "allow" else deny).append(rule)
    return allow, deny
