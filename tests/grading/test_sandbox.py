"""The sandbox: learner code runs confined in a worker; the checks run here, on data only."""

from __future__ import annotations

import importlib
import inspect
import os
import shutil
import socket
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from losslab.exercises.checks import Check, Mistake, expect_raises
from losslab.exercises.nbtools import NotebookError
from losslab.grading.sandbox import Limits, grade_notebook, notebook_cells, protected_paths

LIMITS = Limits(timeout=5.0, memory_mb=400)
IMPORTS = "from losslab.environment.runtime import setup_notebook\n\nsetup_notebook()\n\nimport numpy as np\nimport tensorflow as tf"


def _notebook(tmp_path: Path, *solution_cells: str, name: str = "01_x.ipynb", imports: str = IMPORTS) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("# An exercise"))
    nb.cells.append(nbformat.v4.new_code_cell(imports, metadata={"tags": ["imports"]}))
    for source in solution_cells:
        nb.cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": ["solution"]}))
        nb.cells.append(nbformat.v4.new_code_cell("check(f)", metadata={"tags": ["check"]}))
    path = tmp_path / "learner" / name
    path.parent.mkdir(exist_ok=True)
    nbformat.write(nb, path)
    return path


def _double_ok(fn):
    got = np.asarray(fn([1.0, 2.0]))
    if got.shape != (2,) or not np.array_equal(got, [2.0, 4.0]):
        raise Mistake(f"double([1, 2]) gave {got!r}")


def _returns(*values):
    def test(fn):
        got = fn()
        if not isinstance(got, str) or got not in values:
            raise Mistake(f"got {got!r}")

    return test


def _grade(path, *checks, limits=LIMITS, protected=()):
    outcome = grade_notebook(path, list(checks), limits, protected)
    return [r.passed for r in outcome.results], [r.message for r in outcome.results], outcome


def test_a_correct_function_passes_and_limits_are_reported(tmp_path):
    path = _notebook(tmp_path, "def double(x):\n    return tf.constant(x) * 2")
    passed, messages, outcome = _grade(path, Check("double", "doubles", _double_ok))
    assert passed == [True], messages
    assert outcome.problems == []
    assert set(outcome.confinement) == {"sandbox", "cgroups", "network", "resources", "files", "privileges"}
    if shutil.which("bwrap") and sys.platform == "linux":  # CI installs bubblewrap: the confined path
        assert outcome.confinement["sandbox"].startswith("bubblewrap"), outcome.confinement
        if os.geteuid() == 0:
            assert outcome.confinement["privileges"] == "unprivileged user 65534"
            assert outcome.confinement["cgroups"].startswith("memory"), outcome.confinement


def test_results_are_judged_here_so_patching_numpy_or_equality_does_not_help(tmp_path):
    patch = "np.array_equal = lambda *a, **k: True\nnp.asarray = lambda *a, **k: np.zeros(2)\n"
    path = _notebook(
        tmp_path,
        patch + "def double(x):\n    return [0.0, 0.0]",
        "class Yes:\n    def __eq__(self, other):\n        return True\n\n\ndef triple(x):\n    return Yes()",
    )
    passed, messages, _ = _grade(
        path, Check("double", "doubles", _double_ok), Check("triple", "doubles too", _double_ok)
    )
    assert passed == [False, False]
    assert "gave array([0., 0.])" in messages[0]


def test_a_hang_or_a_crash_costs_only_its_own_check(tmp_path):
    path = _notebook(
        tmp_path,
        "import os\n\n\ndef spin():\n    while True:\n        pass",
        "def die():\n    os._exit(1)",
        "def hello():\n    return 'hi'",
    )
    passed, messages, _ = _grade(
        path,
        Check("spin", "returns", _returns("hi")),
        Check("hello", "says hi", _returns("hi")),
        Check("die", "returns", _returns("hi")),
        Check("hello", "still says hi", _returns("hi")),
    )
    assert passed == [False, True, False, True]
    assert "did not finish in time" in messages[0]
    assert "ended its process" in messages[2]


def test_memory_blowup_is_stopped(tmp_path):
    path = _notebook(
        tmp_path, "def hog():\n    keep = []\n    while True:\n        keep.append(np.ones(10**7))"
    )
    passed, messages, _ = _grade(path, Check("hog", "returns", _returns("hi")))
    assert passed == [False]
    assert "memory" in messages[0].lower()


def test_cells_that_hang_or_exit_are_skipped_and_the_rest_still_runs(tmp_path):
    path = _notebook(
        tmp_path,
        "while True:\n    pass",
        "import sys\n\n\ndef hello():\n    return 'hi'\n\n\nsys.exit(3)",
        "def f(:\n    pass",
    )
    passed, _, outcome = _grade(path, Check("hello", "says hi", _returns("hi")), limits=Limits(timeout=3.0))
    assert passed == [True]
    assert len(outcome.problems) == 3
    assert "did not finish in time" in outcome.problems[0]
    assert "SystemExit" in outcome.problems[1] and "`hello`" in outcome.problems[1]
    assert "SyntaxError" in outcome.problems[2] and "`f`" in outcome.problems[2]


