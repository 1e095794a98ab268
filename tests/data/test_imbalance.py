"""Rare-label canvases, base rates, prior bias, and what Keras does with class_weight."""

from __future__ import annotations

import numpy as np
import pytest

from losslab.data import imbalance as im
from losslab.modeling.models import build_canvas_cnn


def test_rare_label_canvases_have_falling_base_rates_and_disjoint_sources():
    splits = im.load_rare_label_canvases(n_train=2000, n_val=100, n_test=500)
    rates = im.base_rates(splits.train.y_multi_hot)
    assert rates[0] > 0.6 and rates[9] < 0.03
    assert np.all(np.diff(rates[:6]) < 0)
    train_ids = set(splits.train.source_ids.ravel()) - {-1}
    assert not train_ids & (set(splits.test.source_ids.ravel()) - {-1})
    assert splits.test.x.shape == (500, 16, 16, 1)


def test_frequencies_sum_to_one_and_decay_validated():
    assert np.isclose(im.rare_digit_frequencies(0.5).sum(), 1.0)
    assert np.allclose(im.rare_digit_frequencies(1.0), 0.1)
    with pytest.raises(ValueError, match="decay"):
        im.rare_digit_frequencies(0.0)


def test_prior_bias_gives_the_base_rate_and_stays_finite():
    y = np.array([[1, 0, 0], [0, 0, 0], [0, 0, 0], [1, 0, 1]], np.float32)
    b = im.prior_logit_bias(y)
    assert np.allclose(1 / (1 + np.exp(-b[[0, 2]])), [0.5, 0.25])
    assert np.isfinite(b[1]) and b[1] < -9  # never seen: large but finite
    with pytest.raises(ValueError, match="0 and 1"):
        im.base_rates(y * 0.5)


def test_set_output_bias():
    model = build_canvas_cnn(num_outputs=3, filters=(4,), dense_units=0)
    im.set_output_bias(model, [1.0, -2.0, 0.5])
    assert np.allclose(model.get_layer("logits").get_weights()[1], [1.0, -2.0, 0.5])
    with pytest.raises(ValueError, match="3 outputs"):
        im.set_output_bias(model, [1.0])


def test_keras_class_weight_uses_the_argmax_of_each_row():
    y = np.array([[1, 0, 0, 1], [0, 0, 0, 1], [0, 1, 0, 0], [0, 0, 0, 0]], np.float32)
    weights = im.keras_class_weight_sample_weights(y, {0: 1.0, 1: 2.0, 2: 3.0, 3: 50.0})
    # row 0 carries the rare label 3 but is weighted by its first label; an empty row counts as label 0
    assert weights.tolist() == [1.0, 50.0, 2.0, 1.0]
