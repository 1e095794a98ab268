"""Train the same small network with different losses and compare them fairly.

Lessons 06 and 07 put several losses side by side. Fair means: the same data,
the same architecture, the same initial weights (the seed is reset before each
model is built), the same optimiser and number of epochs; only the loss, and
the rule that turns outputs into label sets (the *decoder*), change::

    run = train_canvas_model(loss, splits.train, epochs=4)
    row = evaluate_run("BCE", run, splits.test, threshold_decoder(0.0))
    print(format_results([row], ["micro_f1", "mAP"]))

A decoder maps the model's raw outputs ``(n, D)`` to ``(scores, predictions)``,
both ``(n, K)``: scores rank labels (for mAP), predictions are 0/1.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from losslab.data.canvases import CanvasSet
from losslab.environment.runtime import import_tensorflow_quietly
from losslab.modeling.decoding import (
    decode_by_count,
    decode_relative_threshold,
    decode_threshold,
    decode_top_k,
    label_recall,
    score_label_sets,
)
from losslab.modeling.losses import partition_scores
from losslab.modeling.models import build_canvas_cnn
from losslab.modeling.training import TrainingRun, fit

__all__ = [
    "build_seeded_model",
    "count_decoder",
    "evaluate_by_label_count",
    "evaluate_run",
    "format_results",
    "make_optimizer",
    "partition_decoder",
    "relative_decoder",
    "threshold_decoder",
    "top_k_decoder",
    "train_canvas_model",
]

Decoder = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


def make_optimizer(name: str = "adam", learning_rate: float | None = None):
    """A fresh Keras optimiser by name (``"sgd"``, ``"adagrad"``, ``"adadelta"``, ``"rmsprop"``, ``"adam"``).

    ``learning_rate=None`` keeps Keras' default for that optimiser.
    """
    _, keras = import_tensorflow_quietly()
    known = {
        "sgd": keras.optimizers.SGD,
        "adagrad": keras.optimizers.Adagrad,
        "adadelta": keras.optimizers.Adadelta,
        "rmsprop": keras.optimizers.RMSprop,
        "adam": keras.optimizers.Adam,
    }
    key = name.lower()
    if key not in known:
        raise ValueError(f"unknown optimiser {name!r}; choose one of {sorted(known)}")
    return known[key]() if learning_rate is None else known[key](learning_rate=learning_rate)


def build_seeded_model(
    num_outputs: int = 10,
    filters: Sequence[int] = (8, 16),
    dense_units: int = 32,
    output_bias=None,
    seed: int = 0,
):
    """The untrained canvas CNN of :func:`train_canvas_model`: same seed, same initial weights.

    ``output_bias`` ``(num_outputs,)`` replaces the output layer's initial bias (zeros by default).
    Returns an uncompiled ``keras.Model`` mapping ``(batch, 16, 16, 1)`` to ``(batch, num_outputs)``.
    """
    _, keras = import_tensorflow_quietly()
    keras.utils.set_random_seed(seed)
    model = build_canvas_cnn(num_outputs=num_outputs, filters=tuple(filters), dense_units=dense_units)
    if output_bias is not None:
        from losslab.data.imbalance import set_output_bias

        set_output_bias(model, output_bias)
    return model


def train_canvas_model(
    loss,
    train: CanvasSet,
    *,
    num_outputs: int = 10,
    epochs: int = 4,
    optimizer: str = "adam",
    learning_rate: float | None = None,
    output_bias=None,
    filters: Sequence[int] = (8, 16),
    dense_units: int = 32,
    batch_size: int = 64,
    seed: int = 0,
    quiet: bool = True,
) -> TrainingRun:
    """Build a small canvas CNN (same initial weights for a given seed), compile with ``loss``, train.

    Args:
        loss: a Keras loss (object or function ``loss(y_true, outputs) -> (batch,)``).
        train: the training canvases; the targets are ``train.y_multi_hot`` ``(n, 10)``.
        num_outputs: width of the output layer (11 for the partition model: 10 logits + count).
        output_bias: optional initial bias of the output layer ``(num_outputs,)``.
        quiet: False prints the per-epoch table of :func:`losslab.modeling.training.fit`.

    Returns:
        The :class:`~losslab.modeling.training.TrainingRun` (``.model``, ``.history``, ``.seconds``).
    """
    model = build_seeded_model(num_outputs, filters, dense_units, output_bias, seed)
    model.compile(optimizer=make_optimizer(optimizer, learning_rate), loss=loss)
    return fit(model, train.x, train.y_multi_hot, epochs=epochs, batch_size=batch_size, quiet=quiet)


# --- decoders ----------------------------------------------------------------


def threshold_decoder(threshold: float = 0.0) -> Decoder:
    """Scores = raw outputs (logits); predicted where output > threshold (0 for sigmoid logits and ZLPR)."""

    def decode(outputs):
        return outputs, decode_threshold(outputs, threshold)

    return decode


def _softmax(outputs: np.ndarray) -> np.ndarray:
    shifted = outputs - outputs.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def top_k_decoder(k: int) -> Decoder:
    """Scores = softmax(outputs); predicted: the k most probable labels of each row."""

    def decode(outputs):
        probs = _softmax(outputs)
        return probs, decode_top_k(probs, k)

    return decode


def relative_decoder(ratio: float = 0.5) -> Decoder:
    """Scores = softmax(outputs); predicted: labels with probability >= ratio x the row's maximum."""

    def decode(outputs):
        probs = _softmax(outputs)
        return probs, decode_relative_threshold(probs, ratio)

    return decode


