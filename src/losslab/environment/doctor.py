"""Environment check for learners: ``losslab doctor`` (or ``python -m losslab.environment.doctor``).

Reports Python, TensorFlow, Keras, JupyterLab, ipywidgets and the Jupyter
kernel, and for every problem found says how to fix it. Exit status 0 when
all is well, 1 otherwise.
"""

from __future__ import annotations

import importlib.metadata as md
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Finding", "diagnose", "main"]

REINSTALL = "run `python3 course.py lab` again from the course folder (it reinstalls what is missing)"


@dataclass(frozen=True)
class Finding:
    """One line of the report: what was checked, what was seen, and (if a problem) the fix."""

    name: str
    ok: bool
    seen: str
    fix: str = ""


def _version(dist: str) -> str | None:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return None


def _major_minor(version: str) -> tuple[int, int]:
    parts = (version.split(".") + ["0"])[:2]
    return tuple(int("".join(ch for ch in p if ch.isdigit()) or 0) for p in parts)  # type: ignore[return-value]


def check_python() -> Finding:
    v = sys.version_info
    seen = f"{v.major}.{v.minor}.{v.micro} at {sys.executable}"
    if (v.major, v.minor) < (3, 11):
        return Finding("Python", False, seen, "install Python 3.11 or newer, then " + REINSTALL)
    return Finding("Python", True, seen)


def check_package(name: str, dists: tuple[str, ...], minimum: tuple[int, int], why: str) -> Finding:
    version = next((v for v in map(_version, dists) if v), None)
    if version is None:
        return Finding(name, False, "not installed", f"{why} is missing: {REINSTALL}")
    if _major_minor(version) < minimum:
        need = ".".join(map(str, minimum))
        return Finding(name, False, version, f"version {need} or newer is needed: {REINSTALL}")
    return Finding(name, True, version)


def check_tensorflow_runs() -> Finding:
    try:
        from losslab.environment.runtime import import_tensorflow_quietly

        tf, keras = import_tensorflow_quietly()
        value = float(tf.nn.sigmoid(tf.constant(0.0)))
        backend = keras.backend.backend()
    except Exception as exc:  # any import failure is the finding
        return Finding(
            "TensorFlow runs",
            False,
            f"{type(exc).__name__}: {exc}",
            "TensorFlow is installed but does not import. On Apple silicon or Windows use the "
            "conda route (environment.yml); otherwise " + REINSTALL,
        )
    if backend != "tensorflow":
        return Finding(
            "Keras backend",
            False,
            backend,
            "the course needs the TensorFlow backend: unset KERAS_BACKEND or set it to tensorflow "
            "(also check ~/.keras/keras.json)",
        )
    return Finding("TensorFlow runs", abs(value - 0.5) < 1e-6, f"sigmoid(0) = {value}, backend {backend}")


def check_kernel() -> Finding:
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        specs = KernelSpecManager().find_kernel_specs()
    except Exception as exc:
        return Finding("Jupyter kernel", False, f"{type(exc).__name__}: {exc}", REINSTALL)
    if "python3" not in specs:
        return Finding(
            "Jupyter kernel",
            False,
            "no 'python3' kernel",
            f"register one: `{sys.executable} -m ipykernel install --sys-prefix`",
        )
    from jupyter_client.kernelspec import get_kernel_spec

    kernel_python = get_kernel_spec("python3").argv[0]
    if kernel_python in ("python", "python3", "{python}"):
        kernel_python = sys.executable  # ipykernel's built-in spec: this same interpreter
    probe = subprocess.run(
        [kernel_python, "-c", "import losslab, ipywidgets, numpy"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if probe.returncode != 0:
        return Finding(
            "Jupyter kernel",
            False,
            f"python3 kernel uses {kernel_python}, which cannot import losslab",
            "start JupyterLab with `python3 course.py lab` (it uses the course's own environment), "
            f"or register this one: `{sys.executable} -m ipykernel install --sys-prefix`",
        )
    return Finding("Jupyter kernel", True, f"python3 -> {kernel_python}")


def diagnose() -> list[Finding]:
    """Run every check; never raises."""
    checks: list[Callable[[], Finding]] = [
        check_python,
        lambda: check_package("TensorFlow", ("tensorflow-cpu", "tensorflow"), (2, 16), "TensorFlow"),
        lambda: check_package("Keras", ("keras",), (3, 0), "Keras 3"),
        lambda: check_package("JupyterLab", ("jupyterlab",), (4, 0), "JupyterLab"),
        lambda: check_package("ipywidgets", ("ipywidgets",), (8, 0), "ipywidgets (the quizzes)"),
        lambda: check_package(
            "Lab widget support", ("jupyterlab_widgets",), (3, 0), "jupyterlab_widgets (shows quizzes in Lab)"
        ),
        check_tensorflow_runs,
        check_kernel,
    ]
    findings = []
    for run in checks:
        try:
            findings.append(run())
        except Exception as exc:  # the doctor must report, not crash
            findings.append(
                Finding(getattr(run, "__name__", "check"), False, f"{type(exc).__name__}: {exc}", REINSTALL)
            )
    return findings


def main(argv: list[str] | None = None) -> int:
    findings = diagnose()
    width = max(len(f.name) for f in findings)
    print("Loss Lab environment check")
    for f in findings:
        print(f"  {'ok ' if f.ok else 'FIX'}  {f.name:<{width}}  {f.seen}")
        if not f.ok:
            print(f"       {'':<{width}}  -> {f.fix}")
    problems = [f for f in findings if not f.ok]
    print("All good: run `python3 course.py lab`." if not problems else f"{len(problems)} problem(s) found.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
