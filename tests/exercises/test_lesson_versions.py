"""What the lessons use from the package cannot be handed in as an exercise's answer.

The lessons compute exercises 06-08's losses with Keras; handing those in is refused, one check for it.

Lessons 04-08 train with the Keras-built versions in :mod:`losslab.modeling.keras_losses` (and lesson 08
with Keras' sparse cross-entropy per head), which the learners' edition ships. A learner who wraps them
loses the check "built from basic ops" of that function, whatever name they use to reach them; where a
version also differs from the exact loss (Keras clips probabilities), the check that measures it fails
too, and no other.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

import losslab.modeling as modeling
from losslab.exercises.checks import run_checks
from losslab.exercises.from_scratch import OWN_CODE
from losslab.exercises.registry import suite_for_exercise
from losslab.modeling import (
    keras_asymmetric_loss,
    keras_zlpr_loss,
)
from losslab.modeling import keras_symmetric_kl as symmetric  # an import under another name

FROM_SCRATCH = "built from basic ops, not the library version"


def asymmetric_loss(y_true, logits, gamma_pos=0.0, gamma_neg=4.0, clip=0.05):
    return keras_asymmetric_loss(y_true, logits, gamma_pos, gamma_neg, clip)


def normalized_softmax_crossentropy(y_multi_hot, logits):
    return modeling.keras_normalized_crossentropy(y_multi_hot, logits)  # reached as an attribute


def multilabel_categorical_crossentropy(y_multi_hot, scores):
    zlpr = keras_zlpr_loss  # an alias
    return zlpr(y_multi_hot, scores)


def abs_kl_divergence(y_true, y_pred, epsilon=1e-7):
    return symmetric(y_true, y_pred)


def multi_head_sparse_crossentropy(labels, logits, head_weights=None):
    logits = tf.convert_to_tensor(logits)
    labels = np.asarray(labels)
    if labels.shape != tuple(logits.shape[:2]) or labels.min() < 0 or labels.max() >= logits.shape[-1]:
        raise ValueError("labels must be (batch, heads) integers in 0..classes-1")
    weights = [1.0] * labels.shape[1] if head_weights is None else head_weights
    return sum(
        w * keras.losses.sparse_categorical_crossentropy(labels[:, h], logits[:, h], from_logits=True)
        for h, w in enumerate(weights)
    )


CASES = [
    ("06_imbalance_losses", asymmetric_loss, {"finite and exact at logits of +-1e4 (clip 0 and 0.05)"}),
    ("07_softmax_multilabel_alternatives", normalized_softmax_crossentropy, set()),
    ("07_softmax_multilabel_alternatives", multilabel_categorical_crossentropy, set()),
    (  # Keras' KL clips at 1 too, and the exercise's pseudo-distributions go above 1
        "07_softmax_multilabel_alternatives",
        abs_kl_divergence,
        {
            "equals the thread's formula (targets with zeros)",
            "uses its epsilon argument",
            "keeps float64; integer targets; a batch of one",
            "a new batch with more labels",
        },
    ),
    ("08_multi_output_multiclass", multi_head_sparse_crossentropy, set()),
]


@pytest.mark.parametrize("exercise, wrapper, also_fails", CASES, ids=[c[1].__name__ for c in CASES])
def test_wrapping_the_lesson_version_costs_the_from_scratch_check(exercise, wrapper, also_fails):
    target = wrapper.__name__
    results = run_checks([c for c in suite_for_exercise(exercise) if c.target == target], {target: wrapper})
    failed = {r.check.name: r.message for r in results if not r.passed}
    assert set(failed) == {FROM_SCRATCH} | also_fails, failed
    assert "keras" in failed[FROM_SCRATCH].lower(), failed[FROM_SCRATCH]


def top_k_decode(probs, k):
    return modeling.top_k_labels(probs, k)


def per_label_thresholds(y_true, probs, grid):
    from losslab.modeling import tune_label_thresholds as tune  # imported inside, renamed

    return tune(y_true, probs, grid)


def quadrants_to_multi_hot(y_quadrants, num_classes=10, empty=10):
    return modeling.quadrants_to_digit_sets(y_quadrants)


HELPER_CASES = [
    ("04_training_multilabel", top_k_decode),
    ("04_training_multilabel", per_label_thresholds),
    ("01_multiclass_vs_multilabel", quadrants_to_multi_hot),
]


@pytest.mark.parametrize("exercise, wrapper", HELPER_CASES, ids=[c[1].__name__ for c in HELPER_CASES])
def test_handing_in_a_lessons_helper_costs_one_check(exercise, wrapper):
    """Lessons 04 and 08 use package helpers that do these exercises' jobs: calling them fails one check."""
    target = wrapper.__name__
    results = run_checks([c for c in suite_for_exercise(exercise) if c.target == target], {target: wrapper})
    failed = {r.check.name: r.message for r in results if not r.passed}
    assert set(failed) == {OWN_CODE}, failed
    assert "write it here" in failed[OWN_CODE]
