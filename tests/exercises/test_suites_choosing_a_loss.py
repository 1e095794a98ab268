"""Tests for losslab.exercises.suites.choosing_a_loss: right answers pass, typical mistakes get named.

The metric-bar check is exercised with stand-in "models" that need no training (they
look the answers up or decode badly on purpose); the real training is run by the
generic solution tests.
"""

import keras
import numpy as np
import pytest
from sklearn.metrics import precision_recall_curve

from losslab.data.digit_grids import load_digit_grids
from losslab.exercises.checks import run_checks
from losslab.exercises.suites.choosing_a_loss import CHECKS, EXERCISE, best_f1_per_label


def _checks(target, self_only=False):
    return [c for c in CHECKS if c.target == target and (c.self_check or not self_only)]


def good_thresholds(y_true, scores):
    y_true, scores = np.asarray(y_true), np.asarray(scores, dtype=np.float64)
    if y_true.shape != scores.shape or not np.isin(y_true, [0, 1]).all():
        raise ValueError("bad input")
    out = np.empty(y_true.shape[1])
    for k in range(y_true.shape[1]):
        if y_true[:, k].sum() == 0:
            out[k] = scores[:, k].max() + 1
            continue
        p, r, t = precision_recall_curve(y_true[:, k], scores[:, k])
        out[k] = t[np.argmax(2 * p[:-1] * r[:-1] / np.maximum(p[:-1] + r[:-1], 1e-12))]
    return out


def _messages(results):
    return "\n".join(r.message for r in results if not r.passed)


def test_exercise_name():
    assert EXERCISE == "09_choosing_a_loss"


def test_good_thresholds_pass_every_check():
    results = run_checks(_checks("tune_thresholds"), {"tune_thresholds": good_thresholds})
    assert all(r.passed for r in results), _messages(results)


def test_one_global_threshold_is_named():
    def one_threshold(y_true, scores):
        return np.full(np.shape(y_true)[1], 0.5)

    results = run_checks(_checks("tune_thresholds", self_only=True), {"tune_thresholds": one_threshold})
    assert not results[0].passed
    assert "same threshold" in results[0].message


def test_a_scalar_threshold_is_named():
    results = run_checks(_checks("tune_thresholds")[:1], {"tune_thresholds": lambda y, s: 0.5})
    assert "one threshold per label" in results[0].message


def test_thresholds_searched_only_in_0_1_fail_on_logits():
    def probability_grid(y_true, scores):
        y_true, scores = np.asarray(y_true), np.asarray(scores)
        if not np.isin(y_true, [0, 1]).all() or y_true.shape != scores.shape:
            raise ValueError("bad input")
        grid = np.linspace(0.01, 0.99, 99)
        best = [max(grid, key=lambda t, k=k: best_f1_for(y_true[:, k], scores[:, k], t)) for k in range(3)]
        return np.array(best)

    def best_f1_for(y, s, t):
        from sklearn.metrics import f1_score

        return f1_score(y, s >= t, zero_division=0.0)

    by_name = {c.name: c for c in CHECKS}
    [result] = run_checks(
        [by_name["works on logits as well as probabilities"]], {"tune_thresholds": probability_grid}
    )
    assert not result.passed
    assert "logits" in result.message


def test_missing_validation_is_named():
    def no_validation(y_true, scores):
        return good_thresholds(np.clip(y_true, 0, 1), scores[: len(y_true)])

    results = run_checks(_checks("tune_thresholds"), {"tune_thresholds": no_validation})
    assert any("expected ValueError" in r.message for r in results)


def test_best_f1_per_label_is_one_for_separable_scores():
    y = np.array([[1, 0], [0, 1], [1, 0], [0, 0]])
    s = np.array([[0.9, 0.2], [0.1, 0.8], [0.7, 0.1], [0.2, 0.3]])
    np.testing.assert_allclose(best_f1_per_label(y, s), [1.0, 1.0])


# --- fit_multilabel, with stand-ins that need no training ------------------------------
# Each stand-in "model" looks the grids up in the data and returns scores built from the
# true labels, so its figures (and the diagnosis) are known without training.


@pytest.fixture(scope="module")
def grids():
    return load_digit_grids()


def _stand_in(grids, make_scores, thresholds, seed=0):
    """A fit_multilabel whose scores_fn gives make_scores(y, rng) for the validation and test grids."""
    rng = np.random.default_rng(seed)
    table = {}
    for split in (grids.val, grids.test):
        scores = make_scores(split.y, rng)
        table[split.x.tobytes()] = scores
        table[split.x[:1].tobytes()] = scores[:1]

    def fit_multilabel(x_train, y_train, x_val, y_val, seed=0):
        keras.utils.set_random_seed(seed)
        return (lambda x: table[np.asarray(x).tobytes()]), np.asarray(thresholds, dtype=float)

    return fit_multilabel


