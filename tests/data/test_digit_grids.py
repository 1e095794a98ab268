"""Tests for losslab.data.digit_grids: shapes, labels that match the pixels, skewed base rates, disjoint splits."""

import matplotlib
import numpy as np
import pytest

from losslab.data.canvases import DIGIT_SIZE, source_digit_pools
from losslab.data.digit_grids import (
    DIGIT_PRIOR,
    GRID_SIZE,
    expected_base_rates,
    load_digit_grids,
    make_digit_grids,
    plot_base_rates,
    plot_grid_examples,
)

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def grids():
    return load_digit_grids(n_train=3000, n_val=500, n_test=500, seed=0)


def test_shapes_and_dtypes(grids):
    assert grids.train.x.shape == (3000, GRID_SIZE, GRID_SIZE, 1)
    assert grids.train.x.dtype == np.float32
    assert grids.train.y.shape == (3000, 10) and grids.train.y.dtype == np.float32
    assert grids.train.cells.shape == (3000, 9) and grids.train.cells.dtype == np.int64
    assert 0.0 <= grids.train.x.min() and grids.train.x.max() <= 1.0
    assert set(np.unique(grids.train.y)) <= {0.0, 1.0}


def test_labels_are_the_set_of_digits_in_the_cells(grids):
    s = grids.val
    for i in range(len(s)):
        digits = {int(d) for d in s.cells[i] if d >= 0}
        assert set(np.flatnonzero(s.y[i]).tolist()) == digits


def test_empty_cells_are_blank_and_filled_cells_are_not(grids):
    s = grids.test
    for i in range(50):
        for j, d in enumerate(s.cells[i]):
            r, c = divmod(j, 3)
            tile = s.x[i, r * DIGIT_SIZE : (r + 1) * DIGIT_SIZE, c * DIGIT_SIZE : (c + 1) * DIGIT_SIZE, 0]
            assert (tile.sum() == 0) == (d < 0)


def test_base_rates_are_skewed_and_match_the_formula(grids):
    rates = grids.train.y.mean(axis=0)
    np.testing.assert_allclose(rates, expected_base_rates(), atol=0.03)
    assert rates[0] > 0.4 and rates[9] < 0.06
    assert np.all(np.diff(expected_base_rates()) < 0)
    assert 0.03 < (grids.train.y.sum(axis=1) == 0).mean() < 0.12  # some grids carry no label at all


def test_deterministic_for_a_seed():
    a = load_digit_grids(n_train=20, n_val=5, n_test=5, seed=4)
    b = load_digit_grids(n_train=20, n_val=5, n_test=5, seed=4)
    np.testing.assert_array_equal(a.train.x, b.train.x)
    np.testing.assert_array_equal(a.test.y, b.test.y)


def test_splits_use_disjoint_handwriting():
    pools = source_digit_pools(0)
    rng = np.random.default_rng(0)
    test = make_digit_grids(pools["test"], 200, rng)
    train_tiles = {pools["train"].images[i].tobytes() for i in range(len(pools["train"]))}
    for i in range(len(test)):
        for j, d in enumerate(test.cells[i]):
            if d >= 0:
                r, c = divmod(j, 3)
                tile = test.x[
                    i, r * DIGIT_SIZE : (r + 1) * DIGIT_SIZE, c * DIGIT_SIZE : (c + 1) * DIGIT_SIZE, 0
                ]
                assert tile.tobytes() not in train_tiles


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": -1}, "n must be >= 0"),
        ({"p_empty": 1.5}, "p_empty"),
        ({"prior": np.ones(10)}, "summing to 1"),
        ({"prior": np.ones(9) / 9}, "10 non-negative"),
    ],
)
def test_bad_arguments_are_refused(kwargs, message):
    pool = source_digit_pools(0)["val"]
    args = {"n": 3, "rng": np.random.default_rng(0), **kwargs}
    with pytest.raises(ValueError, match=message):
        make_digit_grids(pool, **args)


def test_prior_sums_to_one_and_decreases():
    assert np.isclose(DIGIT_PRIOR.sum(), 1.0)
    assert np.all(np.diff(DIGIT_PRIOR) < 0)


def test_plots_draw(grids):
    axes = plot_grid_examples(grids.train, n=4)
    assert len(axes) == 4 and axes[0].get_title().startswith("{")
    ax = plot_base_rates(grids.train)
    assert len(ax.patches) == 10
    with pytest.raises(ValueError, match="n must be between"):
        plot_grid_examples(grids.train, n=0)
    matplotlib.pyplot.close("all")
