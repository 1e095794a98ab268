"""Multi-output quadrant models: targets, decoding, and the reference multi-head loss."""

from __future__ import annotations

import numpy as np
import pytest

from losslab.data.canvases import EMPTY
from losslab.modeling import multi_output as mo

Q = np.array([[3, EMPTY, 3, 7], [EMPTY, EMPTY, EMPTY, EMPTY]])


def test_model_has_four_named_heads_of_eleven_logits():
    model = mo.build_quadrant_model(filters=(4,), dense_units=8)
    assert sorted(model.output_names) == sorted(mo.QUADRANT_NAMES)
    out = model.predict(np.zeros((2, 16, 16, 1), np.float32), verbose=0)
    assert all(out[q].shape == (2, 11) for q in mo.QUADRANT_NAMES)


def test_targets_flattening_and_digit_sets():
    targets = mo.quadrant_targets(Q)
    assert targets["top_left"].tolist() == [3, EMPTY] and targets["bottom_right"].tolist() == [7, EMPTY]
    flat = mo.flatten_quadrant_targets(Q)
    assert flat.shape == (2, 44) and flat.sum() == 8 and flat[0, 3] == 1 and flat[0, 11 + EMPTY] == 1
    sets = mo.quadrants_to_digit_sets(Q)
    assert sets[0].nonzero()[0].tolist() == [3, 7] and sets[1].sum() == 0


def test_predictions_from_heads_and_from_flat_outputs_agree():
    rng = np.random.default_rng(0)
    heads = {q: rng.normal(size=(3, 11)) for q in mo.QUADRANT_NAMES}
    flat = np.concatenate([heads[q] for q in mo.QUADRANT_NAMES], axis=1)
    assert np.array_equal(mo.quadrant_predictions(heads), mo.quadrant_predictions(flat))
    assert mo.quadrant_predictions(heads).shape == (3, 4)


def test_invalid_quadrant_fraction():
    flat = np.full((1, 44), -5.0)
    flat[0, 2] = 5.0  # quadrant 0: exactly one class on
    flat[0, 11 + 1] = flat[0, 11 + 2] = 5.0  # quadrant 1: two on; quadrants 2, 3: none
    assert mo.invalid_quadrant_fraction(flat) == 0.75


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"\(n, 4\)"):
        mo.quadrant_targets(np.zeros((2, 3), int))
    with pytest.raises(ValueError, match="integers 0..10"):
        mo.flatten_quadrant_targets(np.array([[0, 1, 2, 11]]))
    with pytest.raises(ValueError, match="44"):
        mo.quadrant_predictions(np.zeros((2, 40)))