def count_decoder(counts) -> Decoder:
    """Scores = softmax(outputs); predicted: the top round(count) labels, with ``counts`` ``(n,)`` given.

    With the true counts this is an *oracle*: an upper bound on what any count predictor could add.
    """

    def decode(outputs):
        probs = _softmax(outputs)
        return probs, decode_by_count(probs, counts)

    return decode


def partition_decoder(count_head: str = "linear") -> Decoder:
    """For ``(n, K + 1)`` partition outputs: scores Z * P, predicted: the top round(Z) labels."""

    def decode(outputs):
        scores, counts = partition_scores(outputs, count_head)
        return scores, decode_by_count(scores, counts)

    return decode


# --- evaluation --------------------------------------------------------------


def evaluate_run(
    name: str, run: TrainingRun, test: CanvasSet, decoder: Decoder, rare_labels: Sequence[int] = ()
) -> dict:
    """Score a trained run on ``test``: micro/macro F1, subset accuracy, mAP (and rare-label recall).

    Returns a dict with ``name``, the metrics, ``labels_per_row`` (mean number of labels
    predicted per example), ``seconds`` (training wall time) and
    ``first_loss`` / ``last_loss`` (training loss after the first and last epoch).
    """
    outputs = np.asarray(run.model.predict(test.x, verbose=0, batch_size=512), dtype=np.float64)
    scores, predicted = decoder(outputs)
    row = {"name": name, **score_label_sets(test.y_multi_hot, predicted, scores)}
    row["labels_per_row"] = float(np.mean(predicted.sum(axis=1)))
    if rare_labels:
        row["rare_recall"] = label_recall(test.y_multi_hot, predicted, rare_labels)
    losses = run.history.get("loss", [np.nan])
    row.update(seconds=run.seconds, first_loss=losses[0], last_loss=losses[-1])
    return row


def evaluate_by_label_count(name: str, run: TrainingRun, test: CanvasSet, decoder: Decoder) -> list[dict]:
    """Score ``run`` separately on the test examples with 1, 2, 3, ... true labels.

    Returns one row per label count that occurs (examples without a label are
    skipped), each with ``name`` ("<name>, 2 labels"), ``labels`` (the count),
    ``examples``, ``micro_f1``, ``subset_accuracy`` and ``labels_per_row``
    (mean number of labels predicted), ready for :func:`format_results`.
    """
    from sklearn.metrics import accuracy_score, f1_score

    outputs = np.asarray(run.model.predict(test.x, verbose=0, batch_size=512), dtype=np.float64)
    _, predicted = decoder(outputs)
    y = np.asarray(test.y_multi_hot)
    counts = y.sum(axis=1).astype(int)
    rows = []
    for count in sorted(set(counts.tolist()) - {0}):
        keep = counts == count
        rows.append(
            {
                "name": f"{name}, {count} label{'s' if count > 1 else ''}",
                "labels": count,
                "examples": int(keep.sum()),
                "micro_f1": float(f1_score(y[keep], predicted[keep], average="micro", zero_division=0.0)),
                "subset_accuracy": float(accuracy_score(y[keep], predicted[keep])),
                "labels_per_row": float(predicted[keep].sum(axis=1).mean()),
            }
        )
    return rows


def format_results(rows: Sequence[dict], columns: Sequence[str], digits: int = 3) -> str:
    """A plain-text table: one line per row dict, the given metric columns rounded to ``digits``."""
    if not rows:
        raise ValueError("no rows to format")
    missing = [c for c in columns if c not in rows[0]]
    if missing:
        raise KeyError(f"unknown column(s) {missing}; rows have {sorted(rows[0])}")
    name_width = max(len("method"), *(len(str(r["name"])) for r in rows)) + 2
    widths = [max(len(c) + 2, digits + 5) for c in columns]
    lines = ["method".ljust(name_width) + "".join(c.rjust(w) for c, w in zip(columns, widths, strict=True))]
    for r in rows:
        cells = "".join(f"{float(r[c]):.{digits}f}".rjust(w) for c, w in zip(columns, widths, strict=True))
        lines.append(str(r["name"]).ljust(name_width) + cells)
    return "\n".join(lines)
