"""Checks for exercise 01: label encodings and choosing an output layer and loss.

Graded objects (names fixed by the exercise notebook):

* ``to_one_hot(labels, num_classes)`` -> float32 (n, C)
* ``one_hot_to_labels(one_hot)`` -> int64 (n,)
* ``to_multi_hot(label_sets, num_classes)`` -> float32 (n, C)
* ``multi_hot_to_label_sets(multi_hot)`` -> list of sorted lists of int
* ``quadrants_to_multi_hot(y_quadrants, num_classes=10, empty=10)`` -> float32 (n, C)
* ``design_choices()`` -> dict task -> (output activation, loss)
"""

from __future__ import annotations

import numpy as np

from losslab.exercises.checks import (
    Check,
    Mistake,
    PartialCredit,
    as_array,
    expect_equal_arrays,
    expect_raises,
)
from losslab.exercises.from_scratch import OWN_CODE, own_code_test

__all__ = ["CHECKS", "DESIGN_ANSWERS", "EXERCISE"]

EXERCISE = "01_multiclass_vs_multilabel"


# --- to_one_hot --------------------------------------------------------------


def _one_hot_basic(fn):
    got = as_array(fn([2, 0, 1, 2], 3), "to_one_hot([2, 0, 1, 2], 3)")
    want = np.eye(3, dtype=np.float32)[[2, 0, 1, 2]]
    if got.shape == (3, 4):
        raise Mistake("your result is (num_classes, n): rows and columns are swapped; one row per example")
    if got.shape == want.shape and np.array_equal(got, np.eye(3)[[1, 2, 0, 1]]):
        raise Mistake("every row has its 1 one place off: labels are 0-based, so label 0 is column 0")
    expect_equal_arrays(got, want, "to_one_hot([2, 0, 1, 2], 3)")


def _one_hot_dtype(fn):
    got = as_array(fn(np.array([1, 0]), 4), "to_one_hot(np.array([1, 0]), 4)")
    if got.dtype != np.float32:
        raise Mistake(f"dtype is {got.dtype}; return float32 (losses in Keras expect float targets)")


def _one_hot_rejects(fn):
    expect_raises(lambda: fn([0, 3], 3), ValueError, "label 3 with num_classes=3 (valid labels are 0, 1, 2)")
    expect_raises(lambda: fn([-1, 0], 3), ValueError, "a negative label")
    expect_raises(
        lambda: fn([1.5, 0.2], 3),
        ValueError,
        "labels 1.5 and 0.2 are not integers (a class index cannot be 1.5; do not round or truncate it)",
    )


def _one_hot_edge(fn):
    got = as_array(fn([4], 5), "to_one_hot([4], 5)")
    if got.shape == (5, 1):
        return  # rows and columns swapped: charged by the first check
    expect_equal_arrays(
        got.astype(np.float32), np.eye(5, dtype=np.float32)[[4]], "to_one_hot([4], 5) (a batch of one)"
    )
    got = as_array(fn(np.zeros(0, dtype=int), 3), "to_one_hot([], 3)")
    if got.shape != (0, 3):
        raise Mistake(f"an empty batch should give shape (0, 3), got {got.shape}")
    expect_raises(lambda: fn([[0, 1]], 3), ValueError, "2-D input (labels must be a 1-D list of integers)")


# --- one_hot_to_labels -------------------------------------------------------


def _from_one_hot_basic(fn):
    got = as_array(fn(np.eye(4)[[3, 1, 0]]), "one_hot_to_labels(...)")
    if got.shape == (4,):
        raise Mistake("you reduced over the wrong axis: take the argmax of each row (axis=-1)")
    expect_equal_arrays(got.astype(np.int64), np.array([3, 1, 0]), "one_hot_to_labels(one-hot of [3, 1, 0])")
    if not np.issubdtype(got.dtype, np.integer):
        raise Mistake(f"labels should be integers, got dtype {got.dtype}")


