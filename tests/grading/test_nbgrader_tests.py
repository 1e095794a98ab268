"""Tests for losslab.grading.nbgrader_tests: the in-kernel runner behind the exported hidden test cells."""

from losslab.exercises.registry import suite_for_exercise
from losslab.grading.nbgrader_tests import checks_for, points_for, total_points


def test_checks_for_takes_self_and_grading_only_checks():
    checks = checks_for("softmax")
    assert checks == [c for c in suite_for_exercise("02_softmax_crossentropy") if c.target == "softmax"]
    assert any(not c.self_check for c in checks) and any(c.self_check for c in checks)
    assert total_points("softmax") == sum(c.points for c in checks)


def test_points_for_runs_every_check_in_the_kernel(capsys):
    namespace = {}
    exec(
        "import numpy as np\ndef to_one_hot(labels, num_classes):\n    return np.eye(num_classes)[labels]",
        namespace,
    )
    points = points_for("to_one_hot", namespace)
    report = capsys.readouterr().out
    assert 0 < points < total_points("to_one_hot"), "float64 output: some checks pass, the dtype check fails"
    assert "returns float32" in report and "✘" in report
    assert points_for("to_one_hot", {}) == 0


def test_stderr_of_learner_code_stays_out_of_the_cell_output(capsys):
    namespace = {}
    exec(
        "import sys, numpy as np\n"
        "def to_one_hot(labels, num_classes):\n"
        "    print('debug', file=sys.stderr)\n"
        "    return np.eye(num_classes, dtype=np.float32)[np.asarray(labels)]",
        namespace,
    )
    points_for("to_one_hot", namespace)
    captured = capsys.readouterr()
    assert captured.err == "" and "debug" in captured.out
