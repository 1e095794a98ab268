"""The course's data set: multi-digit canvases built from scikit-learn's bundled digits.

Each canvas is a 2 x 2 grid of quadrants. A quadrant is empty or holds one
8 x 8 handwritten digit, so a canvas is a 16 x 16 grey image. One canvas
carries three kinds of label, one per problem kind of lesson 01:

* ``y_multi_hot`` (multi-label): which digits appear anywhere, a 10-D 0/1 vector;
* ``y_quadrants`` (multi-output multi-class): per quadrant the digit 0-9, or
  :data:`EMPTY` (10) for an empty quadrant;
* single digits (multi-class) come from :func:`load_digits_split`.

Splits are composed from *disjoint* pools of source images: no handwritten
image appears in two splits. (Composing test canvases from training images
lets a model recognise the very strokes it trained on and inflates every
score.) Everything comes from ``sklearn.datasets.load_digits``, which ships
with scikit-learn: nothing is downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "CANVAS_SIZE",
    "DIGIT_SIZE",
    "EMPTY",
    "NUM_DIGITS",
    "CanvasSet",
    "CanvasSplits",
    "DigitSplit",
    "load_canvases",
    "load_digits_split",
    "make_canvases",
    "source_digit_pools",
]

NUM_DIGITS = 10
EMPTY = 10  # the quadrant label for "no digit here"
DIGIT_SIZE = 8
CANVAS_SIZE = 2 * DIGIT_SIZE
_SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class DigitSplit:
    """Single 8 x 8 digit images from one source pool.

    Attributes:
        images: float32, shape (n, 8, 8), values in [0, 1].
        labels: int64, shape (n,), digit 0-9.
        source_ids: int64, shape (n,), row index into ``load_digits()``.
    """

    images: np.ndarray
    labels: np.ndarray
    source_ids: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class CanvasSet:
    """Canvases of one split.

    Attributes:
        x: float32, shape (n, 16, 16, 1), values in [0, 1] (channels-last, ready for Conv2D).
        y_multi_hot: float32, shape (n, 10); ``y_multi_hot[i, d] == 1`` iff digit d is on canvas i.
        y_quadrants: int64, shape (n, 4); quadrant order top-left, top-right,
            bottom-left, bottom-right; 0-9 a digit, ``EMPTY`` (10) no digit.
        source_ids: int64, shape (n, 4); the ``load_digits()`` row drawn in each
            quadrant, -1 where empty.
    """

    x: np.ndarray
    y_multi_hot: np.ndarray
    y_quadrants: np.ndarray
    source_ids: np.ndarray

    def __len__(self) -> int:
        return len(self.x)


@dataclass(frozen=True)
class CanvasSplits:
    """Train, validation and test canvases built from disjoint source images."""

    train: CanvasSet
    val: CanvasSet
    test: CanvasSet


def _check_fractions(fractions: tuple[float, float, float]) -> None:
    if len(fractions) != 3 or any(f <= 0 for f in fractions):
        raise ValueError(f"fractions must be three positive numbers (train, val, test), got {fractions!r}")
    if not np.isclose(sum(fractions), 1.0):
        raise ValueError(f"fractions must sum to 1, got {fractions!r} (sum {sum(fractions):.3f})")


def source_digit_pools(
    seed: int = 0, fractions: tuple[float, float, float] = (0.6, 0.2, 0.2)
) -> dict[str, DigitSplit]:
    """Split scikit-learn's 1,797 digit images into disjoint train/val/test pools.

    The split is stratified by digit, so every pool holds every digit in
    about the same proportion. Returns a dict with keys ``"train"``, ``"val"``, ``"test"``.
    """
    from sklearn.datasets import load_digits

    _check_fractions(fractions)
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)  # pixel values 0..16 -> [0, 1]
    labels = digits.target.astype(np.int64)
    rng = np.random.default_rng(seed)
    chosen: dict[str, list[np.ndarray]] = {name: [] for name in _SPLITS}
    for digit in range(NUM_DIGITS):
        rows = rng.permutation(np.flatnonzero(labels == digit))
        cut1 = int(round(fractions[0] * len(rows)))
        cut2 = cut1 + int(round(fractions[1] * len(rows)))
        for name, part in zip(_SPLITS, np.split(rows, [cut1, cut2]), strict=True):
            chosen[name].append(part)
    pools = {}
    for name in _SPLITS:
        ids = np.sort(np.concatenate(chosen[name]))
        pools[name] = DigitSplit(images=images[ids], labels=labels[ids], source_ids=ids)
    return pools


def load_digits_split(
    split: str = "train", seed: int = 0, fractions: tuple[float, float, float] = (0.6, 0.2, 0.2)
) -> DigitSplit:
    """Single digits of one split (the multi-class view), from the same pools as the canvases."""
    if split not in _SPLITS:
        raise ValueError(f"split must be one of {_SPLITS}, got {split!r}")
    return source_digit_pools(seed, fractions)[split]


def make_canvases(pool: DigitSplit, n: int, rng: np.random.Generator, p_empty: float = 0.3) -> CanvasSet:
    """Compose ``n`` canvases from the digits in ``pool``.

    Each quadrant is empty with probability ``p_empty``, otherwise it holds a
    digit image drawn uniformly from the pool (a digit may appear in several
    quadrants, so the multi-hot target counts it once).
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if not 0.0 <= p_empty <= 1.0:
        raise ValueError(f"p_empty is a probability and must lie in [0, 1], got {p_empty}")
    if len(pool) == 0:
        raise ValueError("the source pool is empty: give it at least one digit image")
    empty = rng.random((n, 4)) < p_empty
    picks = rng.integers(0, len(pool), size=(n, 4))
    quadrant_labels = np.where(empty, EMPTY, pool.labels[picks]).astype(np.int64)
    source_ids = np.where(empty, -1, pool.source_ids[picks]).astype(np.int64)

    x = np.zeros((n, CANVAS_SIZE, CANVAS_SIZE), dtype=np.float32)
    for q in range(4):
        r, c = divmod(q, 2)
        tiles = pool.images[picks[:, q]] * (~empty[:, q])[:, None, None]
        x[:, r * DIGIT_SIZE : (r + 1) * DIGIT_SIZE, c * DIGIT_SIZE : (c + 1) * DIGIT_SIZE] = tiles

    y = np.zeros((n, NUM_DIGITS), dtype=np.float32)
    rows = np.repeat(np.arange(n), 4)
    labels = quadrant_labels.ravel()
    present = labels != EMPTY
    y[rows[present], labels[present]] = 1.0
    return CanvasSet(x=x[..., None], y_multi_hot=y, y_quadrants=quadrant_labels, source_ids=source_ids)


def load_canvases(
    n_train: int = 10_000,
    n_val: int = 2_000,
    n_test: int = 2_000,
    seed: int = 0,
    p_empty: float = 0.3,
) -> CanvasSplits:
    """Build the multi-digit canvas data set, deterministic for a given ``seed``.

    Takes about 0.1 s for the default sizes. See :class:`CanvasSet` for shapes and dtypes.
    """
    pools = source_digit_pools(seed)
    rng = np.random.default_rng(seed + 1)
    sizes = {"train": n_train, "val": n_val, "test": n_test}
    sets = {name: make_canvases(pools[name], sizes[name], rng, p_empty) for name in _SPLITS}
    return CanvasSplits(**sets)
