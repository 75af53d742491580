"""The import graph of civicloop/, bot/ and the site plugin (site/civicloop_mkdocs/), read with
`ast`: every import counts, also one inside a function or under `if TYPE_CHECKING:`, since
either is a dependency a reader must follow.

Dependencies point one way (site/, bot/, scripts/ import civicloop/, never back) and no module
imports itself in a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parent.parent
PACKAGES = ("civicloop", "bot", "site/civicloop_mkdocs")  # site/ holds the plugin's package
ADAPTERS = ("bot", "site", "civicloop_mkdocs", "scripts")  # what the core may never import


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(root: Path, packages: tuple[str, ...] = PACKAGES) -> dict[str, Path]:
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            found[module_name((root / package).parent, path)] = path
    return found


def _target(name: str, known: dict[str, Path]) -> str | None:
    """The module of ours that `name` (a module or a name in one) is, if any."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Every module of ours that the module imports, wherever the import statement is."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            names = [f"{base}.{alias.name}" for alias in node.names] or [base]
            names.append(base)
        else:
            continue
        found.update(t for t in (_target(n, known) for n in names) if t and t != name)
    return found


def graph(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> dict[str, set[str]]:
    known = modules(root, packages)
    return {name: imports(name, path, known) for name, path in known.items()}


def circles(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle():
    assert circles(graph()) == []


def test_the_core_imports_no_adapter():
    wrong = [
        (name, target)
        for name, targets in graph().items()
        if name.split(".")[0] == "civicloop"
        for target in targets
        if target.split(".")[0] in ADAPTERS
    ]
    assert wrong == []
    core = modules(ROOT, ("civicloop",))
    every = [
        (name, imported)
        for name, path in core.items()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        for imported in _absolute(node)
        if imported.split(".")[0] in ADAPTERS
    ]
    assert every == []  # scripts/ is no package here, and `site` may be shadowed: by name too


def _absolute(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and not node.level and node.module:
        return [node.module]
    return []


def test_the_graph_sees_every_kind_of_import(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "",
        "a.py": "import pkg.b\n",
        "b.py": "def f():\n    from pkg.sub import c\n",
        "sub/__init__.py": "",
        "sub/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..d import X\n",
        "d.py": "from . import a\nimport os\n",
        "e.py": "from pkg.sub.c import name\nfrom pkg import missing\n",
    }
    for rel, text in files.items():
        (package / rel).write_text(text)
    edges = graph(tmp_path, ("pkg",))
    assert edges == {
        "pkg": set(),
        "pkg.a": {"pkg.b"},
        "pkg.b": {"pkg.sub", "pkg.sub.c"},
        "pkg.sub": set(),
        "pkg.sub.c": {"pkg.d"},
        "pkg.d": {"pkg", "pkg.a"},
        "pkg.e": {"pkg", "pkg.sub.c"},
    }
    assert circles(edges) == [frozenset({"pkg.a", "pkg.b", "pkg.sub.c", "pkg.d"})]
