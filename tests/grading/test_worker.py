"""The worker side of the sandbox: how a learner's exception is described to the grader."""

from __future__ import annotations

from losslab.grading.worker import error_info


def _raise_in_cell(source: str, index: int = 2) -> BaseException:
    try:
        exec(compile(source, f"<graded cell {index}>", "exec"), {})
    except BaseException as exc:  # noqa: BLE001 - SystemExit included on purpose
        return exc
    raise AssertionError("the source did not raise")


def test_error_info_names_the_learners_line_and_function():
    exc = _raise_in_cell("def f(x):\n    return x[0]\n\nf([])")
    info = error_info(exc)
    assert info["type"] == "IndexError" and info["line"] == 2 and info["func"] == "f" and info["cell"] == "2"
    assert ["builtins", "LookupError"] in info["mro"]


def test_error_info_for_syntax_errors_and_exits():
    info = error_info(_raise_in_cell("def f(:\n    pass", index=5))
    assert info["type"] == "SyntaxError" and info["cell"] == "5" and info["line"] == 1
    info = error_info(_raise_in_cell("import sys\nsys.exit('bye')"))
    assert info["type"] == "SystemExit" and info["message"] == "bye" and info["line"] == 2


def test_error_info_survives_a_broken_str():
    class Broken(Exception):
        def __str__(self):
            raise RuntimeError("no")

    assert error_info(Broken())["message"] == "?"
