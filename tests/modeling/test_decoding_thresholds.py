"""Tests for losslab.modeling.decoding: decoding rules, scikit-learn metrics, tuning on validation data."""

import numpy as np
import pytest

from losslab.modeling.decoding import (
    apply_thresholds,
    best_global_threshold,
    format_scores,
    multilabel_scores,
    threshold_sweep,
    top_k_labels,
    tune_label_thresholds,
)

Y = np.array([[1, 0, 1], [0, 1, 0], [0, 0, 0], [1, 1, 0]], dtype=np.float32)
P = np.array([[0.9, 0.2, 0.6], [0.4, 0.7, 0.1], [0.3, 0.1, 0.2], [0.8, 0.45, 0.3]])


def test_apply_thresholds_global_and_per_label():
    np.testing.assert_array_equal(apply_thresholds(P, 0.5), (P >= 0.5).astype(np.float32))
    per_label = apply_thresholds(P, [0.5, 0.4, 0.5])
    assert per_label[3, 1] == 1 and apply_thresholds(P)[3, 1] == 0
    assert per_label.dtype == np.float32


def test_top_k():
    np.testing.assert_array_equal(top_k_labels(P, 1).sum(axis=1), 1)
    np.testing.assert_array_equal(top_k_labels(P, 2)[0], [1, 0, 1])
    np.testing.assert_array_equal(top_k_labels(np.full((1, 3), 0.5), 1), [[1, 0, 0]])  # ties: lowest index
    assert top_k_labels(P, 0).sum() == 0


def test_scores_by_hand():
    pred = apply_thresholds(P, 0.5)  # [[1,0,1],[0,1,0],[0,0,0],[1,0,0]]: one miss in row 3
    s = multilabel_scores(Y, pred, P)
    assert s["subset_accuracy"] == pytest.approx(3 / 4)
    assert s["hamming_loss"] == pytest.approx(1 / 12)
    assert s["micro_f1"] == pytest.approx(2 * 4 / (2 * 4 + 1))  # tp 4, fn 1, fp 0
    assert s["macro_f1"] == pytest.approx((1 + 2 / 3 + 1) / 3)
    assert s["mAP"] == pytest.approx(1.0)  # every label's positives are ranked first


def test_sweep_and_tuning():
    sweep = threshold_sweep(Y, P, [0.25, 0.5, 0.75])
    assert set(sweep) == {"threshold", "subset_accuracy", "hamming_loss", "micro_f1", "macro_f1"}
    assert sweep["micro_f1"].shape == (3,)
    assert sweep["subset_accuracy"][1] == pytest.approx(0.75)
    tuned = tune_label_thresholds(Y, P)
    assert tuned.shape == (3,)
    assert 0.2 < tuned[1] <= 0.45  # label 1 needs a threshold below 0.45 to catch row 3
    assert multilabel_scores(Y, apply_thresholds(P, tuned))["subset_accuracy"] == 1.0


def test_clear_errors():
    with pytest.raises(ValueError, match="logits"):
        apply_thresholds(P * 10)
    with pytest.raises(ValueError, match="one threshold per label"):
        apply_thresholds(P, [0.5, 0.5])
    with pytest.raises(ValueError, match="k must be"):
        top_k_labels(P, 4)
    with pytest.raises(ValueError, match="0/1"):
        multilabel_scores(Y, P)
    with pytest.raises(ValueError, match="must match"):
        multilabel_scores(Y[:2], apply_thresholds(P))
    with pytest.raises(ValueError, match="strictly between"):
        tune_label_thresholds(Y, P, grid=[0.0, 0.5])


def test_best_global_threshold_and_format():
    assert best_global_threshold(Y, P, thresholds=[0.3, 0.5, 0.75]) == 0.5
    assert best_global_threshold(Y, P, "hamming_loss", thresholds=[0.3, 0.5, 0.75]) == 0.5
    with pytest.raises(ValueError, match="metric must be one of"):
        best_global_threshold(Y, P, "accuracy")
    assert format_scores("m", {"micro_f1": 0.123456}, width=4) == "m   micro_f1 0.1235"
