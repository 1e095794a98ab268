"""Strip a check-suite module down to its self-checks, for the learners' release.

A suite module (see :mod:`losslab.exercises.suites`) defines ``CHECKS``, a list of
:class:`~losslab.exercises.checks.Check` calls; those with ``self_check=False`` are run by
the grader only. :func:`strip_suite_source` rewrites the module's source so that

* ``CHECKS`` keeps only the self-checks (a list comprehension of grading-only
  checks, or a check factory's call classified in :data:`CHECK_FACTORIES`, is
  dropped whole);
* every module-level function, class and assignment that nothing kept refers
  to any more is removed - the grading-only tests and the inputs only they use
  (hidden test inputs) - repeated until nothing else can go;
* ``__all__`` names only what is left.

The rest of the text (docstrings, comments, formatting) is kept as written.
A ``CHECKS`` entry the stripper cannot classify (not a literal ``Check(...)``
call, or a ``self_check`` that is not a literal True/False) is an error: the
release must never guess whether a check is secret.

Removing an assignment can change what a shared random generator draws for the
statements after it; the release test therefore compares every kept module-level
array with the instructor's module.
"""

from __future__ import annotations

import ast

__all__ = [
    "CHECK_FACTORIES",
    "StripError",
    "grading_only_names",
    "prune_module_source",
    "strip_suite_package",
    "strip_suite_source",
]

# Functions that build checks, and whether those are self-checks (True) or grading-only (False).
# The release verifies each classification against the imported suite.
CHECK_FACTORIES = {"from_scratch_checks": True}


class StripError(ValueError):
    """The suite's ``CHECKS`` cannot be split into self-checks and grading-only checks safely."""


def _is_check_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Check"


def _self_check_flag(call: ast.Call, where: str) -> bool:
    for keyword in call.keywords:
        if keyword.arg == "self_check":
            if isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, bool):
                return keyword.value.value
            raise StripError(f"{where}: self_check must be a literal True or False")
        if keyword.arg is None:
            raise StripError(f"{where}: Check(**kwargs) hides whether it is a self-check")
    return True


def _check_entries(value: ast.expr, where: str) -> list[tuple[ast.expr, bool]]:
    """The parts of a ``CHECKS = ...`` value: (element or comprehension, is a self-check)."""
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        return _check_entries(value.left, where) + _check_entries(value.right, where)
    if isinstance(value, ast.List):
        entries = []
        for element in value.elts:
            if (
                isinstance(element, ast.Starred)
                and isinstance(element.value, ast.Call)
                and isinstance(element.value.func, ast.Name)
                and element.value.func.id in CHECK_FACTORIES
            ):
                entries.append((element, CHECK_FACTORIES[element.value.func.id]))
                continue
            if not _is_check_call(element):
                raise StripError(
                    f"{where}, line {element.lineno}: a CHECKS entry that is not a Check(...) call"
                )
            entries.append((element, _self_check_flag(element, f"{where}, line {element.lineno}")))
        return entries
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in CHECK_FACTORIES:
        return [(value, CHECK_FACTORIES[value.func.id])]
    if isinstance(value, ast.ListComp) and _is_check_call(value.elt):
        return [(value, _self_check_flag(value.elt, f"{where}, line {value.lineno}"))]
    raise StripError(f"{where}, line {value.lineno}: CHECKS must be a list of Check(...) calls")


def _bound_names(statement: ast.stmt) -> set[str]:
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {statement.name}
    if isinstance(statement, ast.Assign | ast.AnnAssign | ast.AugAssign):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    if isinstance(statement, ast.Import | ast.ImportFrom):
        return {(a.asname or a.name).split(".")[0] for a in statement.names}
    return set()


def _used_names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _start_line(statement: ast.stmt) -> int:
    decorators = getattr(statement, "decorator_list", [])
    return min([statement.lineno] + [d.lineno for d in decorators])


def grading_only_names(source: str, where: str = "suite") -> list[str]:
    """The ``name`` strings of the grading-only checks in a suite's source (a comprehension counts once)."""
    tree = ast.parse(source)
    names = []
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and _bound_names(statement) == {"CHECKS"}:
            for entry, self_check in _check_entries(statement.value, where):
                if isinstance(entry, ast.Starred):
                    continue  # a factory's checks have no literal name here
                call = entry.elt if isinstance(entry, ast.ListComp) else entry
                if not self_check and len(call.args) >= 2 and isinstance(call.args[1], ast.Constant):
                    names.append(call.args[1].value)
    return names


def strip_suite_source(source: str, where: str = "suite") -> str:
    """The suite's source with grading-only checks, and everything only they use, removed."""
    return _strip_checks_module(source, where)[0]


def _is_checks_update(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.AugAssign)
        and isinstance(statement.target, ast.Name)
        and statement.target.id == "CHECKS"
        and isinstance(statement.op, ast.Add)
    )


def _strip_checks_module(source: str, where: str) -> tuple[str, dict[str, set[str]]]:
    tree = ast.parse(source)
    checks_statements = [s for s in tree.body if isinstance(s, ast.Assign) and _bound_names(s) == {"CHECKS"}]
    if len(checks_statements) != 1:
        raise StripError(f"{where}: expected exactly one `CHECKS = [...]` assignment")
    overrides: dict[int, str] = {}
    all_kept = []
    for index, statement in enumerate(tree.body):
        if statement is checks_statements[0] or _is_checks_update(statement):
            entries = _check_entries(statement.value, where)
            kept = [entry for entry, self_check in entries if self_check]
            all_kept += kept
            if statement is checks_statements[0]:
                overrides[index] = _render_checks(source, kept)
            elif len(kept) != len(entries):
                overrides[index] = (
                    _render_checks(source, kept).replace("CHECKS = ", "CHECKS += ", 1) if kept else ""
                )
    if not all_kept:
        raise StripError(f"{where}: no self-checks left; learners would have nothing to run")
    roots = {"EXERCISE"} | set().union(*(_used_names(e) for e in all_kept))
    return _prune(source, tree, roots, overrides)


