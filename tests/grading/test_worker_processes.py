"""Worker processes forked by the grader's fork server: messages, deadlines, restarts, shutdown."""

from __future__ import annotations

import time

import pytest

from losslab.grading import worker_processes
from losslab.grading.worker_processes import (
    STARTUP_SECONDS,
    Limits,
    WorkerLost,
    WorkerProcess,
    new_scratch,
    stop_all_workers,
)


def _ready_worker(tmp_path) -> WorkerProcess:
    worker = WorkerProcess(new_scratch(), Limits(timeout=5.0), [])
    message = worker.receive(time.monotonic() + STARTUP_SECONDS)
    assert message["op"] == "ready" and "network" in message["limits"]
    return worker


def test_a_worker_runs_cells_and_reports_each_one(tmp_path):
    worker = _ready_worker(tmp_path)
    try:
        worker.send({"op": "exec", "cells": [[0, "x = 1"], [1, "1 / 0"], [2, "y = x + 1"]], "skip": [2]})
        ops = []
        while (message := worker.receive(time.monotonic() + 10))["op"] != "exec_done":
            ops.append((message["op"], message["index"], (message.get("error") or {}).get("type")))
        assert ops == [
            ("cell_start", 0, None),
            ("cell_done", 0, None),
            ("cell_start", 1, None),
            ("cell_done", 1, "ZeroDivisionError"),
        ]
        assert worker.alive() and worker.rss_kb() > 0
    finally:
        worker.stop()
    assert not worker.alive()


def test_a_missed_deadline_kills_the_worker(tmp_path):
    worker = _ready_worker(tmp_path)
    worker.send({"op": "exec", "cells": [[0, "while True:\n    pass"]], "skip": []})
    with pytest.raises(WorkerLost, match="did not finish in time"):
        while True:
            worker.receive(time.monotonic() + 1.0)
    assert not worker.alive()
    worker.stop()


def test_a_worker_that_exits_is_reported(tmp_path):
    worker = _ready_worker(tmp_path)
    worker.send({"op": "exec", "cells": [[0, "import os\nos._exit(7)"]], "skip": []})
    with pytest.raises(WorkerLost, match="ended its process"):
        while True:
            worker.receive(time.monotonic() + 10)
    worker.stop()


def test_stop_all_workers_ends_running_workers_and_refuses_new_ones(tmp_path):
    worker = _ready_worker(tmp_path)
    try:
        stop_all_workers()
        deadline = time.monotonic() + 5
        while worker.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not worker.alive()
        with pytest.raises(WorkerLost, match="interrupted"):
            WorkerProcess(new_scratch(), Limits(), [])
    finally:
        worker_processes._STOPPING.clear()  # other tests in this session still need workers
        worker.stop()
