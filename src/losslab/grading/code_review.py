"""What a learner's graded function can call, read from the notebook's source in the grader.

The "built from basic ops" checks must not trust anything the learner's process
reports (it runs the learner's code, which can rewrite a function's ``__code__``
or lie about where it was defined). So the grader reads the graded cells itself:

* :func:`review_function` finds the function the name is bound to at the end of
  the graded cells (the last top-level ``def name``) and compiles it here, never
  running it. It follows the module-level names the function uses: another
  ``def`` of the cells, or an assignment such as ``sm = tf.nn.softmax`` or
  ``sm = getattr(tf.nn, "softmax")`` (an alias), whose attribute names count as
  called by the function.
* What cannot be judged this way is refused, with the reason: the name bound by
  something other than a plain ``def``, or code that rewrites or builds
  functions at run time (``__code__``, ``exec``, ``eval``, ``compile``,
  ``setattr``, ``getattr`` with a computed name, ``globals()``, ``importlib``...).

    review = review_function(cells, "softmax")
    review.unjudgeable   # "" or why the grader cannot tell what it calls
    review.codes         # the code objects whose calls count (the def, its helpers, aliases)

Cells are turned into Python with IPython's own input transformation
(:func:`python_source`), as a kernel does, so ``%magic`` and ``!shell`` lines
(also continuation lines inside brackets) mean what they mean in Jupyter.
"""

from __future__ import annotations

import ast
import types
from dataclasses import dataclass, field

__all__ = ["FunctionReview", "python_source", "review_function"]

_CELL_PREFIX = "<graded cell "
# Names and attributes that rewrite, build or look up code at run time: their effect cannot be read.
_DYNAMIC_NAMES = frozenset(
    {"exec", "eval", "compile", "setattr", "delattr", "globals", "locals", "vars", "__import__", "importlib"}
)
_DYNAMIC_ATTRIBUTES = frozenset(
    {
        "__code__",
        "__globals__",
        "__closure__",
        "__dict__",
        "__builtins__",
        "__wrapped__",
        "__call__",
        "__getattribute__",
        "__getattr__",
        "CodeType",
        "FunctionType",
        "import_module",
        "modules",
    }
)


def python_source(cell: str) -> str:
    """A cell's Python as an IPython kernel runs it (magics become ``get_ipython()`` calls)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(cell)


@dataclass
class FunctionReview:
    """The code whose calls count as the function's own, or why that cannot be known."""

    name: str
    codes: list[types.CodeType] = field(default_factory=list)
    unjudgeable: str = ""
    attributes: set[str] = field(default_factory=set)


def _dynamic_use(tree: ast.AST) -> str:
    """The first construct of ``tree`` whose effect on what runs cannot be read from the source."""
    for node in ast.walk(tree):
        line = getattr(node, "lineno", "?")
        if isinstance(node, ast.Name) and node.id in _DYNAMIC_NAMES:
            return f"`{node.id}` (line {line})"
        if isinstance(node, ast.Attribute) and node.attr in _DYNAMIC_ATTRIBUTES:
            return f"`.{node.attr}` (line {line})"
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
            if any(n.split(".")[0] in ("importlib", "types", "ctypes", "gc", "inspect") for n in names):
                return f"`import {names[0]}` (line {line})"
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "hasattr")
            and not (len(node.args) >= 2 and isinstance(node.args[1], ast.Constant))
        ):
            return f"`getattr` with a computed name (line {line})"
    return ""


def _literal_attributes(tree: ast.AST) -> set[str]:
    """Attribute names used in ``tree``: ``a.b``, ``getattr(a, "b")``, and what an import brings in.

    ``from keras.losses import categorical_crossentropy as cce`` counts as using
    ``categorical_crossentropy`` (and ``keras``, ``losses``): an import is an alias too.
    """
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found |= set(node.module.split("."))
        if isinstance(node, ast.alias):
            found |= set(node.name.split("."))
        if isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr":
            if len(node.args) >= 2 and isinstance(node.args[1], ast.Constant):
                found.add(str(node.args[1].value))
    return found


def _bound_names(stmt: ast.stmt) -> set[str]:
    """Module-level names a statement binds."""
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {stmt.name}
    names = set()
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names


def _is_tf_function(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr == "function"


def review_function(
    cells: list[str], name: str, max_depth: int = 20, judged_apart: frozenset[str] = frozenset()
) -> FunctionReview:
    """What ``name`` (a function defined in the graded ``cells``) calls, read from the source here.

    Helpers it calls are followed, except the functions in ``judged_apart`` (the exercise's
    other graded functions: each is judged on its own, so one mistake costs one test).
    """
    review = FunctionReview(name)
    trees: list[tuple[int, ast.Module]] = []
    for index, cell in enumerate(cells):
        try:
            trees.append((index, ast.parse(python_source(cell), f"{_CELL_PREFIX}{index}>")))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    for _, tree in trees:
        try:
            dynamic = _dynamic_use(tree)
        except RecursionError:
            dynamic = "code nested too deeply to read"
        if dynamic:
            review.unjudgeable = (
                f"the graded cells use {dynamic}, which can change what a function runs; the grader "
                "cannot tell which library functions yours calls, so this check gives no points. "
                "Write the function as a plain `def` using TensorFlow ops"
            )
            return review
    bindings: dict[str, tuple[int, ast.stmt]] = {}
    for index, tree in trees:
        for stmt in tree.body:
            for bound in _bound_names(stmt):
                bindings[bound] = (index, stmt)
    todo, seen = [(name, 0)], set()
    while todo:
        current, depth = todo.pop()
        if current in seen or current not in bindings or depth > max_depth:
            continue
        if current != name and current in judged_apart:
            continue
        seen.add(current)
        index, stmt = bindings[current]
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            if not all(_is_tf_function(d) for d in stmt.decorator_list):
                if current == name:
                    review.unjudgeable = f"`{name}` is wrapped by a decorator the grader cannot judge"
                    return review
            code = _compile_def(stmt, index)
            if code is None:
                continue
            review.codes.append(code)
            review.attributes |= _literal_attributes(stmt)
            loaded = {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
            todo += [(n, depth + 1) for n in loaded]
        elif (
            current == name
            and isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.value, ast.Name)
            and stmt.value.id != name
        ):
            name = stmt.value.id  # `alias = my_function`: judge my_function
            todo.append((name, depth + 1))
        elif current == name:
            review.unjudgeable = (
                f"`{name}` is not bound by a plain `def` in the graded cells (it is assigned, imported "
                "or wrapped), so the grader cannot tell what it calls"
            )
            return review
        elif not isinstance(stmt, ast.ClassDef):
            review.attributes |= _literal_attributes(stmt)  # an alias: sm = tf.nn.softmax
    return review


def _compile_def(stmt: ast.stmt, index: int) -> types.CodeType | None:
    module = ast.Module(body=[stmt], type_ignores=[])
    try:
        code = compile(module, f"{_CELL_PREFIX}{index}>", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    for const in code.co_consts:
        if isinstance(const, types.CodeType) and const.co_name == stmt.name:
            return const
    return None
