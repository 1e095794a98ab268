"""The package's architecture holds: sub-packages in layers, lower never imports higher, no import circles.

Every ``import`` in ``src/losslab`` counts, including the ones inside functions
(a lazy import is still a dependency) and literal ``importlib.import_module(...)``
calls; only imports under ``if TYPE_CHECKING:`` are left out. The layers, lowest
first, are documented in ``losslab/__init__.py`` and CONTRIBUTING.md.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "losslab"

# Lowest first. A module may import its own layer and the layers before it in this list.
LAYERS = (
    "environment",
    "data",
    "modeling",
    "debugging",
    "figures",
    "interactive",
    "exercises",
    "grading",
    "site",
    "cli",
    "generate",  # `python -m losslab.generate`: a command entry point beside cli, handing over to it
)
# Command entry points: modules, not sub-packages (no import surface of their own).
COMMAND_MODULES = ("cli", "generate")
# The root package (its version) and its private helpers sit below every layer.
BASE = ("losslab", "losslab._exports")
MAX_LINES = 400


def module_files() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST):
    """Every node below ``node``, skipping ``if TYPE_CHECKING:`` bodies."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child):
            yield from (n for stmt in child.orelse for n in [stmt, *_walk(stmt)])
            continue
        yield child
        yield from _walk(child)


def _exports(tree: ast.Module) -> dict[str, str]:
    """A package ``__init__``'s lazy re-exports (``_EXPORTS = {name: module}``)."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "_EXPORTS" for t in node.targets):
            return ast.literal_eval(node.value)
    return {}


def imports_of(name: str, source: str, modules: dict[str, Path]) -> set[str]:
    """The package's modules that module ``name`` imports (resolved to modules, not packages)."""
    tree = ast.parse(source)
    is_package = modules[name].name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    targets: set[str] = set()

    def add(dotted: str, attr: str | None = None) -> None:
        if attr is not None and f"{dotted}.{attr}" in modules:
            targets.add(f"{dotted}.{attr}")
        elif dotted in modules:
            if attr is not None and modules[dotted].name == "__init__.py":
                exported = _exports(ast.parse(modules[dotted].read_text()))
                if attr in exported:
                    targets.add(f"{dotted}.{exported[attr]}")
                    return
            targets.add(dotted)

    for node in _walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                add(base, alias.name)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == (
            "import_module"
        ):
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                add(node.args[0].value)
    if is_package:
        targets |= {f"{name}.{module}" for module in _exports(tree).values()}
    targets.discard(name)
    return targets


def import_graph() -> dict[str, set[str]]:
    modules = module_files()
    return {name: imports_of(name, path.read_text(), modules) for name, path in modules.items()}


def layer_of(module: str) -> int:
    """0 for the root package, then 1 + the index of the module's sub-package in LAYERS."""
    if module in BASE:
        return 0
    return 1 + LAYERS.index(module.split(".")[1])


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    """Every edge from a lower layer to a higher one, as ``"a -> b"``."""
    return sorted(
        f"{source} -> {target}"
        for source, targets in graph.items()
        for target in targets
        if layer_of(target) > layer_of(source)
    )


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(cycles)


# --- the rules on the real package ---------------------------------------------------------


def test_every_module_belongs_to_a_layer():
    for module in module_files():
        assert module in BASE or module.split(".")[1] in LAYERS, f"{module}: add its sub-package to LAYERS"


def test_lower_layers_never_import_higher_ones():
    assert layer_violations(import_graph()) == [], (
        "a module imports a higher layer (order: " + " < ".join(LAYERS) + "); move the helper down"
    )


def test_no_import_cycles():
    assert import_cycles(import_graph()) == []


def test_engines_do_not_import_their_content():
    """The suites and the quiz bank import their engines; the engines find them by name."""
    graph = import_graph()
    for engine in ("losslab.exercises.checks", "losslab.exercises.registry", "losslab.interactive.quiz"):
        content = [t for t in graph[engine] if ".suites" in t or ".quizbank" in t]
        assert content == [], f"{engine} imports its content {content}"


def test_modules_stay_small():
    too_long = {
        name: n
        for name, path in module_files().items()
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert too_long == {}, f"split these modules (one concern each, <= {MAX_LINES} lines)"


@pytest.mark.parametrize("layer", [layer for layer in LAYERS if layer not in COMMAND_MODULES])
def test_sub_package_documents_itself_and_its_surface(layer):
    package = importlib.import_module(f"losslab.{layer}")
    assert package.__doc__ and "import" in package.__doc__, f"losslab.{layer}: say what it may import"
    names = package.__all__
    assert set(names) == set(getattr(package, "_EXPORTS", {})), (
        "__all__ and _EXPORTS must list the same names"
    )
    for name in names:
        assert getattr(package, name) is not None
    with pytest.raises(AttributeError, match="has no attribute"):
        package.no_such_name  # noqa: B018


def test_importing_the_surface_does_not_import_tensorflow():
    """Lessons import from these before setup_notebook() silences TensorFlow."""
    code = (
        "import sys\n"
        + "".join(f"import losslab.{layer}\n" for layer in LAYERS)
        + "from losslab.interactive import ask\nfrom losslab.environment import setup_notebook\n"
        + "print('tensorflow' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


# --- the checker itself can fail ------------------------------------------------------------


def test_checker_reports_an_upward_import():
    graph = {
        "losslab.environment.launch": {"losslab.exercises.nbtools"},
        "losslab.exercises.nbtools": {"losslab.environment.paths"},
        "losslab.environment.paths": set(),
    }
    assert layer_violations(graph) == ["losslab.environment.launch -> losslab.exercises.nbtools"]


def test_checker_reports_an_import_cycle():
    graph = {
        "losslab.exercises.checks": {"losslab.exercises.suites"},
        "losslab.exercises.suites": {"losslab.exercises.checks"},
        "losslab.exercises.generate": {"losslab.exercises.checks"},
    }
    assert import_cycles(graph) == [["losslab.exercises.checks", "losslab.exercises.suites"]]


def test_checker_sees_lazy_and_importlib_imports_but_not_type_checking_ones():
    modules = {
        "losslab.figures.plotting": Path("plotting.py"),
        "losslab.interactive.explorers": Path("explorers.py"),
        "losslab.exercises.suites": Path("__init__.py"),
        "losslab.exercises.checks": Path("checks.py"),
    }
    source = (
        "from typing import TYPE_CHECKING\n"
        "import importlib\n"
        "if TYPE_CHECKING:\n"
        "    from losslab.exercises.checks import Check\n"
        "def plot():\n"
        "    from losslab.interactive.explorers import table\n"
        "    return importlib.import_module('losslab.exercises.suites')\n"
    )
    found = imports_of("losslab.figures.plotting", source, modules)
    assert found == {"losslab.interactive.explorers", "losslab.exercises.suites"}
    assert layer_violations({"losslab.figures.plotting": found}) == [
        "losslab.figures.plotting -> losslab.exercises.suites",
        "losslab.figures.plotting -> losslab.interactive.explorers",
    ]