def test_learner_code_cannot_read_or_write_outside_its_scratch_folder(tmp_path):
    secret = tmp_path / "tests" / "secret_test.py"
    secret.parent.mkdir()
    secret.write_text("ANSWER = 42")
    elsewhere = tmp_path / "other_learner.txt"
    elsewhere.write_text("mine")
    probe = f"""
def attempt(action):
    try:
        action()
        return "allowed"
    except OSError as exc:
        return type(exc).__name__


def read_secret():
    return attempt(lambda: open({str(secret)!r}).read())


def read_suites():
    import losslab
    from pathlib import Path

    return attempt(lambda: (Path(losslab.__file__).parent / "exercises" / "suites" / "label_encodings.py").read_text())


def write_elsewhere():
    return attempt(lambda: open({str(elsewhere)!r}, "w").write("gone"))


def write_here():
    return attempt(lambda: open("notes.txt", "w").write("fine"))
"""
    path = _notebook(tmp_path, probe)
    passed, messages, outcome = _grade(
        path,
        # denied by Landlock, or not there at all in the bubblewrap sandbox
        Check("read_secret", "cannot read the tests", _returns("PermissionError", "FileNotFoundError")),
        Check("read_suites", "cannot read the suites", _returns("PermissionError", "FileNotFoundError")),
        Check(
            "write_elsewhere", "cannot write other files", _returns("PermissionError", "FileNotFoundError")
        ),
        Check("write_here", "may write in its folder", _returns("allowed")),
        protected=[str(secret.parent)],
    )
    if not outcome.confinement.get("files"):
        pytest.skip("this kernel has no Landlock: files cannot be confined")
    assert passed == [True, True, True, True], messages
    assert elsewhere.read_text() == "mine"
    assert str(Path(importlib.import_module("losslab.exercises.suites").__file__).parent) in protected_paths()


