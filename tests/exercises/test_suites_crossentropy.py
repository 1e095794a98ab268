"""The check suites of exercises 02 and 03 pass the solutions and name each typical mistake.

Each broken implementation below is a mistake learners really make (bug bank,
COURSE.md §5). The test asserts that the specific check fails *and* that its
message names the cause, so the feedback cannot silently degrade to "wrong".
The last tests measure how close the solutions are to TensorFlow/Keras and to
finite differences (run with ``-s`` to see the worst errors).
"""

from __future__ import annotations

import contextlib

import numpy as np
import pytest

from losslab.debugging.gradcheck import gradient_check
from losslab.environment.determinism import op_determinism
from losslab.exercises.checks import run_checks
from losslab.exercises.nbtools import exec_graded_cells
from losslab.exercises.registry import suite_for_exercise
from losslab.exercises.tensor_checks import relative_error

SOFTMAX = "02_softmax_crossentropy"
SIGMOID = "03_sigmoid_binary_crossentropy"


@pytest.fixture(scope="module")
def solutions(repo_root):
    """exercise -> namespace with the solution's graded functions."""
    return {ex: exec_graded_cells(repo_root / "solutions" / f"{ex}.ipynb") for ex in (SOFTMAX, SIGMOID)}


def results_for(exercise, namespace):
    return {(r.check.target, r.check.name): r for r in run_checks(suite_for_exercise(exercise), namespace)}


@pytest.mark.parametrize("exercise", [SOFTMAX, SIGMOID])
def test_solutions_pass_every_check(solutions, exercise):
    results = results_for(exercise, solutions[exercise])
    failed = [f"{t}: {n}: {r.message}" for (t, n), r in results.items() if not r.passed]
    assert not failed, "\n".join(failed)


def test_suites_give_more_points_to_hard_checks():
    for exercise in (SOFTMAX, SIGMOID):
        checks = suite_for_exercise(exercise)
        stable = [c for c in checks if "±1e4" in c.name]
        basic = [c for c in checks if "matches" in c.name and "gradient" not in c.name and c.self_check]
        assert stable and basic
        assert min(c.points for c in stable) > max(c.points for c in basic)


# --- broken implementations of exercise 02 ---------------------------------------


def _softmax_mistakes(tf, ns):
    def naive_softmax(logits, axis=-1):
        e = tf.exp(ns["as_float_tensor"](logits))
        return e / tf.reduce_sum(e, axis=axis, keepdims=True)

    def softmax_axis0(logits, axis=-1):
        return ns["softmax"](logits, axis=0)

    def log_of_softmax(logits, axis=-1):
        return tf.math.log(ns["softmax"](logits, axis=axis))

    def ce_missing_minus(y, logits):
        return -ns["categorical_crossentropy"](y, logits)

    def ce_mean_over_classes(y, logits):
        logits = ns["as_float_tensor"](logits)
        return -tf.reduce_mean(ns["as_float_tensor"](y, like=logits) * ns["log_softmax"](logits), axis=-1)

    def ce_batch_mean(y, logits):
        return tf.reduce_mean(ns["categorical_crossentropy"](y, logits))

    def ce_double_softmax(y, logits):
        return ns["categorical_crossentropy"](y, ns["softmax"](logits))

    def ce_wrong_axis(y, logits):
        logits = ns["as_float_tensor"](logits)
        return -tf.reduce_sum(
            ns["as_float_tensor"](y, like=logits) * ns["log_softmax"](logits, axis=0), axis=-1
        )

    def ce_naive_log(y, logits):
        logits = ns["as_float_tensor"](logits)
        p = ns["softmax"](logits)
        return -tf.reduce_sum(ns["as_float_tensor"](y, like=logits) * tf.math.log(p), axis=-1)

    def ce_builtin(y, logits):
        logits = ns["as_float_tensor"](logits)
        return tf.nn.softmax_cross_entropy_with_logits(
            labels=ns["as_float_tensor"](y, like=logits), logits=logits
        )

    def grad_p_minus_y(y, logits):
        logits = ns["as_float_tensor"](logits)
        return ns["softmax"](logits) - ns["as_float_tensor"](y, like=logits)

    def grad_by_tape_of_builtin(y, logits):
        logits = tf.Variable(ns["as_float_tensor"](logits))
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(ce_builtin(y, logits))
        return tape.gradient(loss, logits)

    def library_softmax(logits, axis=-1):
        return tf.nn.softmax(ns["as_float_tensor"](logits), axis=axis)

    def sparse_without_batch_dims(labels, logits):
        return -tf.gather(ns["log_softmax"](logits), labels, axis=-1)

    return [
        ("naive softmax", "softmax", naive_softmax, "finite at logits of ±1e4", "subtract the row maximum"),
        ("softmax over axis 0", "softmax", softmax_axis0, "rows sum to 1", "you normalised over axis 0"),
        ("log(softmax)", "log_softmax", log_of_softmax, "finite at logits of ±1e4", "log-sum-exp"),
        ("missing minus", "categorical_crossentropy", ce_missing_minus, "one loss per example", "minus sign"),
        (
            "mean over classes",
            "categorical_crossentropy",
            ce_mean_over_classes,
            "one loss per",
            "reduce_mean",
        ),
        ("mean over batch", "categorical_crossentropy", ce_batch_mean, "one loss per example", "one number"),
        ("double softmax", "categorical_crossentropy", ce_double_softmax, "one loss per", "applied twice"),
        (
            "wrong axis",
            "categorical_crossentropy",
            ce_wrong_axis,
            "one loss per example",
            "axis 0 (the batch)",
        ),
        ("log(softmax) in CE", "categorical_crossentropy", ce_naive_log, "±1e4", "log(softmax(x))"),
        (
            "TF's built-in loss",
            "categorical_crossentropy",
            ce_builtin,
            "gradient right for any non-negative",
            "softmax_cross_entropy_with_logits",
        ),
        ("p - y", "categorical_crossentropy_grad", grad_p_minus_y, "multi-hot", "TensorFlow's gradient"),
        (
            "tape of TF's loss",
            "categorical_crossentropy_grad",
            grad_by_tape_of_builtin,
            "multi-hot",
            "TensorFlow's gradient",
        ),
        ("wraps tf.nn.softmax", "softmax", library_softmax, "built from basic ops", "`softmax`"),
        (
            "gather without batch_dims",
            "sparse_categorical_crossentropy",
            sparse_without_batch_dims,
            "matches TensorFlow",
            "batch_dims=1",
        ),
    ]


