"""Decoding scores into label sets, and the multi-label metrics."""

from __future__ import annotations

import numpy as np
import pytest

from losslab.modeling import decoding as ld

S = np.array([[2.0, -1.0, 0.5, -3.0], [-0.1, -2.0, -0.5, -4.0]])


def test_threshold_and_top_k():
    assert ld.decode_threshold(S).tolist() == [[1, 0, 1, 0], [0, 0, 0, 0]]
    assert ld.decode_top_k(S, 1).tolist() == [[1, 0, 0, 0], [1, 0, 0, 0]]
    assert ld.decode_top_k(S, 0).sum() == 0
    assert ld.decode_top_k(S, 2).dtype == np.float32


def test_relative_threshold_keeps_the_top_label():
    probs = np.array([[0.5, 0.3, 0.2], [0.9, 0.05, 0.05]])
    assert ld.decode_relative_threshold(probs, 0.5).tolist() == [[1, 1, 0], [1, 0, 0]]


def test_decode_by_count_rounds_and_clips():
    got = ld.decode_by_count(S, [1.6, -0.3])
    assert got.tolist() == [[1, 0, 1, 0], [0, 0, 0, 0]]
    assert ld.decode_by_count(S, [9, 4]).sum() == 8


def test_scores_against_sklearn_definitions():
    y = np.array([[1, 0, 1, 0], [0, 1, 0, 0]], np.float32)
    pred = np.array([[1, 0, 0, 0], [0, 1, 0, 0]], np.float32)
    r = ld.score_label_sets(y, pred, scores=S)
    assert r["subset_accuracy"] == 0.5
    assert np.isclose(r["micro_f1"], 2 * 2 / (2 * 2 + 1))
    assert set(r) == {"micro_f1", "macro_f1", "subset_accuracy", "mAP"}
    assert ld.label_recall(y, pred, [0, 2]) == 0.5


def test_bad_inputs():
    with pytest.raises(ValueError, match="2-D"):
        ld.decode_threshold(np.zeros(3))
    with pytest.raises(ValueError, match="NaN"):
        ld.decode_top_k(np.array([[np.nan, 1.0]]), 1)
    with pytest.raises(ValueError, match="k must be"):
        ld.decode_top_k(S, 5)
    with pytest.raises(ValueError, match="ratio"):
        ld.decode_relative_threshold(np.ones((1, 2)), 0)
    with pytest.raises(ValueError, match="one entry per row"):
        ld.decode_by_count(S, [1])
    with pytest.raises(ValueError, match="0/1"):
        ld.score_label_sets(np.full((2, 4), 0.5), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="undefined"):
        ld.label_recall(np.zeros((2, 4)), np.zeros((2, 4)), [1])