def _from_one_hot_rejects(fn):
    expect_raises(
        lambda: fn(np.array([[1.0, 1.0, 0.0]])),
        ValueError,
        "a row with two 1s is multi-hot, not one-hot (argmax would silently drop a label)",
    )
    expect_raises(lambda: fn(np.zeros((1, 3))), ValueError, "an all-zero row has no class")


# --- to_multi_hot ------------------------------------------------------------


def _multi_hot_basic(fn):
    got = as_array(fn([[0, 2], [1], []], 3), "to_multi_hot([[0, 2], [1], []], 3)")
    want = np.array([[1, 0, 1], [0, 1, 0], [0, 0, 0]], dtype=np.float32)
    if got.shape == want.shape and got.sum() == 2:
        raise Mistake("only one label per example was set: set every label in each list")
    expect_equal_arrays(got, want, "to_multi_hot([[0, 2], [1], []], 3)")
    if got.dtype != np.float32:
        raise Mistake(f"dtype is {got.dtype}; return float32")


def _multi_hot_duplicates(fn):
    got = as_array(fn([[1, 1, 3]], 4), "to_multi_hot([[1, 1, 3]], 4)")
    if got.max() > 1:
        raise Mistake("a label listed twice gave a 2: multi-hot says *whether* a label is present (0 or 1)")
    expect_equal_arrays(got, np.array([[0, 1, 0, 1]], dtype=np.float32), "to_multi_hot([[1, 1, 3]], 4)")


def _multi_hot_rejects(fn):
    expect_raises(lambda: fn([[0, 5]], 5), ValueError, "label 5 with num_classes=5")


# --- multi_hot_to_label_sets -------------------------------------------------


def _label_sets_basic(fn):
    got = fn(np.array([[0, 1, 1], [0, 0, 0], [1, 0, 0]], dtype=np.float32))
    if not isinstance(got, list):
        raise Mistake(f"return a list (one entry per example), got {type(got).__name__}")
    plain = [sorted(int(v) for v in row) for row in got]
    if plain != [[1, 2], [], [0]]:
        raise Mistake(f"expected [[1, 2], [], [0]], got {plain}; an all-zero row is an empty list")


def _label_sets_rejects(fn):
    expect_raises(lambda: fn(np.array([[0.0, 0.5]])), ValueError, "0.5 is a probability, not a 0/1 label")


# --- quadrants_to_multi_hot --------------------------------------------------


def _quadrants_basic(fn):
    quadrants = np.array([[3, 10, 3, 7], [10, 10, 10, 10], [0, 1, 2, 9]])
    want = np.zeros((3, 10), dtype=np.float32)
    want[0, [3, 7]] = 1
    want[2, [0, 1, 2, 9]] = 1
    got = as_array(fn(quadrants), "quadrants_to_multi_hot(...)")
    if got.shape == want.shape and got.max() > 1 and np.array_equal(np.minimum(got, 1), want):
        return  # a repeated digit counted twice: your to_multi_hot's mistake, charged by its own check
    if got.shape == (3, 11):
        raise Mistake("you made a column for 'empty' (10): empty is not a digit, leave it out")
    expect_equal_arrays(got, want, "quadrants_to_multi_hot(...)")


def _quadrants_matches_data(fn):
    from losslab.data.canvases import load_canvases

    canvases = load_canvases(n_train=50, n_val=1, n_test=1, seed=3).train
    got = as_array(fn(canvases.y_quadrants), "quadrants_to_multi_hot on real canvases")
    if got.shape == (len(got), 11) and np.array_equal(
        got[:, :10].astype(bool), canvases.y_multi_hot.astype(bool)
    ):
        return  # a column for 'empty': charged by the first check
    if got.shape == canvases.y_multi_hot.shape and np.array_equal(np.minimum(got, 1), canvases.y_multi_hot):
        return  # a repeated digit counted twice: charged by to_multi_hot's own check
    expect_equal_arrays(got, canvases.y_multi_hot, "quadrants_to_multi_hot on real canvases")


# --- design_choices ----------------------------------------------------------

CCE = {"categorical_crossentropy", "sparse_categorical_crossentropy"}
BCE = {"binary_crossentropy"}