# --- broken implementations of exercise 03 ---------------------------------------


def _sigmoid_mistakes(tf, ns):
    f = ns["as_float_tensor"]

    def naive_sigmoid(x):
        return 1.0 / (1.0 + tf.exp(-f(x)))

    def where_sigmoid(x):
        x = f(x)
        return tf.where(x >= 0, 1.0 / (1.0 + tf.exp(-x)), tf.exp(x) / (1.0 + tf.exp(x)))

    def abs_sigmoid(x):
        x = f(x)
        e = tf.exp(-tf.abs(x))
        return tf.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    def library_bce(y, logits):
        logits = f(logits)
        return tf.nn.sigmoid_cross_entropy_with_logits(labels=f(y, like=logits), logits=logits)

    def keras_bce(y, probs, epsilon=1e-7):
        import keras

        return keras.ops.binary_crossentropy(f(y), f(probs))

    def naive_bce(y, logits):
        logits = f(logits)
        y = f(y, like=logits)
        p = 1.0 / (1.0 + tf.exp(-logits))
        return -(y * tf.math.log(p) + (1 - y) * tf.math.log(1 - p))

    def seed_002_formula(y, logits):  # y * ln(sigmoid) + (1 - y) * ln(1 - sigmoid), no minus sign
        return -ns["binary_crossentropy"](y, logits)

    def double_sigmoid(y, logits):
        return ns["binary_crossentropy"](y, ns["sigmoid"](logits))

    def mean_over_labels(y, logits):
        return tf.reduce_mean(ns["binary_crossentropy"](y, logits), axis=-1)

    def sum_over_labels(y, logits):
        return tf.reduce_sum(ns["binary_crossentropy"](y, logits), axis=-1)

    def kinked_bce(y, logits):
        logits = f(logits)
        y = f(y, like=logits)
        return tf.maximum(logits, 0) - logits * y + tf.math.log1p(tf.exp(-tf.abs(logits)))

    def unclipped(y, probs, epsilon=1e-7):
        p = f(probs)
        y = f(y, like=p)
        return -(y * tf.math.log(p) + (1 - y) * tf.math.log(1 - p))

    def plus_epsilon(y, probs, epsilon=1e-7):
        p = f(probs)
        y = f(y, like=p)
        return -(y * tf.math.log(p + epsilon) + (1 - y) * tf.math.log(1 - p + epsilon))

    def fixed_epsilon(y, probs, epsilon=1e-7):
        return ns["binary_crossentropy_from_probs"](y, probs)

    def probs_as_logits(y, probs, epsilon=1e-7):
        return ns["binary_crossentropy"](y, probs)

    return [
        ("naive sigmoid", "sigmoid", naive_sigmoid, "±1e4", "exp(-|x|)"),
        ("tf.where sigmoid", "sigmoid", where_sigmoid, "±1e4", "tf.where does not help"),
        ("tf.abs sigmoid", "sigmoid", abs_sigmoid, "also at 0", "tf.abs has slope 0"),
        ("naive BCE", "binary_crossentropy", naive_bce, "±100 and ±1e4", "log(sigmoid(x)) directly"),
        (
            "seed 002's formula",
            "binary_crossentropy",
            seed_002_formula,
            "element-wise",
            "minus sign is missing",
        ),
        ("double sigmoid", "binary_crossentropy", double_sigmoid, "element-wise", "sigmoid is applied twice"),
        (
            "mean over labels",
            "binary_crossentropy",
            mean_over_labels,
            "element-wise",
            "reduced (mean or sum)",
        ),
        ("sum over labels", "binary_crossentropy", sum_over_labels, "element-wise", "reduced (mean or sum)"),
        ("kinks at 0", "binary_crossentropy", kinked_bce, "logit exactly 0", "same condition"),
        ("no clipping", "binary_crossentropy_from_probs", unclipped, "0 and 1", "clip the probabilities"),
        (
            "p + epsilon",
            "binary_crossentropy_from_probs",
            plus_epsilon,
            "exactly 0 outside",
            "tf.clip_by_value",
        ),
        ("epsilon ignored", "binary_crossentropy_from_probs", fixed_epsilon, "honours epsilon", "is ignored"),
        ("sigmoid of probs", "binary_crossentropy_from_probs", probs_as_logits, "matches Keras", "as logits"),
        (
            "wraps tf.nn",
            "binary_crossentropy",
            library_bce,
            "basic ops",
            "`sigmoid_cross_entropy_with_logits`",
        ),
        ("calls Keras", "binary_crossentropy_from_probs", keras_bce, "basic ops", "`keras`"),
    ]


