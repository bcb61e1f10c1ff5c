"""The kinds of record are named once: every kind in the policy is a Kind, and every Kind is decided by
some line of the policy (directly or through its group). The code names kinds only as Kinds: the
enforcement point refuses anything else, no call to it passes a string, every kind the code asks about
is in the policy, and every kind in the policy is asked about somewhere."""

from __future__ import annotations

import ast
import uuid

import pytest
import sqlalchemy as sa

from notifications import events
from server.access.actor import Act, Actor
from server.access.enforcer import build_enforcer
from server.access.facts import FamilyFacts
from server.access.kinds import CONTENT_KINDS, Kind
from server.access.pep import AccessControl
from server.access.rules import ContentColumns
from server.config import REPO_ROOT

KINDS_MODULE = "server/access/kinds.py"


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


# Where the code names kinds: AccessControl's methods (and the write guard) with the position of their
# kind argument, and the keywords that take a kind.
KIND_ARGUMENT = {
    "decide": 1,
    "can": 2,
    "can_item": 2,
    "can_outside_family": 1,
    "require": 2,
    "require_outside_family": 1,
    "family_filter": 2,
    "item_filter": None,
    "note_read": 2,
    "lock_and_require": 3,
}
KIND_KEYWORDS = {"kind", "seen_as"}
SERVER = REPO_ROOT / "server"


def server_modules() -> dict[str, ast.Module]:
    found = {str(path.relative_to(REPO_ROOT)): ast.parse(path.read_text()) for path in SERVER.rglob("*.py")}
    assert "server/access/pep.py" in found
    return found


def kind_arguments(tree: ast.AST) -> list[ast.expr]:
    """The kind argument of every call, in `tree`, to a method of the enforcement point."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        if name not in KIND_ARGUMENT:
            continue
        position = KIND_ARGUMENT[name]
        if position is not None and len(node.args) > position:
            found.append(node.args[position])
        found += [keyword.value for keyword in node.keywords if keyword.arg in KIND_KEYWORDS]
    return found


def kinds_named(tree: ast.AST) -> set[str]:
    """Every `Kind.x` in `tree`."""
    return {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Kind"
    }


def constants_bound_to_a_kind(tree: ast.Module) -> set[str]:
    """Module-level names assigned `Kind.x` (KIND = Kind.meeting)."""
    return {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign) and kinds_named(node.value) and isinstance(node.value, ast.Attribute)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def is_kind_expression(argument: ast.expr, constants: set[str]) -> bool:
    """`Kind.x`, `Kind(...)` (a string from notifications/, checked on conversion), a module constant bound to
    a Kind, or a local name (checked at run time by the enforcement point); never a string."""
    if isinstance(argument, ast.Attribute) and isinstance(argument.value, ast.Name):
        return argument.value.id == "Kind"
    if isinstance(argument, ast.Call):
        return isinstance(argument.func, ast.Name) and argument.func.id == "Kind"
    if isinstance(argument, ast.Name):
        return argument.id in constants or not argument.id.isupper()
    return False


def test_code_passes_the_enforcement_point_a_kind_never_a_string():
    offenders = []
    calls = 0
    for name, tree in server_modules().items():
        constants = constants_bound_to_a_kind(tree)
        for argument in kind_arguments(tree):
            calls += 1
            if not is_kind_expression(argument, constants):
                offenders.append(f"{name}:{argument.lineno}: {ast.unparse(argument)}")
    assert offenders == []
    assert calls > 100  # the scan finds the calls
    # and it would see a string, wherever the kind is passed
    for source in (
        'access.require(session, Act.read, "family", family_id)',
        'await access.item_filter(session, family_id, columns, kind="contribution")',
        'await lock_and_require(session, access, Act.update, Kind.plan, family_id, seen_as="plan")',
        'access.can_outside_family(Act.read, f"{name}")',
        'KIND = "meeting"\naccess.can(session, Act.read, KIND, family_id)',
    ):
        tree = ast.parse(source)
        assert not all(is_kind_expression(a, constants_bound_to_a_kind(tree)) for a in kind_arguments(tree)), source


def test_every_kind_in_the_policy_is_used_in_code_and_every_kind_used_is_in_the_policy():
    enforcer = build_enforcer(REPO_ROOT / "policies")
    in_policy = {line[1] for line in enforcer.get_policy()} | {
        c for c, _ in enforcer.full.get_named_grouping_policy("g")
    }
    in_code = set().union(*(kinds_named(tree) for name, tree in server_modules().items() if name != KINDS_MODULE))
    # notifications/ never imports server: its events name the kinds they are about as strings, which the
    # server turns into Kinds when it decides who is told and what they read (server/inbox/)
    for event in events.EVENT_TYPES.values():
        in_code |= {event.notice_kind} | ({event.subject_kind} if hasattr(event, "subject_kind") else set())
    # case_content is the group: the code asks about its members (test above), never about the group itself
    assert in_code == in_policy - {Kind.case_content.value}


def test_the_enforcement_point_refuses_a_kind_that_is_not_a_kind():
    # given the real enforcer and a practitioner
    access = AccessControl(
        build_enforcer(REPO_ROOT / "policies"), Actor(uuid.uuid4(), "x", "staff", "practitioner", None, None)
    )
    facts = FamilyFacts(uuid.uuid4(), named_worker=True)
    # when it is asked with the kind's name as a string, then it refuses to decide, rather than deny in silence
    with pytest.raises(TypeError, match="Kind"):
        access.decide(Act.read, "family", facts)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Kind"):
        access.can_outside_family(Act.read, "staff_directory")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Kind"):
        access.family_filter(sa.column("family_id"), Act.read, "family")  # type: ignore[arg-type]
    # and with the Kind it decides
    assert access.decide(Act.read, Kind.family, facts).allowed
    assert access.can_outside_family(Act.read, Kind.staff_directory)


async def test_the_enforcement_point_refuses_a_string_kind_for_a_list_of_items():
    access = AccessControl(
        build_enforcer(REPO_ROOT / "policies"), Actor(uuid.uuid4(), "x", "staff", "practitioner", None, None)
    )
    columns = ContentColumns(owning_agency_id=sa.column("owner"), category=sa.column("category"))
    with pytest.raises(TypeError, match="Kind"):
        await access.item_filter(None, uuid.uuid4(), columns, kind="contribution")  # type: ignore[arg-type]
