"""MathJax 3 for the offline web pages: find (or install from npm) its single-file TeX-to-SVG build.

``losslab site`` copies ``tex-svg-full.js`` (MathJax 3, about 2.2 MB, every TeX
extension built in, SVG output so no web fonts are fetched) next to the pages,
so formulas are typeset with no network. It is looked for, in order:

1. ``$LOSSLAB_MATHJAX``: a path to ``tex-svg-full.js`` (a vendored or system copy);
2. the npm cache folder ``$XDG_CACHE_HOME/losslab/npm`` (``~/.cache/losslab/npm``);
3. failing both, ``npm install mathjax@3`` into that cache folder (needs Node.js/npm
   and the npm registry once).

PyPI has no usable MathJax 3 package, hence npm.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

__all__ = ["MATHJAX_FILE", "MATHJAX_PACKAGE", "MathJaxMissing", "find_mathjax", "npm_cache_dir"]

MATHJAX_PACKAGE = "mathjax@3"
MATHJAX_FILE = "tex-svg-full.js"
_IN_PACKAGE = Path("node_modules") / "mathjax" / "es5" / MATHJAX_FILE


class MathJaxMissing(RuntimeError):
    """MathJax 3 is not available and cannot be installed; the message says what to do."""


def npm_cache_dir() -> Path:
    """Where ``npm install`` puts MathJax for the course: ``$XDG_CACHE_HOME/losslab/npm``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "losslab" / "npm"


def _version(script: Path) -> str | None:
    package_json = script.parent.parent / "package.json"
    try:
        return json.loads(package_json.read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return None


def _checked(script: Path, source: str) -> Path:
    if not script.is_file() or script.stat().st_size < 1_000_000:
        raise MathJaxMissing(f"{source}: {script} is not MathJax 3's {MATHJAX_FILE} (missing or too small)")
    version = _version(script)
    if version is not None and not version.startswith("3."):
        raise MathJaxMissing(f"{source}: {script} is MathJax {version}; the pages need MathJax 3")
    return script


def find_mathjax(install: bool = True) -> Path:
    """The path of MathJax 3's ``tex-svg-full.js``; installs it with npm when needed and ``install``."""
    override = os.environ.get("LOSSLAB_MATHJAX")
    if override:
        return _checked(Path(override), "LOSSLAB_MATHJAX")
    cache = npm_cache_dir()
    script = cache / _IN_PACKAGE
    if script.is_file():
        return _checked(script, "the npm cache")
    npm = shutil.which("npm")
    if not install or npm is None:
        raise MathJaxMissing(
            "MathJax 3 is needed to typeset the formulas offline, and "
            + ("npm is not installed" if npm is None else f"it is not in {cache}")
            + f": install Node.js and npm (Debian: apt-get install npm) and run the command again, "
            f"or run `npm install --prefix {cache} {MATHJAX_PACKAGE}`, "
            f"or set LOSSLAB_MATHJAX to the path of a MathJax 3 {MATHJAX_FILE}"
        )
    cache.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [npm, "install", "--prefix", str(cache), "--no-audit", "--no-fund", "--no-save", MATHJAX_PACKAGE],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 or not script.is_file():
        raise MathJaxMissing(
            f"`npm install {MATHJAX_PACKAGE}` failed (is the npm registry reachable?):\n"
            f"{(result.stderr or result.stdout).strip()[-1500:]}\n"
            f"Or set LOSSLAB_MATHJAX to the path of a MathJax 3 {MATHJAX_FILE}."
        )
    return _checked(script, "npm install")
