"""How the course starts JupyterLab: one place for the settings, used by `losslab lab` and the tests.

Settings: the server's root is the course checkout, the browser opens at the
first lesson, and JupyterLab's first-start "get notified about Jupyter news?"
pop-up is turned off (through an ``overrides.json`` in the environment's
JupyterLab settings folder, the documented way to change a default).
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

__all__ = [
    "FIRST_LESSON",
    "LAB_OVERRIDES",
    "free_port",
    "lab_command",
    "main",
    "write_lab_overrides",
]

FIRST_LESSON = "notebooks/01_multiclass_vs_multilabel.ipynb"

LAB_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}
}


def write_lab_overrides(prefix: str | Path = sys.prefix) -> Path:
    """Merge the course's JupyterLab defaults into ``<prefix>/share/jupyter/lab/settings/overrides.json``."""
    path = Path(prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    current = {}
    if path.exists():
        try:
            current = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            current = {}  # a damaged file would stop JupyterLab reading any override
    merged = {**current}
    for plugin, values in LAB_OVERRIDES.items():
        merged[plugin] = {**current.get(plugin, {}), **values}
    if merged != current or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(merged, indent=2) + "\n", encoding="utf-8")
    return path


def free_port() -> int:
    """A TCP port on localhost that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def lab_command(
    root: str | Path,
    port: int | None = None,
    open_browser: bool = True,
    token: str | None = None,
) -> list[str]:
    """The argv that starts JupyterLab on the course at ``root``, opened at lesson 01.

    ``token=None`` keeps Jupyter's own random token (what learners get); tests pass
    an explicit one so they can call the API.
    """
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={Path(root).resolve()}",
        f"--LabApp.default_url=/lab/tree/{FIRST_LESSON}",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.open_browser={open_browser}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Containers and CI run as root; Jupyter refuses that unless asked explicitly.
        argv.append("--ServerApp.allow_root=True")
    if port is not None:
        argv += [f"--ServerApp.port={port}", "--ServerApp.port_retries=0"]
    if token is not None:
        argv.append(f"--IdentityProvider.token={token}")
    return argv


def main(argv: list[str] | None = None) -> int:
    """Start JupyterLab at lesson 01 (blocks until the server stops).

    ``--root DIR`` serves DIR (``course.py lab`` passes the learner's workspace, a copy of
    ``notebooks/`` and ``exercises/``); the default is the course checkout itself.
    ``--no-browser`` does not open a browser.
    """
    import argparse

    from losslab.environment.paths import repo_root

    parser = argparse.ArgumentParser(prog="python -m losslab.environment.launch", description=main.__doc__)
    parser.add_argument("--root", type=Path, default=None, help="folder to serve (default: the course)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    args = parser.parse_args(argv)
    root = args.root if args.root is not None else repo_root()
    if not (root / FIRST_LESSON).is_file():
        parser.error(f"{root} has no {FIRST_LESSON}: pass the course folder or its workspace")
    write_lab_overrides()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    cmd = lab_command(root, open_browser=not args.no_browser)
    os.execv(cmd[0], cmd)  # replace this process: Ctrl+C goes straight to JupyterLab
    return 0  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
