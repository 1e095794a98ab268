"""Grade a hostile class (tests/fixtures/make_hostile_class.py): the run completes, nobody is lost.

Every learner gets rows or a "not graded" reason; innocent learners keep full marks;
forged messages, slow replies and huge model descriptions cost only their own step;
no process outlives the run; nothing reaches a listener on the host; the grader's own
memory stays bounded.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import resource
import shutil
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

from losslab.exercises.from_scratch import OWN_CODE
from losslab.grading import bubblewrap, cgroups
from losslab.grading.command import exercise_suites, grade_class, main
from losslab.grading.sandbox import Limits

FIXTURES = Path(__file__).parents[1] / "fixtures"
EX01, EX02 = "01_multiclass_vs_multilabel", "02_softmax_crossentropy"
LIMITS = Limits(timeout=5.0, memory_mb=512)

_spec = importlib.util.spec_from_file_location("make_hostile_class", FIXTURES / "make_hostile_class.py")
hostile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hostile)

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the hostile class attacks Linux specifics")


def _processes_named(*names: str) -> list[int]:
    found = []
    with os.scandir("/proc") as entries:
        pids = [e.name for e in entries if e.name.isdigit()]
    for pid in pids:
        try:
            with open(f"/proc/{pid}/comm") as comm:
                if comm.read().strip() in names:
                    found.append(int(pid))
        except OSError:
            pass
    return found


class _Listener:
    """A named and an abstract Unix socket on the host, counting connections (none may arrive)."""

    def __init__(self):
        self.received: list[bytes] = []
        self.sockets = []
        if os.path.exists(hostile.LISTENER):
            os.remove(hostile.LISTENER)
        for address in (hostile.LISTENER, hostile.ABSTRACT):
            server = socket.socket(socket.AF_UNIX)
            server.bind(address)
            server.listen(8)
            server.settimeout(0.2)
            self.sockets.append(server)
        os.chmod(hostile.LISTENER, 0o777)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop.is_set():
            for server in self.sockets:
                try:
                    conn, _ = server.accept()
                except OSError:
                    continue
                with conn:
                    conn.settimeout(1)
                    try:
                        self.received.append(conn.recv(1000) or b"(connected)")
                    except OSError:
                        self.received.append(b"(connected)")

    def close(self):
        self.stop.set()
        self.thread.join(5)
        for server in self.sockets:
            server.close()
        if os.path.exists(hostile.LISTENER):
            os.remove(hostile.LISTENER)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    submissions, out = root / "submissions", root / "out"
    hostile.build(submissions)
    private = root / "private_tests.py"
    private.write_text(hostile.PRIVATE_TESTS)
    listener = _Listener()
    logs: list[str] = []
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    try:
        grades = grade_class(submissions, out, private, jobs=2, limits=LIMITS, log=logs.append)
    finally:
        listener.close()
    seconds = time.monotonic() - started
    peak_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    survivors = _processes_named(hostile.SURVIVOR, hostile.BOMB)
    for pid in survivors:  # never leave them behind, even when the test fails
        try:
            os.kill(pid, 9)
        except OSError:
            pass
    by_key = {(g.learner, g.exercise): g for g in grades}
    return {
        "grades": by_key,
        "out": out,
        "logs": logs,
        "received": listener.received,
        "survivors": survivors,
        "grader_growth_mb": (peak_after - peak_before) / 1024,
        "seconds": seconds,
        "private": private,
    }


def _rows(out: Path) -> list[dict]:
    return list(csv.DictReader((out / "grades.csv").read_text(encoding="utf-8").splitlines()))


def _by_target(grade, target):
    return [t.points == t.max_points for t in grade.tests if t.target == target]


def test_the_confined_path_is_used_where_bubblewrap_exists(graded):
    grade = graded["grades"][("correct", EX01)]
    if shutil.which("bwrap"):
        assert grade.confinement["sandbox"].startswith("bubblewrap"), grade.confinement
        assert bubblewrap.available()
        if os.geteuid() == 0 and cgroups.available():
            assert grade.confinement["cgroups"], grade.confinement
    else:
        assert any("bubblewrap" in line for line in graded["logs"]), graded["logs"][:3]


def test_every_entry_gets_rows_or_a_reason(graded):
    out = graded["out"]
    learners = {r["learner"] for r in _rows(out)}
    skipped = list(csv.DictReader((out / "not_graded.csv").read_text(encoding="utf-8").splitlines()))
    reasons = {r["name"]: r["reason"] for r in skipped}
    for name, words in hostile.NOT_GRADED.items():
        assert words in reasons[name], reasons
    expected = {n for n in hostile.LEARNERS if n not in hostile.NOT_GRADED}
    shown = {n.replace("\n", "\\n").replace(os.fsdecode(b"\xe9"), "\\xe9") for n in expected}
    unescaped = {r.lstrip("'") if r.startswith("'") else r for r in learners}
    assert unescaped == shown, unescaped ^ shown
    per_learner = {}
    for row in _rows(out):
        per_learner.setdefault(row["learner"], []).append(row["exercise"])
    suites = exercise_suites(graded["private"])
    assert all(sorted(v) == sorted(suites) for v in per_learner.values())
    assert len(list((out / "feedback").glob("*.md"))) == len(expected)


def test_spreadsheet_cells_cannot_become_formulas(graded):
    names = [r["learner"] for r in _rows(graded["out"])]
    assert "'=1+2" in names and "'@SUM(A1)" in names and "'-minus" in names
    assert not any(n.startswith(("=", "+", "-", "@", "\t", "\r")) for n in names)


def _points_lost(grade) -> list[tuple[str, str]]:
    """(test name, message) of each test that lost points, leaving out the instructor's two broken tests."""
    broken_private = {"private: exits", "private: raises BaseException"}
    return [
        (t.name, t.message) for t in grade.tests if t.points < t.max_points and t.name not in broken_private
    ]