def prune_module_source(source: str, roots: set[str]) -> tuple[str, dict[str, set[str]]]:
    """Keep only the module-level definitions ``roots`` need (transitively); return the text and,
    per imported module, the names still imported from it."""
    return _prune(source, ast.parse(source), set(roots), {})


def _prune(source, tree, roots, overrides: dict[int, str]) -> tuple[str, dict[str, set[str]]]:
    lines = source.splitlines(keepends=True)
    needed = set(roots)
    removable = {}
    for index, statement in enumerate(tree.body):
        if index in overrides:
            continue
        names = _bound_names(statement)
        is_definition = isinstance(
            statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Assign | ast.AnnAssign
        )
        if is_definition and names and names != {"__all__"}:
            removable[index] = names
    keep_index = {i for i in range(len(tree.body)) if i not in removable}
    changed = True
    while changed:
        changed = False
        needed |= set().union(
            *(_used_names(tree.body[i]) for i in keep_index if i not in overrides),
            *(),
        )
        for index, names in removable.items():
            if index not in keep_index and names & needed:
                keep_index.add(index)
                needed |= _used_names(tree.body[index])
                changed = True

    out: list[str] = []
    cursor = 0  # next line (0-based) of the original to copy
    kept_names: set[str] = set()
    imported: dict[str, set[str]] = {}
    for index, statement in enumerate(tree.body):
        start, end = _start_line(statement) - 1, statement.end_lineno
        replacement = None
        if index not in keep_index:
            replacement = ""
        elif index in overrides:
            replacement = overrides[index]
        elif isinstance(statement, ast.ImportFrom) and statement.module != "__future__":
            aliases = [a for a in statement.names if (a.asname or a.name) in needed]
            if len(aliases) != len(statement.names):
                replacement = _render_import(statement, aliases)
            statement = ast.ImportFrom(statement.module, aliases, statement.level)
        elif isinstance(statement, ast.Import):
            aliases = [a for a in statement.names if (a.asname or a.name).split(".")[0] in needed]
            if not aliases:
                replacement = ""
            statement = ast.Import(aliases)
        if replacement is not None:
            out.extend(lines[cursor:start])
            out.append(replacement)
            cursor = end
        if replacement != "":
            kept_names |= _bound_names(statement)
            if isinstance(statement, ast.ImportFrom) and statement.module:
                imported.setdefault(statement.module, set()).update(a.name for a in statement.names)
    out.extend(lines[cursor:])
    text = _collapse_blank_lines("".join(out))
    return _rewrite_all(text, kept_names), imported


def _render_import(statement: ast.ImportFrom, aliases: list[ast.alias]) -> str:
    if not aliases:
        return ""
    names = ", ".join(f"{a.name} as {a.asname}" if a.asname else a.name for a in aliases)
    return f"from {'.' * statement.level}{statement.module or ''} import {names}\n"


def strip_suite_package(sources: dict[str, str], package: str) -> dict[str, str]:
    """Strip a suite that is a package: ``sources`` maps module names (``package`` for its
    ``__init__``, ``package.sub`` for the others) to source. CHECKS lives in ``__init__``; each
    other module keeps what the kept code of the package imports from it, transitively."""
    siblings = [name for name in sources if name != package]
    out: dict[str, str] = {}
    out[package], first = _strip_checks_module(sources[package], package)
    imports = {package: first}
    roots: dict[str, set[str]] | None = None
    while True:
        wanted = {m: set().union(*(found.get(m, set()) for found in imports.values())) for m in siblings}
        if wanted == roots:
            return out
        roots = wanted
        for module in siblings:  # roots only grow, so this ends
            out[module], imports[module] = prune_module_source(sources[module], roots[module])


def _render_checks(source: str, kept: list[ast.expr]) -> str:
    elements = [ast.get_source_segment(source, e) for e in kept if not isinstance(e, ast.ListComp)]
    comprehensions = [ast.get_source_segment(source, e) for e in kept if isinstance(e, ast.ListComp)]
    body = "".join(f"    {segment},\n" for segment in elements)
    text = f"CHECKS = [\n{body}]"
    for comprehension in comprehensions:
        text += f" + [{comprehension}]" if not comprehension.startswith("[") else f" + {comprehension}"
    return text + "\n"


def _collapse_blank_lines(text: str) -> str:
    out, blank = [], 0
    for line in text.splitlines(keepends=True):
        blank = blank + 1 if not line.strip() else 0
        if blank <= 2:
            out.append(line)
    return "".join(out).rstrip("\n") + "\n"


def _rewrite_all(text: str, kept_names: set[str]) -> str:
    tree = ast.parse(text)
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and _bound_names(statement) == {"__all__"}:
            try:
                names = ast.literal_eval(statement.value)
            except ValueError:
                return text
            still = sorted(n for n in names if n in kept_names)
            lines = text.splitlines(keepends=True)
            new = f"__all__ = {still!r}\n".replace("'", '"')
            return "".join(lines[: statement.lineno - 1]) + new + "".join(lines[statement.end_lineno :])
    return text
