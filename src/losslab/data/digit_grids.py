"""A second multi-label data set: sparse 3 x 3 grids of digits with skewed label frequencies.

The canvases of :mod:`losslab.data.canvases` hold up to four digits, each digit equally
likely, so every label is present on roughly a third of the canvases. Real
multi-label data rarely look like that: a few labels are common, many are
rare, and many examples carry no label at all. A *digit grid* imitates that:

* a 3 x 3 grid of cells (a 24 x 24 grey image), each cell empty with
  probability ``p_empty`` (0.75 by default), so a grid shows 0 to 9 digits;
* the digit in a filled cell is drawn from a skewed prior
  (:data:`DIGIT_PRIOR`: digit 0 is about 50 times as common as digit 9), so the
  label base rates run from about 58 % down to about 1.5 %;
* the target ``y`` is multi-hot over the ten digits (a digit drawn twice counts once).

As in :mod:`losslab.data.canvases`, each split is composed from its own pool of source
images (:func:`losslab.data.canvases.source_digit_pools`), so the test grids show
handwriting the model never saw. Everything comes from scikit-learn's bundled
digits: nothing is downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from losslab.data.canvases import DIGIT_SIZE, NUM_DIGITS, DigitSplit, source_digit_pools

__all__ = [
    "DIGIT_PRIOR",
    "GRID_CELLS",
    "GRID_SIZE",
    "DigitGridSet",
    "DigitGridSplits",
    "expected_base_rates",
    "load_digit_grids",
    "make_digit_grids",
    "plot_base_rates",
    "plot_grid_examples",
]

GRID_CELLS = 3  # cells per side
GRID_SIZE = GRID_CELLS * DIGIT_SIZE  # 24 pixels per side

# P(digit d | a cell is filled): geometric, from 0.35 for digit 0 down to 0.007 for digit 9. Rare enough that
# one threshold per label matters: benchmarks/grid_exercise.py measures it against a global 0.5.
_RAW_PRIOR = 0.65 ** np.arange(NUM_DIGITS)
DIGIT_PRIOR = (_RAW_PRIOR / _RAW_PRIOR.sum()).astype(np.float64)

_SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class DigitGridSet:
    """Digit grids of one split.

    Attributes:
        x: float32, shape (n, 24, 24, 1), values in [0, 1] (channels-last, ready for Conv2D).
        y: float32, shape (n, 10); ``y[i, d] == 1`` iff digit d appears somewhere on grid i.
        cells: int64, shape (n, 9); row-major cell contents, 0-9 a digit, -1 empty.
    """

    x: np.ndarray
    y: np.ndarray
    cells: np.ndarray

    def __len__(self) -> int:
        return len(self.x)


@dataclass(frozen=True)
class DigitGridSplits:
    """Train, validation and test grids built from disjoint source images."""

    train: DigitGridSet
    val: DigitGridSet
    test: DigitGridSet


def expected_base_rates(p_empty: float = 0.75, prior: np.ndarray = DIGIT_PRIOR) -> np.ndarray:
    """P(label d is present on a grid) = 1 - (1 - (1 - p_empty) * prior[d]) ** 9; float64, shape (10,)."""
    if not 0.0 <= p_empty <= 1.0:
        raise ValueError(f"p_empty is a probability and must lie in [0, 1], got {p_empty}")
    prior = np.asarray(prior, dtype=np.float64)
    return 1.0 - (1.0 - (1.0 - p_empty) * prior) ** (GRID_CELLS * GRID_CELLS)


def make_digit_grids(
    pool: DigitSplit,
    n: int,
    rng: np.random.Generator,
    p_empty: float = 0.75,
    prior: np.ndarray = DIGIT_PRIOR,
) -> DigitGridSet:
    """Compose ``n`` grids from the digit images in ``pool`` (see the module docstring).

    ``prior`` (shape (10,), non-negative, summing to 1) gives P(digit | filled cell);
    the image for a drawn digit is picked uniformly among that digit's images in the pool.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if not 0.0 <= p_empty <= 1.0:
        raise ValueError(f"p_empty is a probability and must lie in [0, 1], got {p_empty}")
    prior = np.asarray(prior, dtype=np.float64)
    if prior.shape != (NUM_DIGITS,) or (prior < 0).any() or not np.isclose(prior.sum(), 1.0):
        raise ValueError(f"prior must be 10 non-negative numbers summing to 1, got {prior!r}")
    by_digit = [np.flatnonzero(pool.labels == d) for d in range(NUM_DIGITS)]
    missing = [d for d in range(NUM_DIGITS) if prior[d] > 0 and len(by_digit[d]) == 0]
    if missing:
        raise ValueError(f"the source pool has no image of digit(s) {missing}; use a larger pool")

    n_cells = GRID_CELLS * GRID_CELLS
    filled = rng.random((n, n_cells)) >= p_empty
    digits = rng.choice(NUM_DIGITS, size=(n, n_cells), p=prior)
    cells = np.where(filled, digits, -1).astype(np.int64)
    x = np.zeros((n, GRID_SIZE, GRID_SIZE), dtype=np.float32)
    y = np.zeros((n, NUM_DIGITS), dtype=np.float32)
    for i, j in zip(*np.nonzero(filled), strict=True):
        d = cells[i, j]
        image = pool.images[by_digit[d][rng.integers(len(by_digit[d]))]]
        r, c = divmod(int(j), GRID_CELLS)
        x[i, r * DIGIT_SIZE : (r + 1) * DIGIT_SIZE, c * DIGIT_SIZE : (c + 1) * DIGIT_SIZE] = image
        y[i, d] = 1.0
    return DigitGridSet(x=x[..., None], y=y, cells=cells)


