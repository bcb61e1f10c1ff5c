"""STYLE.md R2: `server` depends on `notifications`, never the other way round."""

from __future__ import annotations

import ast

from server.config import REPO_ROOT


def imported_modules(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_notifications_package_never_imports_server():
    offenders = {}
    for path in (REPO_ROOT / "notifications").rglob("*.py"):
        names = imported_modules(ast.parse(path.read_text()))
        bad = sorted(name for name in names if name == "server" or name.startswith("server."))
        if bad:
            offenders[str(path.relative_to(REPO_ROOT))] = bad
    assert offenders == {}
    # and the guard itself sees imports
    assert "server.app" in imported_modules(ast.parse("from server.app import create_app"))