# task -> (accepted activations, accepted losses, feedback when wrong)
DESIGN_ANSWERS: dict[str, tuple[set[str], set[str], str]] = {
    "digit_photo": (
        {"softmax"},
        CCE,
        "one image shows exactly one digit: the classes exclude each other, so softmax + "
        "categorical cross-entropy (sparse if the labels are integers)",
    ),
    "photo_tags": (
        {"sigmoid"},
        BCE,
        "a photo can carry several tags at once: independent sigmoids + binary cross-entropy; "
        "softmax would make the tags compete, so two true tags could each reach only 0.5",
    ),
    "spam_filter": (
        {"sigmoid"},
        BCE,
        "spam or not is one yes/no question: one sigmoid unit + binary cross-entropy "
        "(softmax on a single unit always outputs 1.0)",
    ),
    "digits_on_canvas": (
        {"sigmoid"},
        BCE,
        "several digits can appear on one canvas: ten sigmoids (ten binary classifiers) + binary cross-entropy",
    ),
    "digit_per_quadrant": (
        {"softmax"},
        CCE,
        "each quadrant holds exactly one of 11 classes (a digit or empty): one softmax head per "
        "quadrant, each with (sparse) categorical cross-entropy",
    ),
}


def _design(fn):
    choices = fn()
    if not isinstance(choices, dict):
        raise Mistake(f"design_choices() should return a dict, got {type(choices).__name__}")
    wrong = []
    for task, (activations, losses, why) in DESIGN_ANSWERS.items():
        if task not in choices:
            wrong.append(f"{task}: no choice yet")
            continue
        value = choices[task]
        if not (isinstance(value, tuple | list) and len(value) == 2):
            wrong.append(
                f"{task}: give a pair (activation, loss), e.g. ('softmax', 'categorical_crossentropy')"
            )
            continue
        activation, loss = (str(v).strip().lower() for v in value)
        if activation not in activations or loss not in losses:
            wrong.append(f"{task}: you chose ({activation}, {loss}) - {why}")
    if wrong:
        right = len(DESIGN_ANSWERS) - len(wrong)
        summary = f"{right} of {len(DESIGN_ANSWERS)} tasks right (credit per task)"
        raise PartialCredit("\n".join([summary, *wrong]), right / len(DESIGN_ANSWERS))


CHECKS = [
    Check("to_one_hot", "integer labels become one-hot rows", _one_hot_basic),
    Check("to_one_hot", "returns float32", _one_hot_dtype),
    Check("to_one_hot", "refuses labels that are not integers in 0..num_classes-1", _one_hot_rejects),
    Check("to_one_hot", "a batch of one, an empty batch, 2-D input", _one_hot_edge, self_check=False),
    Check("one_hot_to_labels", "one-hot rows back to integer labels", _from_one_hot_basic),
    Check("one_hot_to_labels", "refuses rows that are not one-hot", _from_one_hot_rejects),
    Check("to_multi_hot", "label lists become multi-hot rows (empty list: zero row)", _multi_hot_basic),
    Check("to_multi_hot", "a repeated label still gives 1", _multi_hot_duplicates),
    Check("to_multi_hot", "refuses labels outside 0..num_classes-1", _multi_hot_rejects),
    Check("multi_hot_to_label_sets", "multi-hot rows back to label lists", _label_sets_basic),
    Check("multi_hot_to_label_sets", "refuses values other than 0 and 1", _label_sets_rejects),
    Check("quadrants_to_multi_hot", "per-quadrant labels to the multi-hot target", _quadrants_basic),
    Check(
        "quadrants_to_multi_hot",
        "agrees with losslab.data on real canvases",
        _quadrants_matches_data,
        self_check=False,
    ),
    Check(
        "quadrants_to_multi_hot",
        OWN_CODE,
        own_code_test(
            "quadrants_to_multi_hot", lambda fn: fn(np.array([[3, 10, 3, 7]])), {"quadrants_to_digit_sets"}
        ),
    ),
    Check("design_choices", "output layer and loss for five tasks", _design, points=5),
]