def test_innocent_learners_keep_full_marks(graded):
    for learner in hostile.INNOCENT:
        grade = graded["grades"][(learner, EX01)]
        assert not _points_lost(grade), (learner, _points_lost(grade), grade.problems)
    for learner in hostile.CODE_UNREADABLE:
        lost = _points_lost(graded["grades"][(learner, EX01)])
        assert [name for name, _ in lost] == [OWN_CODE], (learner, lost)
        assert "import ctypes" in lost[0][1]


def test_broken_private_tests_cost_only_themselves(graded):
    grade = graded["grades"][("correct", EX01)]
    messages = {t.name: t.message for t in grade.tests}
    assert "SystemExit" in messages["private: exits"]
    assert "Abort" in messages["private: raises BaseException"]
    assert [t.points for t in grade.tests if t.name == "private: fine"] == [1]


def test_forged_messages_cost_only_the_step_they_hit(graded):
    grades = graded["grades"]
    forged = grades[("forged_cell_done", EX01)]
    assert not any(_by_target(forged, "to_one_hot")) and all(_by_target(forged, "design_choices"))
    assert any("interfered with grading" in p for p in forged.problems), forged.problems
    described = grades[("forged_described", EX01)]
    assert not any(_by_target(described, "one_hot_to_labels")) and all(_by_target(described, "to_multi_hot"))
    assert "interfered with grading" in " ".join(t.message for t in described.tests)
    header = grades[("oversized_header", EX01)]
    assert all(_by_target(header, "to_multi_hot")) and any("interfered" in p for p in header.problems)


def test_a_slow_drip_reply_is_cut_at_the_deadline(graded):
    drip = graded["grades"][("slow_drip", EX01)]
    assert not any(_by_target(drip, "to_multi_hot")) and all(_by_target(drip, "design_choices"))
    assert drip.seconds < LIMITS.budget_factor * LIMITS.timeout + 120, drip.seconds


def test_a_huge_model_description_does_not_cost_the_grader_memory(graded):
    grade = graded["grades"][("huge_model", EX01)]
    assert not any(_by_target(grade, "design_choices"))
    assert graded["grader_growth_mb"] < 1500, graded["grader_growth_mb"]


def test_no_process_survives_and_no_host_socket_is_reached(graded):
    assert graded["survivors"] == [], "processes of learners outlived the run"
    assert graded["received"] == [], graded["received"]


def test_secrets_and_devices_are_out_of_reach(graded):
    feedback = "\n".join(p.read_text(encoding="utf-8") for p in (graded["out"] / "feedback").glob("*.md"))
    assert "root:" not in feedback and "opened" not in feedback
    shadow = graded["grades"][("etc_shadow", EX01)]
    assert any("FileNotFoundError" in p or "PermissionError" in p for p in shadow.problems), shadow.problems
    devices = graded["grades"][("dev_kmsg", EX01)]
    assert any("devices:" in p for p in devices.problems), devices.problems


def test_feedback_shows_only_a_short_excerpt_of_hidden_inputs(graded):
    text = next(p for p in (graded["out"] / "feedback").glob("echo_hidden_inputs*.md")).read_text()
    assert max(len(line) for line in text.splitlines()) < 600
    assert "[...]" in text


def test_odd_notebooks_get_a_reason(graded):
    grades = graded["grades"]
    deep = grades[("deep_nesting", EX01)]
    assert deep.points == 0 and "could not be read" in " ".join(deep.problems)
    huge = grades[("huge_notebook", EX01)]
    assert huge.points == 0 and "MB" in huge.problems[0]
    boom = grades[("base_exception", EX01)]
    assert not any(_by_target(boom, "to_one_hot")) and all(_by_target(boom, "design_choices"))


def test_built_from_basic_ops_cannot_be_fooled(graded):
    if EX02 not in exercise_suites():
        pytest.skip("exercise 02's suite is not in this checkout")
    for learner in ("code_rewrite", "getattr_alias"):
        grade = graded["grades"][(learner, EX02)]
        scratch = [t for t in grade.tests if t.target == "softmax" and "basic ops" in t.name]
        assert scratch and all(t.points == 0 for t in scratch), (learner, [t.message for t in scratch])


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--timeout", "nan"], "--timeout"),
        (["--timeout", "0"], "--timeout"),
        (["--memory", "1"], "--memory"),
        (["--jobs", "0"], "--jobs"),
    ],
)
def test_options_are_checked_before_anything_runs(tmp_path, capsys, argv, words):
    (tmp_path / "subs").mkdir()
    with pytest.raises(SystemExit):
        main([str(tmp_path / "subs"), "--out", str(tmp_path / "out"), *argv])
    assert words in capsys.readouterr().err


def test_out_inside_submissions_is_refused(tmp_path, capsys):
    subs = tmp_path / "subs"
    (subs / "alice").mkdir(parents=True)
    for out in (subs, subs / "graded"):
        with pytest.raises(SystemExit):
            main([str(subs), "--out", str(out)])
        assert "must not be SUBMISSIONS or inside it" in capsys.readouterr().err
