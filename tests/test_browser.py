"""Lesson 01 the way learners meet it: JupyterLab in a real (headless) browser.

Starts JupyterLab with the course's launch settings (:func:`losslab.environment.launch.lab_command`,
an explicit token) on a free localhost port, serving a temporary copy of lesson 01
(so nothing the browser does can touch the committed notebook), opens it in
Debian's Chromium driven by Playwright, runs every cell, then:

* answers a quiz wrongly and then rightly through the widget and reads the feedback;
* drags a slider of the softmax-vs-sigmoid explorer and watches the numbers and the figure change.

Needs the ``chromium`` binary (``apt-get install chromium``; set ``LOSSLAB_CHROMIUM``
to use another) and the ``playwright`` Python package; Playwright's own browser
download is never used. Without them the tests skip, except under CI (``CI`` set),
where they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import urllib.request

import nbformat
import pytest

from losslab.environment.launch import FIRST_LESSON, free_port, lab_command, write_lab_overrides
from losslab.exercises.nbtools import repo_root
from losslab.interactive.quiz import get_question

pytestmark = pytest.mark.slow

CHROMIUM_ARGS = [
    "--no-sandbox",  # needed when running as root (containers, CI)
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
TOKEN = "losslab-browser-test"
QUIZ_KEY = "problem_kinds.softmax_is_sigmoids"
RUN_TIMEOUT_MS = 300_000  # the whole lesson, on a busy 2-core machine


def chromium_path() -> str | None:
    """The Chromium binary to drive: ``$LOSSLAB_CHROMIUM``, else ``chromium`` on PATH."""
    return os.environ.get("LOSSLAB_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def _missing_requirement() -> str | None:
    if chromium_path() is None:
        return "no Chromium binary (install Debian's `chromium` package, or set LOSSLAB_CHROMIUM)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the `playwright` Python package is not installed (`pip install -e .[dev]`)"
    return None


@pytest.fixture(scope="module")
def browser():
    missing = _missing_requirement()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests, but: {missing}")
        pytest.skip(f"browser test skipped: {missing}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def lab_url(tmp_path_factory):
    """JupyterLab serving a copy of lesson 01; yields the lesson's URL (token included)."""
    if _missing_requirement() and not os.environ.get("CI"):
        pytest.skip(f"browser test skipped: {_missing_requirement()}")
    root = tmp_path_factory.mktemp("course")
    (root / "notebooks").mkdir()
    shutil.copy(repo_root() / FIRST_LESSON, root / FIRST_LESSON)
    write_lab_overrides()  # what `losslab lab` does: no "Jupyter news?" pop-up
    state = tmp_path_factory.mktemp("jupyter-state")
    # Render every cell (no windowing), so off-screen widgets stay in the page for the test to read.
    tracker = state / "settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text('{"windowingMode": "none"}\n', encoding="utf-8")
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(state / "runtime"),
        "JUPYTERLAB_WORKSPACES_DIR": str(state / "workspaces"),
        "JUPYTERLAB_SETTINGS_DIR": str(state / "settings"),
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    port = free_port()
    log = (state / "lab.log").open("w")
    server = subprocess.Popen(
        lab_command(root, port=port, open_browser=False, token=TOKEN),
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(f"JupyterLab did not start:\n{(state / 'lab.log').read_text()[-3000:]}")
                time.sleep(0.5)
        yield f"{base}/lab/tree/{FIRST_LESSON}?token={TOKEN}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _count_ask_cells() -> int:
    nb = nbformat.read(repo_root() / FIRST_LESSON, as_version=4)
    return sum(1 for c in nb.cells if c.cell_type == "code" and "ask(" in c.source)


@pytest.fixture(scope="module")
def lesson_page(browser, lab_url):
    """Lesson 01 opened in JupyterLab, every cell run (Run > Run All Cells)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(lab_url)
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell")
    page.wait_for_function("document.body.innerText.includes('| Idle')")  # kernel started
    page.click("li.lm-MenuBar-item:has-text('Run')")
    page.click("li.lm-Menu-item[data-command='runmenu:run-all']")
    n_quizzes = _count_ask_cells()
    assert n_quizzes >= 1, "lesson 01 has no ask(...) cell to test"
    # Done when every quiz widget is shown (they come last) - or as soon as any cell fails.
    page.wait_for_function(
        """n => document.querySelectorAll('.losslab-quiz-check').length >= n
               || document.querySelector('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')""",
        arg=n_quizzes,
        timeout=RUN_TIMEOUT_MS,
    )
    page.wait_for_function("document.body.innerText.includes('| Idle')", timeout=RUN_TIMEOUT_MS)
    yield page
    page.close()


def test_lesson_runs_in_jupyterlab_without_errors_or_popups(lesson_page):
    errors = lesson_page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    assert errors.count() == 0, "a cell wrote to stderr or failed:\n" + "\n---\n".join(
        errors.all_inner_texts()
    )
    assert lesson_page.locator(".losslab-quiz-check").count() == _count_ask_cells()
    assert lesson_page.locator(".losslab-explorer-slider").count() >= 2
    assert "official Jupyter news" not in lesson_page.inner_text("body")


def _quiz(page, prompt: str):
    box = page.locator(".widget-vbox", has=page.locator(".losslab-quiz-check")).filter(has_text=prompt[:60])
    assert box.count() == 1, f"expected one quiz widget showing {prompt[:60]!r}, found {box.count()}"
    return box


def _answer(quiz, option_text: str) -> str:
    """Pick one option (radio button), press Check, return the feedback text once it changes."""
    feedback = quiz.locator(".losslab-quiz-feedback")
    before = feedback.inner_text()
    quiz.locator(".losslab-quiz-option label", has_text=option_text).locator("input").check()
    quiz.locator(".losslab-quiz-check").click()
    deadline = time.monotonic() + 30
    while feedback.inner_text() == before:
        assert time.monotonic() < deadline, "pressing Check did not change the feedback"
        time.sleep(0.1)
    return feedback.inner_text()


def test_quiz_feedback_for_a_wrong_then_a_right_answer(lesson_page):
    question = get_question(QUIZ_KEY)
    assert not question.multiple, "this test clicks radio buttons: pick a single-select question"
    quiz = _quiz(lesson_page, question.prompt)
    wrong = next(i for i, o in enumerate(question.options) if not o.correct)
    right = question.correct_indices[0]

    shown = _answer(quiz, question.options[wrong].text)
    for message in question.check(wrong).messages:
        assert message in shown
    assert "Not yet" in shown and "Correct" not in shown

    shown = _answer(quiz, question.options[right].text)
    for message in question.check(right).messages:
        assert message in shown
    assert shown.splitlines()[-1].startswith("Correct!")


def _readout(output) -> dict[str, tuple[float, float, float]]:
    """The explorer's table: class -> (logit, softmax, sigmoid), read from the DOM."""
    rows = output.locator(".losslab-explorer-readout").evaluate(
        "el => Array.from(el.querySelectorAll('tr')).map(tr => Array.from(tr.children).map(c => c.textContent))"
    )
    table = {}
    for cells in rows:
        if len(cells) == 4 and re.fullmatch(r"[+-]\d+\.\d+", cells[1].strip()):
            table[cells[0].strip()] = tuple(float(c) for c in cells[1:])
    assert table, f"could not read the explorer's table from {rows}"
    return table


def test_moving_a_slider_updates_numbers_and_figure(lesson_page):
    page = lesson_page
    output = page.locator(".jp-OutputArea-output", has=page.locator(".losslab-explorer-readout")).first
    image = output.locator(".widget-image").first
    output.scroll_into_view_if_needed()
    image_before = image.get_attribute("src")
    before = _readout(output)

    slider = output.locator(".losslab-explorer-slider").first
    name = slider.locator(".widget-label").inner_text().strip()
    handle = slider.locator(".noUi-handle")
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 60, box["y"] + box["height"] / 2, steps=8)
    page.mouse.up()

    deadline = time.monotonic() + 30
    while _readout(output) == before:
        assert time.monotonic() < deadline, "dragging the slider did not change the explorer's table"
        time.sleep(0.2)
    after = _readout(output)
    assert after[name][0] > before[name][0], "the dragged logit should have gone up"
    assert after[name][1] > before[name][1] and after[name][2] > before[name][2]
    for other in before.keys() - {name}:
        assert after[other][0] == before[other][0]
        assert after[other][1] < before[other][1], f"softmax of {other} should drop: outputs are coupled"
        assert after[other][2] == before[other][2], (
            f"sigmoid of {other} should not move: outputs are independent"
        )

    deadline = time.monotonic() + 30
    while image.get_attribute("src") == image_before:
        assert time.monotonic() < deadline, "the explorer's figure was not redrawn"
        time.sleep(0.2)
