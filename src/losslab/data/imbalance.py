"""Imbalanced multi-label data and the tools of lesson 06.

* :func:`load_rare_label_canvases` - the digit canvases of :mod:`losslab.data.canvases`, but
  with digit frequencies falling geometrically, so high digits are rare labels;
* :func:`base_rates` and :func:`prior_logit_bias` - the fraction of positives per
  label and the output bias b = log(pi / (1 - pi)) that starts a model there;
* :func:`set_output_bias` - write that bias into a model's ``"logits"`` layer;
* :func:`keras_class_weight_sample_weights` - the per-row weights Keras *actually*
  uses when ``class_weight`` meets multi-hot targets (measured by running ``fit``).
"""

from __future__ import annotations

import numpy as np

from losslab.data.canvases import (
    NUM_DIGITS,
    CanvasSet,
    CanvasSplits,
    DigitSplit,
    make_canvases,
    source_digit_pools,
)
from losslab.environment.runtime import import_tensorflow_quietly

__all__ = [
    "base_rates",
    "keras_class_weight_sample_weights",
    "load_rare_label_canvases",
    "prior_logit_bias",
    "rare_digit_frequencies",
    "set_output_bias",
]


def rare_digit_frequencies(decay: float = 0.6) -> np.ndarray:
    """Probability that a non-empty quadrant shows digit d: proportional to ``decay**d``; float64 (10,)."""
    if not 0.0 < decay <= 1.0:
        raise ValueError(f"decay must be in (0, 1] (1 = uniform digits), got {decay}")
    weights = decay ** np.arange(NUM_DIGITS, dtype=np.float64)
    return weights / weights.sum()


def _reweighted_pool(pool: DigitSplit, frequencies: np.ndarray, rng: np.random.Generator, size: int):
    """A pool whose uniform draws show digit d with probability ``frequencies[d]``."""
    per_image = frequencies[pool.labels] / np.bincount(pool.labels, minlength=NUM_DIGITS)[pool.labels]
    rows = rng.choice(len(pool), size=size, p=per_image / per_image.sum())
    return DigitSplit(images=pool.images[rows], labels=pool.labels[rows], source_ids=pool.source_ids[rows])


def load_rare_label_canvases(
    n_train: int = 4_000,
    n_val: int = 1_000,
    n_test: int = 2_000,
    decay: float = 0.6,
    seed: int = 0,
    p_empty: float = 0.3,
) -> CanvasSplits:
    """Digit canvases where digit d appears with frequency proportional to ``decay**d``.

    With the default decay 0.6, digit 0 is on about 72% of canvases and digit 9 on
    about 1.4%: the labels range from common to rare, as in real tagging data.
    Splits use the same disjoint source-image pools as :func:`losslab.data.canvases.load_canvases`,
    so no handwritten image is in two splits. Shapes and dtypes as in :class:`CanvasSet`.
    """
    frequencies = rare_digit_frequencies(decay)
    pools = source_digit_pools(seed)
    rng = np.random.default_rng(seed + 101)
    sizes = {"train": n_train, "val": n_val, "test": n_test}
    sets: dict[str, CanvasSet] = {}
    for name, n in sizes.items():
        pool = _reweighted_pool(pools[name], frequencies, rng, size=max(4 * n, 1))
        sets[name] = make_canvases(pool, n, rng, p_empty)
    return CanvasSplits(**sets)


def base_rates(y_multi_hot) -> np.ndarray:
    """Fraction of examples carrying each label: float64 ``(K,)`` from 0/1 targets ``(n, K)``."""
    y = np.asarray(y_multi_hot, dtype=np.float64)
    if y.ndim != 2 or len(y) == 0:
        raise ValueError(f"y_multi_hot must be a non-empty (n, K) array, got shape {y.shape}")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("y_multi_hot must hold only 0 and 1")
    return y.mean(axis=0)


def prior_logit_bias(y_multi_hot, floor: float = 1e-4) -> np.ndarray:
    """The output bias b_k = log(pi_k / (1 - pi_k)) with pi_k the base rate of label k; float32 ``(K,)``.

    A model whose logits equal b (e.g. all weights of the last layer 0) predicts
    sigmoid(b_k) = pi_k: exactly the base rate, the best constant prediction under
    BCE. Rates are clipped to [floor, 1 - floor], so a label never (or always)
    seen gets a large finite bias instead of -inf (+inf).
    """
    if not 0.0 < floor < 0.5:
        raise ValueError(f"floor must be in (0, 0.5), got {floor}")
    pi = np.clip(base_rates(y_multi_hot), floor, 1.0 - floor)
    return np.log(pi / (1.0 - pi)).astype(np.float32)


def set_output_bias(model, bias, layer: str = "logits") -> None:
    """Set the bias of ``model``'s output Dense layer (named ``layer``) to ``bias`` ``(K,)``, in place."""
    dense = model.get_layer(layer)
    kernel, old = dense.get_weights()
    bias = np.asarray(bias, dtype=old.dtype).reshape(-1)
    if bias.shape != old.shape:
        raise ValueError(f"layer {layer!r} has {old.shape[0]} outputs but bias has {bias.shape[0]} values")
    dense.set_weights([kernel, bias])


def keras_class_weight_sample_weights(y_multi_hot, class_weight: dict[int, float]) -> np.ndarray:
    """The per-example weights Keras applies when ``fit(..., class_weight=...)`` gets targets ``y``.

    Runs one real ``fit`` step (learning rate 0, a tiny linear model) with a weighted
    metric that records the ``sample_weight`` Keras hands it, so the answer is what
    the installed Keras does, not what its documentation says. Returns float64 ``(n,)``:
    one weight per *row*, applied to every label of that row.
    """
    tf, keras = import_tensorflow_quietly()
    y = np.asarray(y_multi_hot, dtype=np.float32)
    if y.ndim != 2:
        raise ValueError(f"y_multi_hot must be (n, K), got shape {y.shape}")
    seen: list[np.ndarray] = []

    class RecordWeights(keras.metrics.Metric):
        def update_state(self, y_true, y_pred, sample_weight=None):
            n = int(y_true.shape[0])
            seen.append(np.ones(n) if sample_weight is None else np.asarray(sample_weight).reshape(n))

        def result(self):
            return tf.constant(0.0)

    inputs = keras.Input(shape=(1,))
    model = keras.Model(inputs, keras.layers.Dense(y.shape[1])(inputs))
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=0.0),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
        weighted_metrics=[RecordWeights(name="record")],
        run_eagerly=True,
    )
    model.fit(np.zeros((len(y), 1), np.float32), y, batch_size=len(y), epochs=1, shuffle=False,
              class_weight=class_weight, verbose=0)  # fmt: skip
    if not seen:
        raise RuntimeError("Keras did not pass sample weights to the metric; cannot measure class_weight")
    return np.asarray(seen[0], dtype=np.float64)
