"""The dependency rules of ARCHITECTURE.md, checked from the imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
FOLDERS = {
    "src/skillsgap": "skillsgap",
    "loaders": "skillsgap.loaders",
    "server": "skillsgap.server",
}
LEAVES = {"config", "errors", "resources", "namespaces", "iris", "query_text", "coder"}
# What each core module may import from skillsgap (besides the leaves).
CORE_ALLOWED = {
    "cli": {"loaders", "ingest", "server", "store", "gate", "results"},
    "ingest": {"gate", "store"},
    "gate": set(),
    "store": set(),
    "results": set(),
    "catalog": set(),
    "executor": {"store", "results"},
}


def _modules() -> list[tuple[str, Path]]:
    found = []
    for folder, package in FOLDERS.items():
        for path in sorted((ROOT / folder).glob("*.py")):
            name = package if path.stem == "__init__" else f"{package}.{path.stem}"
            found.append((name, path))
    return found


def _runtime_imports(path: Path) -> set[str]:
    """skillsgap modules imported at run time (imports under `if TYPE_CHECKING:` excluded)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for node in ast.walk(block)
    }
    names = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {n for n in names if n.startswith("skillsgap")}


def _targets(imports: set[str]) -> set[str]:
    """The skillsgap area each import reaches: a core module name, 'loaders' or 'server'."""
    areas = set()
    for name in imports:
        parts = name.split(".")
        if len(parts) >= 2 and parts[1] in ("loaders", "server") or len(parts) >= 2:
            areas.add(parts[1])
    return areas


MODULES = _modules()


@pytest.mark.parametrize("name,path", MODULES, ids=[m[0] for m in MODULES])
def test_imports_follow_the_dependency_rules(name: str, path: Path) -> None:
    areas = _targets(_runtime_imports(path)) - LEAVES - {"__version__"}
    if name.startswith("skillsgap.loaders"):
        assert areas <= {"loaders"}, f"{name} may import only leaves and loaders, not {areas}"
    elif name.startswith("skillsgap.server"):
        forbidden = areas & {"ingest", "gate", "cli", "loaders"}
        assert not forbidden, f"the server reads only; {name} imports {forbidden}"
    else:
        module = name.rsplit(".", 1)[-1]
        allowed = CORE_ALLOWED.get(module, set()) | {"skillsgap"}
        assert areas <= allowed, f"{name} imports {areas - allowed}, outside its arrows"


def test_nothing_imports_the_cli() -> None:
    for name, path in MODULES:
        assert "skillsgap.cli" not in _runtime_imports(path), f"{name} imports the CLI"


def test_only_store_opens_a_pyoxigraph_store() -> None:
    for name, path in MODULES:
        source = path.read_text(encoding="utf-8")
        uses_store = "Store(" in source or "Store.read_only" in source or " Store," in source
        if uses_store and not name.endswith(".store"):
            pytest.fail(f"{name} uses pyoxigraph's Store; only skillsgap.store may")


def test_the_rules_see_real_imports() -> None:
    imports = _runtime_imports(ROOT / "src/skillsgap/cli.py")
    assert {"skillsgap.ingest", "skillsgap.store"} <= {".".join(n.split(".")[:2]) for n in imports}
