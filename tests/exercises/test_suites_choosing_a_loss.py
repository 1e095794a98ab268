"""Tests for losslab.exercises.suites.choosing_a_loss: right answers pass, typical mistakes get named.

The metric-bar check is exercised with stand-in "models" that need no training (they
look the answers up or decode badly on purpose); the real training is run by the
generic solution tests.
"""

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


@pytest.fixture(scope="module")
def test_grids():
    return load_digit_grids().test


def _run_fit(fit):
    return run_checks(_checks("fit_multilabel"), {"fit_multilabel": fit})


def test_an_oracle_passes_the_bar(test_grids, capsys):
    answers = {test_grids.x.tobytes(): test_grids.y, test_grids.x[:1].tobytes(): test_grids.y[:1]}

    def oracle(x_train, y_train, x_val, y_val):
        return lambda x: answers[np.asarray(x).tobytes()].astype(int)

    results = _run_fit(oracle)
    assert all(r.passed for r in results), _messages(results)
    assert "micro-F1 1.00" in capsys.readouterr().out


def test_argmax_decoding_is_named(test_grids):
    def argmax(x_train, y_train, x_val, y_val):
        return lambda x: np.eye(10, dtype=int)[np.zeros(len(x), dtype=int)]

    assert "argmax" in _run_fit(argmax)[0].message


def test_predicting_nothing_is_named():
    def nothing(x_train, y_train, x_val, y_val):
        return lambda x: np.zeros((len(x), 10), dtype=int)

    assert "predicts no label at all" in _run_fit(nothing)[0].message


def test_probabilities_instead_of_labels_are_named():
    def probabilities(x_train, y_train, x_val, y_val):
        return lambda x: np.full((len(x), 10), 0.3)

    assert "return 0/1 labels" in _run_fit(probabilities)[0].message


def test_a_model_instead_of_a_function_is_named():
    assert "return a function predict(x)" in _run_fit(lambda *a: 42)[0].message


def test_missed_rare_labels_fail_the_macro_bar_with_advice(test_grids):
    truth = test_grids.y.astype(int)

    def rare_blind(x_train, y_train, x_val, y_val):
        def predict(x):
            pred = truth.copy()[: len(x)]
            pred[:, 5:] = 0  # never finds the five rarest digits
            return pred

        return predict

    message = _run_fit(rare_blind)[0].message
    assert "macro-F1 0.500" in message
    assert "weakest labels: digit" in message
    assert "Recall is much lower than precision" in message


def test_stub_is_reported_as_not_implemented():
    def stub(x_train, y_train, x_val, y_val):
        raise NotImplementedError

    assert "not implemented yet" in _run_fit(stub)[0].message
