"""The kinds of record are named once: every kind in the policy is a Kind, and every Kind is decided by
some line of the policy (directly or through its group)."""

from __future__ import annotations

from server.access.enforcer import build_enforcer
from server.access.kinds import CONTENT_KINDS, Kind
from server.config import REPO_ROOT


def test_policy_kinds_and_code_kinds_are_the_same():
    enforcer = build_enforcer(REPO_ROOT / "policies")
    in_policy = {line[1] for line in enforcer.get_policy()}
    grouped = {child for child, _group in enforcer.full.get_named_grouping_policy("g")}
    assert in_policy | grouped == {kind.value for kind in Kind}


def test_every_content_kind_is_in_the_case_content_group_and_nothing_else_is():
    enforcer = build_enforcer(REPO_ROOT / "policies")
    groups = enforcer.full.get_named_grouping_policy("g")
    assert {child for child, group in groups if group == Kind.case_content} == {kind.value for kind in CONTENT_KINDS}
    assert {group for _child, group in groups} == {Kind.case_content.value}
