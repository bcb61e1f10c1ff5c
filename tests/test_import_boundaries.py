"""Which way the imports of `server/` go (STYLE.md §10, dependency rules).

- The API layer is `server/api/` and, in each domain package, the GraphQL side of that domain: `api.py`
  (with `mutations.py` or a `<part>_api.py` where it is split) and `loaders.py`. Domain code (every other
  module of `server/`) never imports the API layer or strawberry: a use case can be called without
  GraphQL, and the API layer is the only thing that knows about it. The application's composition root
  (`app.py`, `__main__.py`, `state.py`) assembles both and is neither.
- Only `server/access/` imports casbin: every decision goes through the enforcement point.

`notifications/` has its own boundary (tests/notifications/test_notification_package_boundary.py)."""

from __future__ import annotations

import ast
from pathlib import Path

from server.config import REPO_ROOT

SERVER = REPO_ROOT / "server"
COMPOSITION_ROOT = {"server/app.py", "server/__main__.py", "server/state.py"}
API_MODULE_NAMES = {"api", "mutations", "loaders"}


def imported_modules(tree: ast.AST) -> set[str]:
    """Every module an import names, at any depth of the module (imports inside functions included), with
    `from a import b` also as `a.b` (b may be a module)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def is_api_module(name: str) -> bool:
    """`name` is a dotted module of the API layer (or of strawberry)."""
    parts = name.split(".")
    if parts[0] == "strawberry":
        return True
    if parts[0] != "server" or len(parts) < 2:
        return False
    return parts[1] == "api" or (len(parts) >= 3 and _api_side(parts[2]))


def _api_side(module: str) -> bool:
    return module in API_MODULE_NAMES or module.endswith("_api")


def is_domain_file(path: Path) -> bool:
    relative = path.relative_to(REPO_ROOT)
    if str(relative) in COMPOSITION_ROOT or relative.parts[1] == "api":
        return False
    return not (len(relative.parts) >= 3 and _api_side(path.stem))


def modules(root: Path) -> dict[str, ast.AST]:
    found = {str(path.relative_to(REPO_ROOT)): ast.parse(path.read_text()) for path in root.rglob("*.py")}
    assert found, root  # an empty scan would pass whatever the code imports
    return found


def test_domain_code_never_imports_the_api_layer():
    domain = {name: tree for name, tree in modules(SERVER).items() if is_domain_file(REPO_ROOT / name)}
    offenders = {
        name: bad for name, tree in domain.items() if (bad := sorted(filter(is_api_module, imported_modules(tree))))
    }
    assert offenders == {}
    # the scan reads domain code and would see each way of reaching the API layer
    assert {"server/family/service.py", "server/access/pep.py", "server/errors.py"} <= set(domain)
    assert not {"server/family/api.py", "server/family/loaders.py", "server/api/schema.py"} & set(domain)
    for source in (
        "import strawberry",
        "from strawberry.types import Info",
        "from server.api.scalars import Info",
        "from server.api import scalars",
        "from server.family.api import PageInfo",
        "from server.family import api",
        "from server.meeting.mutations import MeetingMutation",
        "def later():\n    from server.assessment.report_api import RiskRatingType",
    ):
        assert any(map(is_api_module, imported_modules(ast.parse(source)))), source
    assert not any(map(is_api_module, imported_modules(ast.parse("from server.family import service"))))


def test_only_the_enforcement_point_imports_casbin():
    product = modules(SERVER) | modules(REPO_ROOT / "notifications")
    importers = {
        name for name, tree in product.items() if any(m.partition(".")[0] == "casbin" for m in imported_modules(tree))
    }
    assert importers and all(name.startswith("server/access/") for name in importers), importers
