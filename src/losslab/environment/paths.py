"""Where the course checkout is: the folder holding ``notebooks/`` and ``pyproject.toml``."""

from __future__ import annotations

from pathlib import Path

__all__ = ["repo_root"]


def repo_root() -> Path:
    """The course checkout: the nearest folder above this package holding ``notebooks/``.

    Falls back to the current directory (for an installed, non-editable package).
    """
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "notebooks").is_dir() and (parent / "pyproject.toml").is_file():
            return parent
    return Path.cwd()
