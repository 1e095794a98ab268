"""Tests for losslab.modeling.training: the per-epoch table, determinism, clear errors."""

import numpy as np
import pytest

from losslab.environment.runtime import import_tensorflow_quietly, set_seeds
from losslab.modeling.models import build_dense_classifier
from losslab.modeling.training import EpochTable, fit, format_number

_, keras = import_tensorflow_quietly()


def _toy(seed=0, n=64):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    y = (x[:, :2] > 0).astype(np.float32)  # two labels, each a sign of one feature
    return x, y


def _trained(capsys, epochs=3, **kwargs):
    set_seeds(1)
    x, y = _toy()
    model = build_dense_classifier(4, 2, hidden_units=(8,))
    model.compile(
        optimizer=keras.optimizers.Adam(0.05), loss=keras.losses.BinaryCrossentropy(from_logits=True)
    )
    run = fit(model, x, y, epochs=epochs, batch_size=16, validation_data=(x, y), **kwargs)
    return run, capsys.readouterr().out


def test_format_number():
    assert format_number(0.123456) == "0.1235"
    assert format_number(12345.6) == "1.235e+04"
    assert format_number(float("nan")) == "nan"
    assert format_number(float("inf")) == "inf"


def test_fit_prints_one_row_per_epoch_and_learns(capsys):
    run, out = _trained(capsys, epochs=4)
    lines = out.strip().splitlines()
    assert lines[0].split() == ["epoch", "loss", "val_loss"]
    assert [line.split()[0] for line in lines[1:]] == ["1", "2", "3", "4"]
    assert len(run.history["loss"]) == 4
    assert run.final("loss") < run.history["loss"][0]
    assert run.seconds > 0
    with pytest.raises(KeyError, match="available"):
        run.final("accuracy")


def test_fit_is_repeatable_after_seeding(capsys):
    _, first = _trained(capsys)
    _, second = _trained(capsys)
    assert first == second


def test_every_and_quiet(capsys):
    _, out = _trained(capsys, epochs=5, every=2)
    assert [line.split()[0] for line in out.strip().splitlines()[1:]] == ["2", "4", "5"]
    run, out = _trained(capsys, quiet=True)
    assert out == ""
    assert len(run.history["loss"]) == 3


def test_fit_rejects_bad_input():
    x, y = _toy()
    model = build_dense_classifier(4, 2)
    with pytest.raises(ValueError, match="not compiled"):
        fit(model, x, y, epochs=1)
    model.compile(optimizer="adam", loss="mse")
    with pytest.raises(ValueError, match="must match"):
        fit(model, x, y[:10], epochs=1)
    with pytest.raises(ValueError, match="epochs"):
        fit(model, x, y, epochs=0)
    with pytest.raises(TypeError, match="keras.Model"):
        fit("model", x, y, epochs=1)
    with pytest.raises(ValueError, match="every"):
        EpochTable(every=0)


def test_sample_weight_is_passed_on(capsys):
    set_seeds(1)
    x, y = _toy()
    model = build_dense_classifier(4, 2)
    model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True))
    weighted = fit(model, x, y, epochs=1, quiet=True, shuffle=False, sample_weight=np.zeros(len(x)))
    assert weighted.history["loss"][0] == 0.0
