"""Tests for losslab.data.mask_task: shapes, sparsity, determinism, the two model builders."""

import numpy as np
import pytest

from losslab.data.mask_task import MASK_SIZE, build_asker_model, build_mask_fcn, load_mask_task, make_masks
from losslab.debugging.diagnostics import final_activation
from losslab.environment.runtime import set_seeds


def test_shapes_dtypes_and_sparsity():
    train, test = load_mask_task(n_train=40, n_test=10)
    assert train.x.shape == (40, 64, 64, 3) and train.x.dtype == np.float32
    assert train.y.shape == (40, 4096) and train.y.dtype == np.float32
    assert len(test) == 10
    assert set(np.unique(train.y)) == {0.0, 1.0}
    assert 0.02 < train.y.mean() < 0.15  # sparse labels
    assert train.x.min() >= 0 and train.x.max() <= 1
    assert train.masks.shape == (40, MASK_SIZE, MASK_SIZE)


def test_masks_are_where_the_discs_are():
    task = make_masks(5, np.random.default_rng(1))
    bright = task.x.min(axis=-1) >= 0.6  # disc colours are in [0.6, 1], background below 0.5
    np.testing.assert_array_equal(bright, task.masks.astype(bool))


def test_centre_pixels_are_more_often_positive_than_border_pixels():
    task = make_masks(300, np.random.default_rng(2))
    rates = task.masks.mean(axis=0)
    assert rates[28:36, 28:36].mean() > 5 * rates[:4, :].mean()


def test_deterministic():
    a, _ = load_mask_task(n_train=5, n_test=1, seed=3)
    b, _ = load_mask_task(n_train=5, n_test=1, seed=3)
    np.testing.assert_array_equal(a.x, b.x)


def test_models():
    set_seeds(0)
    x = np.zeros((2, 64, 64, 3), np.float32)
    seed = build_asker_model("sigmoid")
    assert final_activation(seed) == "sigmoid"
    assert np.asarray(seed(x)).shape == (2, 4096)
    assert final_activation(build_asker_model()) is None
    fcn = build_mask_fcn()
    assert final_activation(fcn) is None
    assert np.asarray(fcn(x)).shape == (2, 4096)


def test_bad_arguments():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="n must be"):
        make_masks(-1, rng)
    with pytest.raises(ValueError, match="max_discs"):
        make_masks(1, rng, max_discs=0)
    with pytest.raises(ValueError, match="final_activation"):
        build_asker_model("softmax")
