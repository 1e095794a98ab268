"""The one test engine behind the learners' self-checks and the instructors' grader.

A :class:`Check` tests one object of a learner's notebook (usually a function
such as ``to_one_hot``; any other value works too) and, when it fails,
raises :class:`Mistake` with feedback that names the likely mistake. Checks
of one exercise form a suite in :mod:`losslab.exercises.suites`. A check with
``self_check=False`` is kept for grading only (extra edge cases).

In a notebook::

    from losslab.exercises.checks import check

    check(to_one_hot)        # a function: found by its __name__
    check(THRESHOLDS=THRESHOLDS)  # any other object: by keyword
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "Check",
    "CheckFailed",
    "CheckResult",
    "Mistake",
    "PartialCredit",
    "as_array",
    "check",
    "expect_close",
    "expect_equal_arrays",
    "expect_raises",
    "explain_error",
    "format_report",
    "run_checks",
]


class Mistake(Exception):
    """Raised by a check: its message tells the learner what is wrong and what to try."""


class PartialCredit(Mistake):
    """A Mistake that still earns part of the check's points (e.g. 3 of 5 tasks right).

    ``credit`` is the fraction earned, in [0, 1).
    """

    def __init__(self, message: str, credit: float):
        super().__init__(message)
        self.credit = min(max(float(credit), 0.0), 1.0)


class CheckFailed(AssertionError):
    """Raised by :func:`check` when a self-check fails; shows the report, not a traceback."""

    def _render_traceback_(self):  # IPython hook: show our report instead of a traceback
        return [str(self)]


@dataclass(frozen=True)
class Check:
    """One test of one named object in a learner's notebook.

    Attributes:
        target: the name the object has in the notebook (``"to_one_hot"``).
        name: what is tested, in a few words ("integer labels become one-hot rows").
        test: called with the learner's object; returns normally when it passes,
            raises :class:`Mistake` (or any exception) when it does not.
        points: what the check is worth in grading.
        self_check: False for checks run only by the grader.
    """

    target: str
    name: str
    test: Callable[[Any], None]
    points: int = 1
    self_check: bool = True


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: passed, or the message and the fraction of points still earned."""

    check: Check
    passed: bool
    message: str = ""
    credit: float = -1.0  # fraction of the points earned; -1 means 1 if passed else 0

    @property
    def earned(self) -> float:
        """Fraction of the check's points earned, in [0, 1]."""
        if self.credit < 0:
            return 1.0 if self.passed else 0.0
        return self.credit

    @property
    def points(self) -> int:
        """Points earned (rounded down to whole points)."""
        return int(self.check.points * self.earned + 1e-9)


def _first_line(exc: BaseException) -> str:
    import re

    text = str(exc).strip()
    # TensorFlow's messages carry a ``{{function_node ...}}`` prefix and an ``[Op:...] name:`` suffix.
    text = re.sub(r"\{\{.*?\}\}", "", text)
    text = re.sub(r"\s*\[Op:[^\]]*\].*$", "", text, flags=re.S).strip()
    lines = text.splitlines()
    return lines[0][:300] if lines else type(exc).__name__


def explain_error(exc: BaseException, what: str) -> str:
    """One sentence, in the learner's terms, for an exception raised by ``what`` (the learner's code).

    TensorFlow's errors become what they mean (shapes that do not fit, mixed dtypes); a
    ``NotImplementedError`` means the function has not been written yet.
    """
    name = type(exc).__name__
    first = _first_line(exc)
    where = ""
    frames = traceback.extract_tb(exc.__traceback__) if exc.__traceback__ else []
    if frames:
        frame = frames[-1]
        where = f" (line {frame.lineno} of {frame.name})"
    if isinstance(exc, NotImplementedError):
        return f"{what}: you have not written this yet - replace `raise NotImplementedError` with your code"
    low = first.lower()
    if "incompatible shapes" in low or "shapes must be equal" in low or "dimensions must be equal" in low:
        return (
            f"{what} combines tensors whose shapes do not fit ({first}){where}: check which axis you "
            "reduce over and whether you used keepdims=True"
        )
    if "cannot compute" in low and "as input #" in low or ("expected" in low and "dtype" in low):
        return (
            f"{what} mixes dtypes ({first}){where}: TensorFlow does not convert between float32, float64 "
            "and integers by itself; cast with tf.cast(x, logits.dtype)"
        )
    if "indices" in low and ("out of range" in low or "not in [" in low):
        return f"{what} indexes outside the tensor ({first}){where}: a label is not a valid class index"
    if name == "InvalidArgumentError":
        return f"TensorFlow refused an operation in {what}: {first}{where}"
    return f"{what} raised {name}: {first}{where}"


def run_one(check_: Check, obj: Any) -> CheckResult:
    """Run a single check on ``obj``, turning every way of failing into a readable message."""
    try:
        check_.test(obj)
    except NotImplementedError:
        return CheckResult(
            check_,
            False,
            f"not implemented yet: you have not written {check_.target} yet "
            "(replace `raise NotImplementedError` with your code)",
        )
    except PartialCredit as exc:
        return CheckResult(check_, False, str(exc), exc.credit)
    except Mistake as exc:
        return CheckResult(check_, False, str(exc))
    except AssertionError as exc:
        return CheckResult(check_, False, str(exc) or "an assertion failed")
    except Exception as exc:  # a learner's code may raise anything; report it, keep going
        return CheckResult(check_, False, explain_error(exc, "your code"))
    return CheckResult(check_, True)


