"""The layers stay layers: declarations import nothing of ours, the core never touches a file or Excel, no cycles.

The contract is checked on the source with `ast` (every import, at module
level or inside a function), so it holds for code paths no test runs. Each
rule is also shown to catch a planted violation in a copy of the package.
"""

from __future__ import annotations

import ast
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = "workbook_tools"
# What each layer may import from the package (besides itself and the exception tree).
ALLOWED = {
    "spec": set(),
    "core": {"spec"},
    "xlsx": {"spec", "core"},
    "excel": {"spec", "core", "xlsx", "store"},  # 日汇总/周报/月报 read the saved file's archive mark, then the archive
    "addin": {"spec", "core", "xlsx"},
    "store": {"spec", "core"},
    "cli": {"spec", "core", "xlsx", "excel", "addin", "store"},
}
# Modules the pure layers must not import: file, process and network access, and every reader and writer.
NOT_PURE = {
    "io",
    "os",
    "pathlib",
    "shutil",
    "tempfile",
    "zipfile",
    "subprocess",
    "socket",
    "urllib",
    "http",
    "sqlite3",
    "lxml",
    "python_calamine",
    "xlwings",
    "xlsxwriter",
    "openpyxl",
    "pandas",
    "olefile",
    "click",
    "sqlalchemy",
    "psycopg",
}
PURE_LAYERS = {"spec", "core"}
# The parts of xlwings under its commercial licence (or needing a key or a server): never at runtime.
NOT_OPEN_SOURCE = ("xlwings.pro", "xlwings.server", "xlwings.reports", "xlwings_reports")
SPEC_THIRD_PARTY: set[str] = set()
CORE_THIRD_PARTY = {"dateutil"}


def modules(root: Path) -> dict[str, Path]:
    """Dotted module name → source file, for every module of the package under `root`."""
    found = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node, except what sits under `if TYPE_CHECKING:` (read by type checkers, never run)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            yield from (n for child in node.orelse for n in [child, *_runtime_nodes(child)])
            continue
        yield node
        yield from _runtime_nodes(node)


def imports(path: Path, name: str) -> Iterator[tuple[str, int]]:
    """Absolute names of everything `path` imports when it runs, with the line; relative imports resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base, node.lineno
            yield from ((f"{base}.{alias.name}", node.lineno) for alias in node.names)


def layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == PACKAGE and parts[1] in ALLOWED else None


def violations(root: Path) -> list[str]:
    found = modules(root)
    problems = []
    for name, path in found.items():
        own = layer(name)
        for target, line in imports(path, name):
            where = f"{path.relative_to(root)}:{line}"
            top = target.split(".")[0]
            if own in PURE_LAYERS and top in NOT_PURE:
                problems.append(f"{where}: the {own} layer imports {target}")
            if own == "spec" and top != PACKAGE and top not in sys.stdlib_module_names | SPEC_THIRD_PARTY:
                problems.append(f"{where}: declarations import the library {target}")
            if own == "core" and top != PACKAGE and top not in sys.stdlib_module_names | CORE_THIRD_PARTY:
                problems.append(f"{where}: the core imports the library {target}")
            if target in NOT_OPEN_SOURCE or target.startswith(tuple(f"{m}." for m in NOT_OPEN_SOURCE)):
                problems.append(f"{where}: {target} is not the open-source part of xlwings")
            other = layer(target)
            if own and other and other != own and other not in ALLOWED[own]:
                problems.append(f"{where}: {own} imports {other} ({target})")
    return problems + cycles(root)


def cycles(root: Path) -> list[str]:
    """Import cycles between modules of the package (imports anywhere in a module count)."""
    found = modules(root)
    graph = {name: {t for t, _ in imports(path, name) if t in found and t != name} for name, path in found.items()}
    problems, state = [], dict.fromkeys(graph, 0)  # 0 unseen, 1 on the current path, 2 done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state[nxt] == 1:
                problems.append("import cycle: " + " → ".join([*path[path.index(nxt) :], nxt]))
            elif state[nxt] == 0:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(graph):
        if state[start] == 0:
            visit(start, [start])
    return problems


def test_the_layers_of_the_package_import_only_what_they_may():
    assert violations(ROOT) == []


def test_every_module_belongs_to_a_layer():
    loose = [
        name
        for name in modules(ROOT)
        if layer(name) is None and name.count(".") > 0 and name not in (f"{PACKAGE}.errors", f"{PACKAGE}.__main__")
    ]
    assert loose == []


@pytest.mark.parametrize(
    "module, line, expected",
    [
        ("core/totals.py", "import zipfile", "the core layer imports zipfile"),
        ("core/values.py", "from workbook_tools.xlsx import writer", "core imports xlsx"),
        ("spec/types.py", "import xlwings", "the spec layer imports xlwings"),
        ("core/records.py", "import pandas", "the core layer imports pandas"),
        ("excel/book.py", "from workbook_tools.addin.build import build_addin", "excel imports addin"),
        ("spec/lists.py", "from workbook_tools.spec.sheets import LEDGERS", "import cycle"),
        ("excel/book.py", "from xlwings.pro import reports", "not the open-source part of xlwings"),
        ("cli/__init__.py", "import xlwings.server", "not the open-source part of xlwings"),
    ],
)
def test_a_planted_violation_is_caught(tmp_path, module, line, expected):
    shutil.copytree(ROOT / PACKAGE, tmp_path / PACKAGE)
    path = tmp_path / PACKAGE / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n\ndef planted():\n    {line}\n", encoding="utf-8")
    assert any(expected in problem for problem in violations(tmp_path)), violations(tmp_path)
