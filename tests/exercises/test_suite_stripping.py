"""Tests for losslab.exercises.suite_stripping: a suite's source cut down to its self-checks."""

import textwrap

import pytest

from losslab.exercises.suite_stripping import (
    StripError,
    grading_only_names,
    strip_suite_package,
    strip_suite_source,
)

SUITE = textwrap.dedent(
    '''\
    """A suite."""

    import numpy as np

    from losslab.exercises.checks import Check, Mistake
    from losslab.gradcheck import numerical_gradient

    __all__ = ["CHECKS", "EXERCISE", "SECRET_INPUT", "shared_reference"]

    EXERCISE = "99_demo"

    SHARED = np.arange(3.0)  # used by both kinds of check
    SECRET_INPUT = np.array([1e4, -1e4])  # hidden test input: used by the grading-only check only


    def shared_reference(x):
        return np.asarray(x) * 2


    def _helper_only_secret(fn):
        return numerical_gradient(fn, SECRET_INPUT)


    def _visible(fn):
        if not np.allclose(fn(SHARED), shared_reference(SHARED)):
            raise Mistake("double it")


    def _secret(fn):
        _helper_only_secret(fn)


    _TARGETS = {"double": 1}


    def _made(target):
        return lambda fn: None


    CHECKS = [
        Check("double", "doubles its input", _visible),
        Check(
            "double",
            "extreme inputs",
            _secret,
            points=2,
            self_check=False,
        ),
    ] + [Check(t, "built from basic ops", _made(t), self_check=False) for t in _TARGETS]
    '''
)


def test_grading_only_checks_and_what_only_they_use_are_removed():
    out = strip_suite_source(SUITE)
    for gone in ("_secret", "SECRET_INPUT", "_helper_only_secret", "numerical_gradient", "extreme inputs",
                 "_TARGETS", "_made", "built from basic ops"):  # fmt: skip
        assert gone not in out, gone
    for kept in ('"""A suite."""', "SHARED = np.arange(3.0)  # used by both", "def shared_reference",
                 "def _visible", 'Check("double", "doubles its input", _visible)', 'EXERCISE = "99_demo"'):  # fmt: skip
        assert kept in out, kept
    assert '__all__ = ["CHECKS", "EXERCISE", "shared_reference"]' in out
    namespace = {}
    exec(compile(out, "stripped", "exec"), namespace)
    assert [(c.name, c.self_check) for c in namespace["CHECKS"]] == [("doubles its input", True)]


def test_grading_only_names():
    assert grading_only_names(SUITE) == ["extreme inputs", "built from basic ops"]


def test_a_known_check_factory_is_kept_and_unknown_ones_refused():
    source = SUITE.replace(
        '] + [Check(t, "built from basic ops", _made(t), self_check=False) for t in _TARGETS]',
        "    *from_scratch_checks(_TARGETS, _LIBRARY),\n]",
    ).replace(
        "_TARGETS = {",
        "from losslab.exercises.from_scratch import from_scratch_checks\n_LIBRARY = {'x'}\n_TARGETS = {",
    )
    out = strip_suite_source(source)  # from_scratch_checks makes self-checks: kept with its inputs
    assert (
        "*from_scratch_checks(_TARGETS, _LIBRARY)" in out and "_LIBRARY = {" in out and "_TARGETS = {" in out
    )
    with pytest.raises(StripError, match="not a Check"):
        strip_suite_source(source.replace("*from_scratch_checks(", "*other_checks("))


def test_a_self_check_comprehension_is_kept():
    source = SUITE.replace(", self_check=False) for t in _TARGETS", ") for t in _TARGETS")
    out = strip_suite_source(source)
    namespace = {}
    exec(compile(out, "stripped", "exec"), namespace)
    assert [c.name for c in namespace["CHECKS"]] == ["doubles its input", "built from basic ops"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("self_check=False,\n", "self_check=GRADER_ONLY,\n", "literal True or False"),
        ('Check("double", "doubles its input", _visible),', "EXTRA_CHECK,", "not a Check"),
        ("CHECKS = [", "CHECKS = tuple(", "list of Check"),
    ],
)
def test_checks_it_cannot_classify_are_refused(old, new, message):
    source = SUITE.replace(old, new)
    if new == "CHECKS = tuple(":
        source = source.replace("] + [Check(", ") + [Check(")
    with pytest.raises(StripError, match=message):
        strip_suite_source(source, "suite.py")


def test_a_suite_without_self_checks_is_refused():
    source = SUITE.replace(
        '"doubles its input", _visible)', '"doubles its input", _visible, self_check=False)'
    )
    with pytest.raises(StripError, match="no self-checks left"):
        strip_suite_source(source)


def test_a_suite_package_is_stripped_across_its_modules():
    pkg = "losslab.exercises.suites.demo"
    sources = {
        pkg: textwrap.dedent(
            """\
            from losslab.exercises.checks import Check
            from losslab.exercises.suites.demo.tests import _secret, _visible

            EXERCISE = "99_demo"
            CHECKS = [
                Check("f", "visible", _visible),
                Check("f", "secret", _secret, self_check=False),
            ]
            """
        ),
        f"{pkg}.tests": textwrap.dedent(
            """\
            from losslab.exercises.suites.demo.inputs import HIDDEN, SHOWN


            def _visible(fn):
                return fn(SHOWN)


            def _secret(fn):
                return fn(HIDDEN)
            """
        ),
        f"{pkg}.inputs": 'SHOWN = [1.0]\nHIDDEN = [1e4]  # only the secret check uses it\n__all__ = ["HIDDEN", "SHOWN"]\n',
    }
    out = strip_suite_package(sources, pkg)
    assert "_secret" not in out[pkg] and "import _visible\n" in out[pkg]
    assert "_secret" not in out[f"{pkg}.tests"] and "import SHOWN\n" in out[f"{pkg}.tests"]
    assert "HIDDEN" not in out[f"{pkg}.inputs"] and "SHOWN = [1.0]" in out[f"{pkg}.inputs"]
    assert '__all__ = ["SHOWN"]' in out[f"{pkg}.inputs"]