def _run_fit(fit):
    return run_checks(_checks("fit_multilabel"), {"fit_multilabel": fit})


def test_an_oracle_passes_the_bar(grids, capsys):
    oracle = _stand_in(grids, lambda y, rng: y.astype(float), np.full(10, 0.5))
    results = _run_fit(oracle)
    assert all(r.passed for r in results), _messages(results)
    out = capsys.readouterr().out
    assert "micro-F1 1.000" in out and "note:" not in out


def test_good_scores_with_one_global_threshold_are_diagnosed_as_thresholds(grids):
    # every positive scores 0.40-0.49, every negative below 0.1: a perfect ranking that 0.5 never crosses
    shy = _stand_in(grids, lambda y, rng: 0.4 * y + 0.09 * rng.random(y.shape), np.full(10, 0.5))
    message = _run_fit(shy)[0].message
    assert "The cause is the thresholds" in message
    assert "one threshold (0.5) for every label" in message
    assert "weakest labels: digit" in message


def _softmax_rows(y, rng):
    logits = 0.5 * y + rng.normal(size=y.shape)
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


def test_softmax_scores_are_diagnosed_as_the_loss(grids):
    softmax = _stand_in(grids, _softmax_rows, np.full(10, 0.1))
    assert "The cause is the loss" in _run_fit(softmax)[0].message


def test_a_softmax_in_the_code_is_diagnosed_as_the_loss_even_when_logits_come_back(grids):
    scores = _stand_in(grids, lambda y, rng: 0.5 * y + rng.normal(size=y.shape), np.zeros(10))

    def fit_multilabel(x_train, y_train, x_val, y_val, seed=0):
        keras.utils.set_random_seed(seed)
        activation = "softmax"  # noqa: F841 - what the diagnosis reads
        return scores(x_train, y_train, x_val, y_val, seed)

    assert "The cause is the loss" in _run_fit(fit_multilabel)[0].message


def test_a_weak_ranking_is_diagnosed_as_the_model(grids):
    weak = _stand_in(grids, lambda y, rng: 0.5 * y + rng.normal(size=y.shape), np.zeros(10))
    message = _run_fit(weak)[0].message
    assert "The cause is the model" in message and "mean average precision" in message


def test_a_fit_without_the_seed_line_is_noted(grids, capsys):
    scores = _stand_in(grids, lambda y, rng: y.astype(float), np.full(10, 0.5))

    def fit_multilabel(x_train, y_train, x_val, y_val, seed=0):
        return scores(x_train, y_train, x_val, y_val)

    assert _run_fit(fit_multilabel)[0].passed
    assert "does not call keras.utils.set_random_seed(seed)" in capsys.readouterr().out


@pytest.mark.parametrize(
    "fit, words",
    [
        (lambda x_train, y_train, x_val, y_val: None, "must take seed="),
        (lambda x_train, y_train, x_val, y_val, seed=0: lambda x: x, "return two things"),
        (lambda *a, seed=0: (np.zeros(10), np.zeros(10)), "make it a function of the grids"),
        (lambda *a, seed=0: ((lambda x: np.zeros((len(x), 10))), 0.5), "return ten numbers"),
        (lambda *a, seed=0: ((lambda x: np.zeros((len(x), 3))), np.zeros(10)), "expected (2000, 10)"),
        (lambda *a, seed=0: ((lambda x: np.full((len(x), 10), np.nan)), np.zeros(10)), "finite numbers"),
    ],
)
def test_contract_mistakes_are_named(fit, words):
    assert words in _run_fit(fit)[0].message


def test_a_keras_model_instead_of_a_function_is_named():
    import keras

    model = keras.Sequential([keras.Input((24, 24, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
    message = _run_fit(lambda *a, seed=0: (model, np.zeros(10)))[0].message
    assert "lambda x: model.predict(x, verbose=0)" in message


def test_squeezed_batch_of_one_is_named(grids):
    good = _stand_in(grids, lambda y, rng: y.astype(float), np.full(10, 0.5))

    def fit_multilabel(x_train, y_train, x_val, y_val, seed=0):
        keras.utils.set_random_seed(seed)
        scores_fn, thresholds = good(x_train, y_train, x_val, y_val, seed)
        return (lambda x: np.squeeze(scores_fn(x))), thresholds

    results = _run_fit(fit_multilabel)
    assert results[0].passed and not results[1].passed
    assert "batch of one" in results[1].message


def test_stub_is_reported_as_not_implemented():
    def stub(x_train, y_train, x_val, y_val, seed=0):
        raise NotImplementedError

    assert "not implemented yet" in _run_fit(stub)[0].message
