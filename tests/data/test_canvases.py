"""The multi-digit canvas data set."""

import numpy as np
import pytest

from losslab.data.canvases import (
    CANVAS_SIZE,
    EMPTY,
    load_canvases,
    load_digits_split,
    make_canvases,
    source_digit_pools,
)


@pytest.fixture(scope="module")
def splits():
    return load_canvases(n_train=600, n_val=200, n_test=200, seed=7)


def test_shapes_and_dtypes(splits):
    for part, n in ((splits.train, 600), (splits.val, 200), (splits.test, 200)):
        assert part.x.shape == (n, CANVAS_SIZE, CANVAS_SIZE, 1) and part.x.dtype == np.float32
        assert part.y_multi_hot.shape == (n, 10) and part.y_multi_hot.dtype == np.float32
        assert part.y_quadrants.shape == (n, 4) and part.y_quadrants.dtype == np.int64
        assert 0.0 <= part.x.min() and part.x.max() <= 1.0
        assert set(np.unique(part.y_multi_hot)) <= {0.0, 1.0}


def test_multi_hot_is_the_set_of_quadrant_digits(splits):
    for y_row, q_row in zip(splits.train.y_multi_hot, splits.train.y_quadrants, strict=True):
        assert set(np.flatnonzero(y_row)) == {int(q) for q in q_row if q != EMPTY}
    assert np.all((splits.train.source_ids < 0) == (splits.train.y_quadrants == EMPTY))


def test_quadrants_hold_the_source_images():
    from sklearn.datasets import load_digits

    images = load_digits().images / 16.0
    part = load_canvases(n_train=50, n_val=1, n_test=1, seed=1).train
    for i in range(50):
        for q in range(4):
            r, c = divmod(q, 2)
            tile = part.x[i, r * 8 : (r + 1) * 8, c * 8 : (c + 1) * 8, 0]
            source = part.source_ids[i, q]
            expected = np.zeros((8, 8)) if source < 0 else images[source]
            np.testing.assert_allclose(tile, expected, atol=1e-6)


def test_splits_use_disjoint_handwritten_images(splits):
    ids = [
        set(part.source_ids[part.source_ids >= 0].ravel()) for part in (splits.train, splits.val, splits.test)
    ]
    assert not ids[0] & ids[1] and not ids[0] & ids[2] and not ids[1] & ids[2]
    pools = source_digit_pools(seed=7)
    assert sum(len(p) for p in pools.values()) == 1797
    for name, pool in pools.items():
        assert set(np.unique(pool.labels)) == set(range(10)), f"{name} lacks a digit"


def test_deterministic_by_seed():
    a, b = load_canvases(100, 10, 10, seed=3), load_canvases(100, 10, 10, seed=3)
    c = load_canvases(100, 10, 10, seed=4)
    np.testing.assert_array_equal(a.train.x, b.train.x)
    np.testing.assert_array_equal(a.test.y_quadrants, b.test.y_quadrants)
    assert not np.array_equal(a.train.x, c.train.x)


def test_empty_rate_and_label_statistics():
    part = load_canvases(4000, 10, 10, seed=0, p_empty=0.3).train
    assert abs(np.mean(part.y_quadrants == EMPTY) - 0.3) < 0.02
    assert 0.2 < part.y_multi_hot.mean() < 0.3
    full = load_canvases(50, 1, 1, p_empty=0.0).train
    assert not np.any(full.y_quadrants == EMPTY)


def test_single_digits_view():
    digits = load_digits_split("test")
    assert digits.images.shape[1:] == (8, 8) and len(digits) == len(digits.labels)
    with pytest.raises(ValueError, match="split must be one of"):
        load_digits_split("holdout")


@pytest.mark.parametrize(
    "kwargs, message",
    [({"n": -1}, "n must be >= 0"), ({"n": 3, "p_empty": 1.5}, "p_empty is a probability")],
)
def test_bad_arguments(kwargs, message):
    pool = load_digits_split("train")
    with pytest.raises(ValueError, match=message):
        make_canvases(pool, rng=np.random.default_rng(0), **kwargs)


def test_bad_fractions():
    with pytest.raises(ValueError, match="sum to 1"):
        source_digit_pools(fractions=(0.5, 0.3, 0.3))
    with pytest.raises(ValueError, match="three positive"):
        source_digit_pools(fractions=(1.0, 0.0, 0.0))
