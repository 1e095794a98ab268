"""Training the same network with different losses, decoders and the results table."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from losslab.data.canvases import load_canvases
from losslab.modeling import loss_comparison as lc
from losslab.modeling.losses import partition_kl_mse_loss


@pytest.fixture(scope="module")
def splits():
    return load_canvases(n_train=256, n_val=8, n_test=64)


def test_same_seed_same_initial_weights_and_a_scored_row(splits):
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    a = lc.train_canvas_model(bce, splits.train, epochs=1, filters=(4,), dense_units=8)
    b = lc.train_canvas_model(bce, splits.train, epochs=1, filters=(4,), dense_units=8)
    assert np.allclose(a.history["loss"], b.history["loss"])
    row = lc.evaluate_run("BCE", a, splits.test, lc.threshold_decoder(0.0), rare_labels=[8, 9])
    assert {"micro_f1", "macro_f1", "subset_accuracy", "mAP", "rare_recall", "seconds"} <= set(row)
    assert 0 <= row["labels_per_row"] <= 10
    table = lc.format_results([row], ["mAP", "micro_f1"])
    assert table.splitlines()[0].split() == ["method", "mAP", "micro_f1"]


def test_partition_model_trains_and_decodes(splits):
    run = lc.train_canvas_model(partition_kl_mse_loss, splits.train, num_outputs=11, epochs=1, filters=(4,))
    row = lc.evaluate_run("partition", run, splits.test, lc.partition_decoder("linear"))
    assert 0 <= row["micro_f1"] <= 1


def test_build_seeded_model_repeats_and_takes_a_bias():
    a = lc.build_seeded_model(num_outputs=3, filters=(4,), dense_units=0, output_bias=[1.0, 2.0, 3.0])
    b = lc.build_seeded_model(num_outputs=3, filters=(4,), dense_units=0)
    assert np.allclose(a.get_layer("conv1").get_weights()[0], b.get_layer("conv1").get_weights()[0])
    assert np.allclose(a.get_layer("logits").get_weights()[1], [1.0, 2.0, 3.0])


def test_decoders_shapes():
    outputs = np.array([[2.0, 0.0, 1.9, -1.0]])
    assert lc.count_decoder([3])(outputs)[1].tolist() == [[1, 1, 1, 0]]
    assert lc.top_k_decoder(2)(outputs)[1].tolist() == [[1, 0, 1, 0]]
    assert lc.relative_decoder(0.5)(outputs)[1].tolist() == [[1, 0, 1, 0]]
    scores, pred = lc.partition_decoder("poisson")(np.array([[1.0, 1.0, 0.0, np.log(2.0)]]))
    assert np.isclose(scores.sum(), 2.0) and pred.tolist() == [[1, 1, 0]]


def test_make_optimizer_and_errors():
    assert lc.make_optimizer("adadelta", 1.0).learning_rate.numpy() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="unknown optimiser"):
        lc.make_optimizer("lbfgs")
    with pytest.raises(KeyError, match="unknown column"):
        lc.format_results([{"name": "x", "a": 1.0}], ["b"])


def test_evaluate_by_label_count_one_row_per_count(splits):
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    run = lc.train_canvas_model(bce, splits.train, epochs=1, filters=(4,), dense_units=8)
    rows = lc.evaluate_by_label_count("BCE", run, splits.test, lc.threshold_decoder(0.0))
    counts = splits.test.y_multi_hot.sum(axis=1).astype(int)
    assert [row["labels"] for row in rows] == sorted(set(counts.tolist()) - {0})
    assert sum(row["examples"] for row in rows) == int((counts > 0).sum())
    assert rows[0]["name"] == f"BCE, {rows[0]['labels']} label" + ("s" if rows[0]["labels"] > 1 else "")
    assert all(0 <= row["micro_f1"] <= 1 and 0 <= row["subset_accuracy"] <= 1 for row in rows)