def _cases():
    return [(SOFTMAX, i) for i in range(14)] + [(SIGMOID, i) for i in range(15)]


@pytest.mark.parametrize(("exercise", "index"), _cases())
def test_mistake_fails_its_check_with_its_message(tf, solutions, exercise, index):
    factory = _softmax_mistakes if exercise == SOFTMAX else _sigmoid_mistakes
    label, target, broken, check_name, message = factory(tf, dict(solutions[exercise]))[index]
    ns = dict(solutions[exercise])  # the broken functions keep calling the original helpers
    ns[target] = broken
    results = [r for (t, n), r in results_for(exercise, ns).items() if t == target and check_name in n]
    assert results, f"{label}: no check of {target} named like {check_name!r}"
    result = results[0]
    assert not result.passed, f"{label}: the check '{result.check.name}' passes a broken {target}"
    assert message in result.message, f"{label}: feedback does not name the mistake: {result.message}"


def test_mistake_lists_cover_the_cases(tf, solutions):
    assert len(_softmax_mistakes(tf, solutions[SOFTMAX])) == 14
    assert len(_sigmoid_mistakes(tf, solutions[SIGMOID])) == 15


# --- how close are the solutions? -----------------------------------------------


def _inputs():
    rng = np.random.default_rng(7)
    for scale in (1.0, 10.0, 1e3, 1e4):
        logits = (rng.normal(size=(32, 10)) * scale).astype(np.float32)
        logits[0] = scale  # a row of ties
        soft = rng.random((32, 10)).astype(np.float32)
        soft[1] = 0.0  # an all-zero label row
        multi_hot = (rng.random((32, 10)) < 0.3).astype(np.float32)
        one_hot = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 32)]
        yield logits, soft, multi_hot, one_hot
    yield np.array([[1e4, -1e4, 3.0]], np.float32), np.array([[0.2, 0.5, 0.3]], np.float32), None, None


