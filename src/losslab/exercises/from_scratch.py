"""The checks that an exercise's functions are built from basic ops, not wrapped library calls.

Used by the suites whose exercises re-implement a library function (softmax, sigmoid,
cross-entropies) or a loss the lessons compute with Keras' built-ins (exercises 06-08):
:func:`from_scratch_checks` gives one check per graded function. :func:`own_code_test` is the
check for a function a lesson used from the package (decoding helpers of lessons 04 and 08).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from losslab.exercises.checks import Check
from losslab.exercises.tensor_checks import call, expect_from_scratch, expect_own_code

__all__ = ["OWN_CODE", "from_scratch_checks", "own_code_test"]

OWN_CODE = "written here, not the lesson's helper"  # the name of an own_code_test check


def from_scratch_checks(
    sample_calls: Mapping[str, Callable],
    library_versions: Collection[str],
    lesson_versions: Collection[str] = (),
) -> list[Check]:
    """One check per target (a self-check: it is graded): it runs, and does not call the library version.

    Args:
        sample_calls: target name -> ``lambda fn: fn(...)``, a small call that must work
            (an untouched stub fails here).
        library_versions: attribute names (``softmax``, ``sigmoid_cross_entropy_with_logits``, ...)
            the learner's function must not call.
        lesson_versions: names of the package's Keras-based versions the lessons use
            (``keras_zlpr_loss``, ...), refused however they are reached.
    """

    def check_for(target: str) -> Callable:
        def test(fn):
            call(sample_calls[target], fn, what=target)  # an untouched stub fails here
            expect_from_scratch(fn, library_versions, target, lesson_versions)

        test.__name__ = f"_{target}_from_scratch"
        return test

    return [
        Check(target, "built from basic ops, not the library version", check_for(target))
        for target in sample_calls
    ]


def own_code_test(target: str, sample_call: Callable, lesson_helpers: Collection[str]) -> Callable:
    """The test of a check that ``target`` runs and does not call the lessons' helper for the same job.

    For exercises whose function a lesson used from the package (``top_k_labels`` for
    ``top_k_decode``): the learners' edition ships the helper, so handing it in must not pass.
    Use it as ``Check(target, OWN_CODE, own_code_test(...))``.
    """

    def test(fn):
        call(sample_call, fn, what=target)  # an untouched stub fails here
        expect_own_code(fn, lesson_helpers, target)

    test.__name__ = f"_{target}_own_code"
    return test