def test_no_network(tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    probe = (
        "import socket\n\n\ndef connect():\n    try:\n"
        f"        socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
        "        return 'connected'\n    except OSError:\n        return 'blocked'"
    )
    try:
        passed, messages, outcome = _grade(
            _notebook(tmp_path, probe), Check("connect", "no network", _returns("blocked"))
        )
    finally:
        server.close()
    if not outcome.confinement.get("network") and "tcp" not in outcome.confinement.get("files", ""):
        pytest.skip("this system allows neither network namespaces nor Landlock's TCP rules")
    assert passed == [True], messages


def test_gradients_exceptions_and_signatures_cross_the_boundary(tmp_path, tf):
    source = (
        "def softplus(x, axis=-1):\n"
        "    x = tf.convert_to_tensor(x)\n"
        "    if x.dtype.is_integer:\n"
        "        raise ValueError('give floats')\n"
        "    return tf.math.log1p(tf.exp(x))"
    )

    def gradient(fn):
        x = tf.Variable(np.array([-2.0, 0.5, 3.0]))
        with tf.GradientTape() as tape:
            total = tf.reduce_sum(fn(x) * tf.constant([1.0, 2.0, 3.0], tf.float64))
        grad = tape.gradient(total, x)
        want = np.array([1.0, 2.0, 3.0]) / (1 + np.exp(-x.numpy()))
        if grad is None or not np.allclose(grad.numpy(), want):
            raise Mistake(f"gradient {grad}")

    def refuses(fn):
        expect_raises(lambda: fn(np.array([1, 2])), ValueError, "integer input")

    def signature(fn):
        assert inspect.signature(fn).parameters["axis"].default == -1

    def returns_tensor(fn):
        out = fn(np.float32(1.0))
        assert tf.is_tensor(out) and out.dtype == tf.float32 and out.shape == ()

    passed, messages, _ = _grade(
        _notebook(tmp_path, source),
        Check("softplus", "gradient", gradient),
        Check("softplus", "refuses ints", refuses),
        Check("softplus", "signature", signature),
        Check("softplus", "tensor", returns_tensor),
    )
    assert passed == [True, True, True, True], messages


def test_unreadable_or_untagged_notebooks(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json")
    passed, _, outcome = _grade(bad, Check("double", "doubles", _double_ok))
    assert passed == [False] and "not valid notebook JSON" in outcome.problems[0]
    assert str(tmp_path) not in outcome.problems[0]
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import numpy as np\n\n\ndef double(x):\n    return np.asarray(x) * 2")
    ]
    nb.cells.append(nbformat.v4.new_code_cell("check(double)"))
    untagged = tmp_path / "untagged.ipynb"
    nbformat.write(nb, untagged)
    cells, note = notebook_cells(untagged)
    assert len(cells) == 1 and "lost their tags" in note
    passed, _, outcome = _grade(untagged, Check("double", "doubles", _double_ok))
    assert passed == [True] and "lost their tags" in outcome.problems[0]
    empty = tmp_path / "empty.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), empty)
    with pytest.raises(NotebookError):
        notebook_cells(empty)


def test_functions_returned_by_learner_functions_can_be_called(tmp_path):
    source = (
        "def fit(offset):\n    def predict(x):\n        return np.asarray(x) + offset\n\n    return predict"
    )

    def check_fit(fn):
        predict = fn(10)
        assert callable(predict) and predict.__name__ == "predict"
        assert predict([1, 2]).tolist() == [11, 12]

    passed, messages, _ = _grade(_notebook(tmp_path, source), Check("fit", "returns a predictor", check_fit))
    assert passed == [True], messages


def test_checks_can_read_the_code_of_learner_functions(tmp_path):
    from losslab.exercises.tensor_checks import names_used

    source = (
        "def wrapped(x):\n    return tf.nn.softmax(x)\n\n\n"
        "def make():\n    def inner(x):\n        return tf.math.log(x)\n\n    return inner\n\n\n"
        "alias = wrapped\n\n\n"
        "sm = getattr(tf.nn, 'softmax')\n\n\n"
        "def uses_alias(x):\n    return sm(x)\n\n\n"
        "def _helper(x):\n    return tf.nn.softmax(x)\n\n\n"
        "def uses_helper(x):\n    return _helper(x)"
    )

    def uses(name, fn_of):
        def test(fn):
            attributes, _ = names_used(fn_of(fn))
            assert name in attributes, attributes

        return test

    def unreadable(fn):
        assert names_used(fn()) == (set(), set())  # a returned function: the grader has no source for it

    passed, messages, _ = _grade(
        _notebook(tmp_path, source),
        Check("wrapped", "calls softmax", uses("softmax", lambda fn: fn)),
        Check("alias", "an alias too", uses("softmax", lambda fn: fn)),
        Check("uses_alias", "a module-level getattr alias", uses("softmax", lambda fn: fn)),
        Check("uses_helper", "through a helper", uses("softmax", lambda fn: fn)),
        Check("make", "the returned function cannot be read", unreadable),
    )
    assert passed == [True] * 5, messages


def test_code_rewriting_is_refused_not_trusted(tmp_path):
    from losslab.exercises.tensor_checks import expect_from_scratch

    clean = "def softmax(x):\n    e = tf.exp(x - tf.reduce_max(x, -1, keepdims=True))\n    return e / tf.reduce_sum(e, -1, keepdims=True)\n"
    rewrite = clean + "\n\nsoftmax.__code__ = (lambda x: tf.nn.softmax(x)).__code__\n"
    dynamic = clean + "\n\nname = 'soft' + 'max'\nsm = getattr(tf.nn, name)\n"

    def from_scratch(fn):
        expect_from_scratch(fn, {"softmax"}, "softmax")

    for source, expected in ((clean, True), (rewrite, False), (dynamic, False)):
        folder = tmp_path / str(len(source))
        folder.mkdir()
        passed, messages, _ = _grade(_notebook(folder, source), Check("softmax", "scratch", from_scratch))
        assert passed == [expected], messages
        if not expected:
            assert "cannot tell" in messages[0], messages


def test_keras_models_are_rebuilt_here_from_config_and_weights(tmp_path, tf):
    import keras

    source = (
        "import keras\n\n\n"
        "def train():\n"
        "    inputs = keras.Input((3,))\n"
        "    model = keras.Model(inputs, keras.layers.Dense(2, kernel_initializer='ones')(inputs))\n"
        "    model.compile(optimizer='adam', loss='mse', metrics=['accuracy'])\n"
        "    model.fit(np.ones((4, 3)), np.zeros((4, 2)), epochs=1, verbose=0)\n"
        "    return model\n\n\n"
        "class Custom(keras.Model):\n"
        "    def call(self, x):\n"
        "        return x\n\n\n"
        "def custom():\n"
        "    return Custom()"
    )

    def rebuilt(fn):
        model = fn()
        assert isinstance(model, keras.Model) and model.compiled
        weights = model.get_weights()[0]
        assert weights.shape == (3, 2) and not np.allclose(weights, 1.0)  # trained, not re-initialised
        assert np.allclose(model(np.ones((1, 3))), np.ones((1, 3)) @ weights + model.get_weights()[1])
        names = [
            type(m).__name__ for metric in model.metrics for m in (getattr(metric, "metrics", None) or [])
        ]
        assert names == ["CategoricalAccuracy"], names  # what 'accuracy' became for the learner

    def refused(fn):
        model = fn()
        assert not isinstance(model, keras.Model) and "Keras model" in repr(model)

    passed, messages, _ = _grade(
        _notebook(tmp_path, source), Check("train", "rebuilt", rebuilt), Check("custom", "refused", refused)
    )
    assert passed == [True, True], messages