def _worst_relative_errors(tf, solutions) -> dict[str, float]:
    import keras

    s2, s3 = solutions[SOFTMAX], solutions[SIGMOID]
    worst = {}
    for logits, soft, multi_hot, one_hot in _inputs():
        pairs = {
            "softmax": (s2["softmax"](logits), tf.nn.softmax(logits)),
            "log_softmax": (s2["log_softmax"](logits), tf.nn.log_softmax(logits)),
            "sigmoid": (s3["sigmoid"](logits), tf.sigmoid(logits)),
        }
        for name, y in (("soft", soft), ("multi-hot", multi_hot), ("one-hot", one_hot)):
            if y is None:
                continue
            pairs[f"CCE {name}"] = (
                s2["categorical_crossentropy"](y, logits),
                tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits),
            )
            pairs[f"BCE {name}"] = (
                s3["binary_crossentropy"](y, logits),
                tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits),
            )
            probs = tf.sigmoid(logits / 100.0)
            pairs[f"BCE probs {name}"] = (
                s3["binary_crossentropy_from_probs"](y, probs),
                keras.ops.binary_crossentropy(y, probs),
            )
        if one_hot is not None:
            labels = one_hot.argmax(-1)
            pairs["sparse CCE"] = (
                s2["sparse_categorical_crossentropy"](labels, logits),
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits),
            )
            pairs["Keras CCE"] = (
                s2["categorical_crossentropy"](one_hot, logits),
                keras.losses.categorical_crossentropy(one_hot, logits, from_logits=True),
            )
        for name, (got, want) in pairs.items():
            assert tf.is_tensor(got), name
            assert np.all(np.isfinite(got.numpy())), name
            worst[name] = max(worst.get(name, 0.0), relative_error(got, want))
    return worst


@pytest.mark.parametrize("kernels", ["default TF kernels", "op determinism on"])
def test_worst_relative_error_against_tensorflow_and_keras(tf, solutions, kernels):
    """Both settings: by default TF uses one combined C++ kernel for cross-entropy, under op determinism not."""
    context = op_determinism() if kernels == "op determinism on" else contextlib.nullcontext()
    with context:
        worst = _worst_relative_errors(tf, solutions)
    print(f"\nworst relative error vs TensorFlow/Keras ({kernels}):")
    for name, err in sorted(worst.items(), key=lambda kv: -kv[1]):
        print(f"  {name:>22}: {err:.2e}")
    assert max(worst.values()) <= 1e-6


def test_worst_gradient_error_against_finite_differences(solutions):
    s2, s3 = solutions[SOFTMAX], solutions[SIGMOID]
    rng = np.random.default_rng(11)
    x = rng.normal(0.0, 4.0, size=(5, 6))
    x[0, :3] = [40.0, -40.0, 0.0]  # large logits, and exactly 0
    y = rng.random((5, 6))
    y[1] = 0.0
    y[2] = (rng.random(6) < 0.5).astype(float)
    labels = rng.integers(0, 6, 5)
    probs = rng.uniform(0.01, 0.99, size=(5, 6))
    checks = {
        "softmax": gradient_check(s2["softmax"], x),
        "log_softmax": gradient_check(s2["log_softmax"], x),
        "categorical_crossentropy": gradient_check(lambda z: s2["categorical_crossentropy"](y, z), x),
        "sparse_categorical_crossentropy": gradient_check(
            lambda z: s2["sparse_categorical_crossentropy"](labels, z), x
        ),
        "sigmoid": gradient_check(s3["sigmoid"], x),
        "binary_crossentropy": gradient_check(lambda z: s3["binary_crossentropy"](y, z), x),
        "binary_crossentropy_from_probs": gradient_check(
            lambda q: s3["binary_crossentropy_from_probs"](y, q), probs
        ),
    }
    # the hand-derived gradient against finite differences of the loss (unit weights)
    numeric = gradient_check(lambda z: s2["categorical_crossentropy"](y, z), x, weights_seed=None).numeric
    grad_err = float(np.abs(s2["categorical_crossentropy_grad"](y, x).numpy() - numeric).max())
    print("\nworst gradient error vs finite differences (float64):")
    for name, result in checks.items():
        print(f"  {name:>32}: abs {result.max_abs_error:.2e}, rel {result.max_rel_error:.2e}")
    print(f"  {'categorical_crossentropy_grad':>32}: abs {grad_err:.2e}")
    assert all(r.ok for r in checks.values()), {k: str(v) for k, v in checks.items() if not v.ok}
    assert grad_err < 1e-6