def load_digit_grids(
    n_train: int = 6_000,
    n_val: int = 2_000,
    n_test: int = 2_000,
    seed: int = 0,
    p_empty: float = 0.75,
) -> DigitGridSplits:
    """Build the digit-grid data set, deterministic for a given ``seed`` (well under a second).

    See :class:`DigitGridSet` for shapes and dtypes.
    """
    pools = source_digit_pools(seed)
    rng = np.random.default_rng(seed + 7)
    sizes = {"train": n_train, "val": n_val, "test": n_test}
    sets = {name: make_digit_grids(pools[name], sizes[name], rng, p_empty) for name in _SPLITS}
    return DigitGridSplits(**sets)


def plot_grid_examples(grids: DigitGridSet, n: int = 8, ax_row=None):
    """Show the first ``n`` grids with their label sets as titles; returns the array of Axes."""
    import matplotlib.pyplot as plt

    if not 1 <= n <= len(grids):
        raise ValueError(f"n must be between 1 and the number of grids ({len(grids)}), got {n}")
    if ax_row is None:
        _, ax_row = plt.subplots(1, n, figsize=(1.45 * n, 2.0))
    ax_row = np.atleast_1d(ax_row)
    for i, ax in enumerate(ax_row[:n]):
        ax.imshow(grids.x[i, ..., 0], vmin=0, vmax=1)
        for k in range(1, GRID_CELLS):  # faint cell borders
            ax.axhline(k * DIGIT_SIZE - 0.5, color="#bbbbbb", lw=0.5)
            ax.axvline(k * DIGIT_SIZE - 0.5, color="#bbbbbb", lw=0.5)
        labels = np.flatnonzero(grids.y[i])
        ax.set_title("{" + ", ".join(map(str, labels)) + "}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        for spine in ax.spines.values():
            spine.set_visible(True)
            spine.set_color("#888888")
    return ax_row


def plot_base_rates(grids: DigitGridSet, ax=None):
    """Bar chart of each label's base rate (share of grids showing that digit); returns the Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 2.8))
    rates = grids.y.mean(axis=0)
    ax.bar(np.arange(NUM_DIGITS), rates, color="#1f77b4")
    ax.axhline(0.5, color="#d62728", lw=1, ls="--", label="p = 0.5, a default threshold")
    for d, r in enumerate(rates):
        ax.text(d, r + 0.01, f"{r:.0%}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(np.arange(NUM_DIGITS))
    ax.set_xlabel("digit (label)")
    ax.set_ylabel("share of grids")
    ax.set_title("Label base rates: common and rare labels side by side")
    ax.set_ylim(0, max(0.6, rates.max() + 0.08))
    ax.legend(loc="upper right")
    return ax
