"""The package's layout keeps its promises (README, "Architecture"): modules of one job (at most 600 lines),
no import cycle between modules, no private name imported from another subpackage, every subpackage
documented, notebooks that narrate (no function definitions, at most about 450 code lines in all),
and a researcher API whose every name resolves."""

from __future__ import annotations

import ast
import json
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "analysis"
MAX_LINES = 600
MAX_NOTEBOOK_LINES = 450
# Old flat module paths, kept for one release as warning aliases (analysis._util.moved): not part of the layout.
ALIASES = {p.stem for p in PACKAGE.glob("*.py") if "analysis._util.moved import moved" in p.read_text(encoding="utf-8")}


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        if rel.parts[0] in ALIASES and len(rel.parts) == 1:
            continue
        name = ".".join(("analysis", *rel.parts))
        found[name.removesuffix(".__init__")] = path
    return found


def _type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imports(name: str, path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import of ``analysis`` modules in a module, at any depth, except under TYPE_CHECKING."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = []

    def visit(node):
        for child in ast.iter_child_nodes(node):
            if _type_checking(child):
                continue
            if isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - child.level + 1]
                    module = ".".join(base + ([child.module] if child.module else []))
                else:
                    module = child.module or ""
                if module.startswith("analysis"):
                    found.append((module, [a.name for a in child.names]))
            elif isinstance(child, ast.Import):
                found.extend((a.name, []) for a in child.names if a.name.startswith("analysis"))
            visit(child)

    visit(tree)
    return found


def resolve_module(module: str, name: str, known: set[str]) -> str:
    """``from analysis.x import y`` imports module analysis.x.y when that is a module, else analysis.x."""
    return f"{module}.{name}" if f"{module}.{name}" in known else module


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    edges = defaultdict(set)
    for name, path in mods.items():
        for module, names in imports(name, path):
            targets = {resolve_module(module, n, known) for n in names} or {module}
            edges[name] |= {t for t in targets if t in known and t != name}
    return edges


def subpackage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and (PACKAGE / parts[1]).is_dir() else "analysis"


def test_no_module_over_600_lines():
    long = {name: n for name, path in modules().items() if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_no_import_cycle():
    edges = graph()
    cycles, state = [], {}

    def walk(node, stack):
        state[node] = "open"
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                walk(nxt, stack + [nxt])
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            walk(node, [node])
    # a package's __init__ re-exporting its own modules is not a cycle of the layout
    cycles = [c for c in cycles if not all(m == c[0] or m.startswith(c[0] + ".") for m in c)]
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_no_private_name_imported_across_subpackages():
    mods = modules()
    bad = []
    for name, path in mods.items():
        for module, names in imports(name, path):
            if subpackage(module) == subpackage(name) or module.startswith("analysis._util"):
                continue
            bad += [f"{name} imports {module}.{n}" for n in names if n.startswith("_")]
    assert not bad, "private names used across subpackages: " + "; ".join(bad)


def test_every_subpackage_says_what_it_owns():
    for init in PACKAGE.glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc) > 60, f"{init.parent.name}/__init__.py has no docstring saying what it owns"


def test_the_researcher_api_resolves():
    import analysis
    assert len(analysis.__all__) >= 20
    for name in analysis.__all__:
        assert getattr(analysis, name) is not None, name


def test_an_old_import_path_warns_and_gives_the_same_function():
    import importlib
    import sys
    import warnings

    import analysis
    from analysis.stats.keyness import keyness
    sys.modules.pop("analysis.keyness", None)
    with pytest.warns(DeprecationWarning, match="analysis.stats.keyness"):
        old = importlib.import_module("analysis.keyness")
    assert old.keyness is keyness
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert analysis.keyness is keyness  # the API's function, not the old module


def notebook_code() -> dict[str, list[str]]:
    out = {}
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        out[nb.name] = [line for c in cells if c["cell_type"] == "code" for line in "".join(c["source"]).splitlines()
                        if line.strip() and not line.strip().startswith("#")]
    return out


def test_notebooks_narrate():
    code = notebook_code()
    defs = {nb: [l for l in lines if l.lstrip().startswith(("def ", "class ", "lambda "))] for nb, lines in code.items()}
    assert not any(defs.values()), f"function definitions in notebooks: {defs}"
    total = sum(len(lines) for lines in code.values())
    assert total <= MAX_NOTEBOOK_LINES, f"{total} code lines in the notebooks: " + str({nb: len(l) for nb, l in code.items()})
