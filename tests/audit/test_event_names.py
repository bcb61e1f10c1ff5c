"""Every kind of audit event the server can write has a plain-English name (server/audit/names.py). The
kinds are found in the code: the schema's mutations (recorded under their own names by server/api/mutation.py),
a read or refused lookup of every kind of record (`<kind>_read`), and every action written directly through
`audit.record` or `note_denial`, found by reading the source."""

from __future__ import annotations

import ast
from pathlib import Path

from server.access.kinds import Kind
from server.api.schema import schema
from server.audit.names import NAMES, RECORDED_OTHERWISE, event_name
from server.audit.service import read_action

SERVER = Path(__file__).resolve().parents[2] / "server"
# Where the action is passed on rather than written: the mutation's name, a denial noted earlier, a read's kind.
PASSED_ON = {"api/mutation.py", "audit/service.py"}


def _action_argument(call: ast.Call) -> ast.expr | None:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if name == "note_denial":
        return call.args[0] if call.args else None
    receiver = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else None
    if name == "record" and (receiver in {"audit", "audit_service"} or receiver is None) and len(call.args) >= 3:
        return call.args[2]
    return None


def written_actions() -> tuple[set[str], set[str]]:
    """The literal actions written anywhere in server/, and the files that write a computed one."""
    literals, computed = set(), set()
    for path in SERVER.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            argument = _action_argument(node) if isinstance(node, ast.Call) else None
            if argument is None:
                continue
            if isinstance(argument, ast.JoinedStr):
                tail = argument.values[-1]
                assert isinstance(tail, ast.Constant) and tail.value == "_read", ast.unparse(argument)
                continue  # `{kind}_read`: covered by every Kind below
            choices = [argument.body, argument.orelse] if isinstance(argument, ast.IfExp) else [argument]
            if all(isinstance(choice, ast.Constant) for choice in choices):
                literals.update(choice.value for choice in choices)  # type: ignore[attr-defined]
            else:
                computed.add(str(path.relative_to(SERVER)))
    return literals, computed


def test_the_source_scan_finds_the_direct_writers():
    literals, computed = written_actions()
    assert {"login", "login_failed", "logout", "passwordResetRedeem", "review_read"} <= literals
    assert computed <= PASSED_ON


def test_every_action_the_server_can_write_has_a_name():
    literals, _ = written_actions()
    mutations = set(schema._schema.mutation_type.fields) - RECORDED_OTHERWISE  # type: ignore[union-attr]
    # case_content is the group of content kinds: the code asks about its members, never the group itself
    reads = {read_action(kind) for kind in Kind if kind is not Kind.case_content}
    missing = sorted((mutations | reads | literals) - set(NAMES))
    assert missing == []


def test_names_are_plain_words_and_distinct():
    assert all(name[0].isupper() and "_" not in name for name in NAMES.values())
    assert len(set(NAMES.values())) == len(NAMES)


def test_an_unknown_old_action_reads_as_words():
    assert event_name("someOldAction") == "Some old action"
    assert event_name("old_thing_read") == "Old thing read"
