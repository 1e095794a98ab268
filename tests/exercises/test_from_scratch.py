"""The "built from basic ops" checks: a stub fails, a library wrapper fails, a from-scratch function passes."""

import pytest

from losslab.exercises.checks import Check, run_checks
from losslab.exercises.from_scratch import from_scratch_checks

SAMPLE_CALLS = {"softmax": lambda fn: fn([[1.0, 2.0, 0.5]])}
CHECKS = from_scratch_checks(SAMPLE_CALLS, {"softmax", "reduce_logsumexp"})


def from_scratch(logits):
    import tensorflow as tf

    z = tf.constant(logits)
    e = tf.exp(z - tf.reduce_max(z, axis=-1, keepdims=True))
    return e / tf.reduce_sum(e, axis=-1, keepdims=True)


def wrapper(logits):
    import tensorflow as tf

    return tf.nn.softmax(logits)


def stub(logits):
    raise NotImplementedError


def test_one_grading_only_check_per_target():
    assert [(c.target, c.self_check) for c in CHECKS] == [("softmax", True)]  # graded, so self-checked
    assert isinstance(CHECKS[0], Check) and CHECKS[0].test.__name__ == "_softmax_from_scratch"


@pytest.mark.parametrize(
    "fn, passes, message", [(from_scratch, True, ""), (wrapper, False, "`softmax`"), (stub, False, "")]
)
def test_from_scratch_check(tf, fn, passes, message):
    (result,) = run_checks(CHECKS, {"softmax": fn})
    assert result.passed is passes
    assert message in result.message
