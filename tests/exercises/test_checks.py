"""The check engine shared by self-checks and the grader."""

import numpy as np
import pytest

from losslab.exercises.checks import (
    Check,
    CheckFailed,
    Mistake,
    as_array,
    check,
    expect_close,
    expect_equal_arrays,
    expect_raises,
    format_report,
    run_checks,
    run_one,
)


def _fails(fn):
    return run_one(Check("f", "demo", fn), None)


def test_every_way_of_failing_becomes_a_message():
    def not_done(_):
        raise NotImplementedError

    def mistake(_):
        raise Mistake("your loss is inf at logit 100")

    def crash(_):
        return 1 / 0

    assert "not implemented yet" in _fails(not_done).message
    assert _fails(mistake).message == "your loss is inf at logit 100"
    crashed = _fails(crash)
    assert not crashed.passed and "ZeroDivisionError" in crashed.message and "line" in crashed.message
    assert run_one(Check("f", "ok", lambda _: None), None).passed


def test_missing_target_is_reported_not_raised():
    [result] = run_checks([Check("to_one_hot", "x", lambda fn: None)], {})
    assert not result.passed and "not defined" in result.message


def test_report_lists_each_check_and_a_total():
    results = run_checks(
        [Check("f", "good", lambda fn: None), Check("f", "bad", lambda fn: fn())],
        {"f": lambda: (_ for _ in ()).throw(Mistake("wrong axis"))},
    )
    report = format_report(results)
    assert "✔ f: good" in report and "✘ f: bad" in report and "    wrong axis" in report
    assert report.endswith("1 of 2 checks passed.")


def test_check_on_a_correct_function_prints_and_returns(capsys):
    def to_one_hot(labels, num_classes):
        labels = np.asarray(labels)
        if labels.ndim != 1 or (labels.size and not np.issubdtype(labels.dtype, np.integer)):
            raise ValueError("bad labels")
        if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
            raise ValueError("bad labels")
        return np.eye(num_classes, dtype=np.float32)[labels]

    check(to_one_hot)
    assert "checks passed" in capsys.readouterr().out


def test_partial_credit_earns_its_fraction():
    from losslab.exercises.checks import Check, PartialCredit, format_report, run_checks

    def three_of_five(obj):
        raise PartialCredit("3 of 5 tasks right", 3 / 5)

    (result,) = run_checks([Check("f", "five tasks", three_of_five, points=5)], {"f": None})
    assert not result.passed and result.points == 3 and result.earned == pytest.approx(0.6)
    assert "(3 of 5 points)" in format_report([result])


def test_errors_of_the_learners_code_are_explained():
    import tensorflow as tf

    from losslab.exercises.checks import Check, run_checks

    def mixes_dtypes(fn):
        fn()

    def learner():
        return tf.constant([1.0], tf.float64) + tf.constant([1.0])

    (result,) = run_checks([Check("f", "adds", mixes_dtypes)], {"f": learner})
    assert "mixes dtypes" in result.message and "tf.cast" in result.message
    assert "{{" not in result.message and "[Op:" not in result.message


def test_check_on_a_wrong_function_raises_a_clean_failure(capsys):
    def to_one_hot(labels, num_classes):
        return np.eye(num_classes, dtype=np.float32)[np.asarray(labels)].T

    with pytest.raises(CheckFailed) as info:
        check(to_one_hot)
    assert "rows and columns are swapped" in capsys.readouterr().out
    assert info.value._render_traceback_() == [str(info.value)]  # IPython shows no traceback


def test_check_needs_named_things():
    with pytest.raises(TypeError, match="needs something"):
        check()
    with pytest.raises(TypeError, match="by keyword"):
        check(42)
    with pytest.raises(KeyError, match="no self-checks"):
        check(not_an_exercise_function=len)


def test_assertion_helpers_name_the_problem():
    with pytest.raises(Mistake, match="None: did you forget `return`"):
        as_array(None)
    with pytest.raises(Mistake, match=r"shape \(2,\), expected \(3,\)"):
        expect_close([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(Mistake, match="contains NaN"):
        expect_close([np.nan, 1.0], [0.0, 1.0])
    with pytest.raises(Mistake, match="contains inf"):
        expect_close([np.inf, 1.0], [0.0, 1.0])
    with pytest.raises(Mistake, match=r"at index \(1,\) got 2.5"):
        expect_close([1.0, 2.5], [1.0, 2.0])
    with pytest.raises(Mistake, match=r"first at index \(0, 1\)"):
        expect_equal_arrays(np.array([[1, 0]]), np.array([[1, 1]]))
    expect_close(np.float32([1.0, 2.0]), [1.0, 2.0 + 1e-9])


def test_expect_raises():
    expect_raises(lambda: int("x"), ValueError, "text")
    with pytest.raises(Mistake, match="nothing was raised"):
        expect_raises(lambda: 1, ValueError, "a negative label")
    with pytest.raises(Mistake, match="got KeyError"):
        expect_raises(lambda: {}["k"], ValueError, "a negative label")
    with pytest.raises(NotImplementedError):
        expect_raises(lambda: (_ for _ in ()).throw(NotImplementedError), ValueError, "stub")