def run_checks(checks: Iterable[Check], namespace: Mapping[str, Any]) -> list[CheckResult]:
    """Run ``checks`` against the objects of ``namespace`` (a notebook's globals)."""
    results = []
    for check_ in checks:
        if check_.target not in namespace:
            results.append(
                CheckResult(
                    check_, False, f"`{check_.target}` is not defined: run its cell, and keep its name"
                )
            )
        else:
            results.append(run_one(check_, namespace[check_.target]))
    return results


def format_report(results: list[CheckResult]) -> str:
    """A plain-text report: one line per check, failure messages indented below."""
    lines = []
    for result in results:
        mark = "✔" if result.passed else "✘"
        partial = ""
        if not result.passed and result.earned > 0:
            partial = f" ({result.points} of {result.check.points} points)"
        lines.append(f"{mark} {result.check.target}: {result.check.name}{partial}")
        if not result.passed:
            lines.extend(f"    {line}" for line in result.message.splitlines())
    passed = sum(r.passed for r in results)
    lines.append(f"{passed} of {len(results)} checks passed.")
    return "\n".join(lines)


def check(*functions: Any, **objects: Any) -> None:
    """Run the self-checks for the given functions (by ``__name__``) and named objects.

    Prints one line per check. Raises :class:`CheckFailed` when any check fails,
    so "Run all" stops at the first exercise that still needs work.
    """
    from losslab.exercises.registry import self_checks_for

    namespace = dict(objects)
    for fn in functions:
        name = getattr(fn, "__name__", None)
        if name is None:
            raise TypeError(
                f"check() takes functions, or other objects by keyword (check(NAME=NAME)); "
                f"got a {type(fn).__name__} without a name"
            )
        namespace[name] = fn
    if not namespace:
        raise TypeError("check() needs something to check, e.g. check(to_one_hot)")
    results = run_checks([c for name in namespace for c in self_checks_for(name)], namespace)
    report = format_report(results)
    print(report)
    if not all(r.passed for r in results):
        raise CheckFailed("Some checks failed: read the ✘ lines above.")


# ---------------------------------------------------------------------------
# Small assertions for writing checks; each raises Mistake with a clear message.
# ---------------------------------------------------------------------------


def as_array(value: Any, what: str = "your result") -> np.ndarray:
    """Convert a learner's result (tf.Tensor, list, array) to NumPy, or explain why not."""
    if value is None:
        raise Mistake(f"{what} is None: did you forget `return`?")
    try:
        return np.asarray(value.numpy() if hasattr(value, "numpy") else value)
    except Exception as exc:
        raise Mistake(f"{what} could not be read as an array ({type(exc).__name__}: {exc})") from exc


def expect_equal_arrays(actual: Any, expected: np.ndarray, what: str = "your result") -> np.ndarray:
    """Check shape and exact values (for integer or 0/1 results)."""
    got = as_array(actual, what)
    if got.shape != expected.shape:
        raise Mistake(f"{what} has shape {got.shape}, expected {expected.shape}")
    if not np.array_equal(got, expected):
        wrong = np.argwhere(got != expected)
        first = tuple(int(i) for i in wrong[0]) if wrong.size else ()
        raise Mistake(
            f"{what} differs from the expected values at {len(wrong)} position(s); "
            f"first at index {first}: got {got[first].item()!r}, expected {expected[first].item()!r}"
        )
    return got


def expect_close(
    actual: Any, expected: Any, what: str = "your result", rtol: float = 1e-6, atol: float = 1e-6
) -> np.ndarray:
    """Check shape and values within tolerance; NaN and inf in the result are named."""
    got = as_array(actual, what)
    want = np.asarray(expected)
    if got.shape != want.shape:
        raise Mistake(f"{what} has shape {got.shape}, expected {want.shape}")
    if not np.issubdtype(got.dtype, np.number):
        raise Mistake(f"{what} has dtype {got.dtype}, expected numbers")
    if np.isnan(got).any() and not np.isnan(want).any():
        raise Mistake(f"{what} contains NaN at {np.argwhere(np.isnan(got))[0].tolist()}")
    if np.isinf(got).any() and not np.isinf(want).any():
        raise Mistake(f"{what} contains inf at {np.argwhere(np.isinf(got))[0].tolist()}")
    if not np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True):
        err = np.abs(got.astype(np.float64) - want)
        i = np.unravel_index(np.nanargmax(err), err.shape) if err.ndim else ()
        raise Mistake(
            f"{what} is off: at index {tuple(int(k) for k in i)} got {got[i].item()!r}, "
            f"expected {want[i].item()!r}"
        )
    return got


def expect_raises(fn: Callable[[], Any], exc_type: type[BaseException], why: str) -> None:
    """Check that ``fn()`` raises ``exc_type``; ``why`` says what input should be refused."""
    try:
        fn()
    except exc_type:
        return
    except NotImplementedError:
        raise
    except Exception as exc:
        raise Mistake(f"{why}: expected {exc_type.__name__}, got {type(exc).__name__}: {exc}") from exc
    raise Mistake(f"{why}: expected {exc_type.__name__}, but nothing was raised")
