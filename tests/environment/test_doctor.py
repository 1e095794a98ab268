"""The learners' environment check."""

import sys
from types import SimpleNamespace

from losslab.environment import doctor


def test_healthy_environment_reports_all_ok(capsys):
    findings = doctor.diagnose()
    names = [f.name for f in findings]
    for expected in ("Python", "TensorFlow", "Keras", "JupyterLab", "ipywidgets", "Jupyter kernel"):
        assert expected in names
    bad = [f for f in findings if not f.ok]
    assert not bad, bad
    assert doctor.main([]) == 0
    assert "All good" in capsys.readouterr().out


def test_missing_package_says_how_to_fix():
    finding = doctor.check_package("Nonexistent", ("surely-not-installed-pkg",), (1, 0), "the thing")
    assert not finding.ok and finding.seen == "not installed"
    assert "course.py lab" in finding.fix


def test_too_old_package_says_which_version():
    finding = doctor.check_package("numpy", ("numpy",), (99, 0), "NumPy")
    assert not finding.ok and "99.0 or newer" in finding.fix


def test_old_python_is_reported(monkeypatch):
    monkeypatch.setattr(sys, "version_info", SimpleNamespace(major=3, minor=9, micro=1))
    finding = doctor.check_python()
    assert not finding.ok and "3.11" in finding.fix


def test_wrong_keras_backend_is_reported(monkeypatch):
    import keras

    monkeypatch.setattr(keras.backend, "backend", lambda: "jax")
    finding = doctor.check_tensorflow_runs()
    assert not finding.ok and "KERAS_BACKEND" in finding.fix


def test_problems_give_exit_code_1(monkeypatch, capsys):
    monkeypatch.setattr(doctor, "diagnose", lambda: [doctor.Finding("Python", False, "3.9", "upgrade")])
    assert doctor.main([]) == 1
    out = capsys.readouterr().out
    assert "FIX" in out and "-> upgrade" in out and "1 problem(s) found." in out


def test_a_crashing_check_is_reported_not_raised(monkeypatch):
    def boom():
        raise RuntimeError("kernel spec unreadable")

    monkeypatch.setattr(doctor, "check_kernel", boom)
    findings = doctor.diagnose()
    assert any(not f.ok and "kernel spec unreadable" in f.seen for f in findings)
