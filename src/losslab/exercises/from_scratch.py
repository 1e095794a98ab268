"""The checks that an exercise's functions are built from basic ops, not wrapped library calls.

Used by the suites whose exercises re-implement a library function (softmax, sigmoid,
cross-entropies): :func:`from_scratch_checks` gives one check per graded function.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from losslab.exercises.checks import Check
from losslab.exercises.tensor_checks import call, expect_from_scratch

__all__ = ["from_scratch_checks"]


def from_scratch_checks(
    sample_calls: Mapping[str, Callable], library_versions: Collection[str]
) -> list[Check]:
    """One check per target (a self-check: it is graded): it runs, and does not call the library version.

    Args:
        sample_calls: target name -> ``lambda fn: fn(...)``, a small call that must work
            (an untouched stub fails here).
        library_versions: attribute names (``softmax``, ``sigmoid_cross_entropy_with_logits``, ...)
            the learner's function must not call.
    """

    def check_for(target: str) -> Callable:
        def test(fn):
            call(sample_calls[target], fn, what=target)  # an untouched stub fails here
            expect_from_scratch(fn, library_versions, target)

        test.__name__ = f"_{target}_from_scratch"
        return test

    return [
        Check(target, "built from basic ops, not the library version", check_for(target))
        for target in sample_calls
    ]
