"""The ``losslab`` command: ``losslab lab | doctor | generate [--check] | grade ... | site [--out DIR] | release --out DIR | nbgrader --out DIR``."""

from __future__ import annotations

import sys

__all__ = ["main"]

_COMMANDS = {
    "lab": ("losslab.environment.launch", "open the course in JupyterLab at lesson 01"),
    "doctor": ("losslab.environment.doctor", "check the environment and say how to fix problems"),
    "generate": ("losslab.exercises.generate", "rebuild exercises/ from solutions/ (--check: only compare)"),
    "grade": ("losslab.grading.command", "grade a class (SUBMISSIONS --out OUT) or one notebook"),
    "site": ("losslab.site.build", "render the lessons as a browsable HTML site (--out DIR, default site/)"),
    "nbgrader": (
        "losslab.grading.nbgrader_export",
        "write an nbgrader course source/ from solutions/ (--out DIR)",
    ),
    "release": (
        "losslab.site.release",
        "build the learners' edition, without answers, as a git repo (--out DIR)",
    ),
}


def _usage() -> str:
    lines = ["usage: losslab COMMAND [options]", "", "commands:"]
    lines += [f"  {name:<9} {help_}" for name, (_, help_) in _COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(_usage())
        return 0
    command, rest = argv[0], argv[1:]
    if command not in _COMMANDS:
        print(f"losslab: unknown command {command!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    import importlib

    return importlib.import_module(_COMMANDS[command][0]).main(rest)


if __name__ == "__main__":
    sys.exit(main())
