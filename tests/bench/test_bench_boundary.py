"""The benchmarks drive the app through its public surfaces, so that a refactoring inside the server cannot
break them: of the server, bench/ may import only the ASGI factory and its settings (bench/serve.py, for
`uvicorn --workers`) and the embedded PostgreSQL (bench/database.py, setting up as `make run` does); the
micro-benchmarks of bench/internals/ look inside on purpose. Nothing in bench/ imports the tests."""

from __future__ import annotations

import ast
from pathlib import Path

from server.config import REPO_ROOT

BENCH = REPO_ROOT / "bench"
ALLOWED = {
    "bench/serve.py": {"server.app", "server.config"},
    "bench/database.py": {"server.db.embedded"},
}


def imported(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def first_party(modules: set[str], package: str) -> set[str]:
    return {module for module in modules if module == package or module.startswith(f"{package}.")}


def test_benchmarks_import_no_server_internals_outside_bench_internals():
    # given every module of bench/ but the micro-benchmarks that look inside on purpose (and what npm installed
    # for PostGraphile: the Node package ships a debugger script)
    skipped = {"internals", "node_modules"}
    modules = [path for path in BENCH.rglob("*.py") if not skipped & set(path.relative_to(BENCH).parts)]
    assert len(modules) > 10

    # then each imports of the server only what it is allowed, and nothing of the tests
    for path in modules:
        name = path.relative_to(REPO_ROOT).as_posix()
        found = imported(path)
        assert first_party(found, "server") <= ALLOWED.get(name, set()), (name, first_party(found, "server"))
        assert not first_party(found, "tests") and not first_party(found, "notifications"), name


def test_the_guard_sees_an_internal_import(tmp_path: Path):
    # given a module that reaches into the policy enforcement point
    module = tmp_path / "probe.py"
    module.write_text("from server.access.pep import AccessControl\nimport server.db.engine\n")

    # then the guard names both
    assert first_party(imported(module), "server") == {"server.access.pep", "server.db.engine"}
