"""Tests for losslab.site.build: the lessons as a static web site with a table of contents."""

import base64
import os
import re
import shutil
import threading
from functools import partial
from html import escape as html_escape
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import nbformat
import pytest

from losslab.site.build import WIDGET_MIME, build_site, lesson_title, main, static_notebook
from losslab.site.mathjax import MATHJAX_FILE

LESSON = re.compile(r"^\d{2}_[a-z0-9_]+\.ipynb$")


@pytest.fixture(scope="module")
def built(repo_root, tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    return out, build_site(out, root=repo_root)


def _lessons(repo_root):
    return sorted(p for p in (repo_root / "notebooks").glob("*.ipynb") if LESSON.match(p.name))


def _png_outputs(nb):
    return [
        output["data"]["image/png"]
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    ]


def test_every_lesson_has_a_page_in_course_order(repo_root, built):
    out, pages = built
    lessons = _lessons(repo_root)
    assert [p.source for p in pages] == lessons
    assert [p.number for p in pages] == sorted(p.number for p in pages)
    index = (out / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="(\d{2}_[a-z0-9_]+\.html)">', index)
    assert links == [p.page for p in pages], "the table of contents must list every lesson, in course order"
    for page in pages:
        assert (out / page.page).is_file()
        assert html_escape(page.title) in index


def test_every_figure_of_every_lesson_is_on_its_page(repo_root, built):
    out, pages = built
    for page in pages:
        html = (out / page.page).read_text(encoding="utf-8")
        nb = nbformat.read(page.source, as_version=4)
        figures = _png_outputs(nb)
        n_images = sum(
            any(m.startswith("image/") for m in o.get("data", {}))
            for c in nb.cells
            if c.cell_type == "code"
            for o in c.outputs
        )
        assert page.figures == n_images >= len(figures)
        for png in figures:
            data = png if isinstance(png, str) else "".join(png)
            assert data.strip().replace("\n", "") in html.replace("\n", ""), f"{page.page} lacks a figure"
            base64.b64decode(data)  # a real image payload, not a placeholder


def test_quizzes_fall_back_to_static_html_and_widgets_are_gone(repo_root, built):
    out, pages = built
    total = 0
    for page in pages:
        html = (out / page.page).read_text(encoding="utf-8")
        assert WIDGET_MIME not in html
        assert "application/vnd.jupyter.widget-state+json" not in html
        nb = nbformat.read(page.source, as_version=4)
        n_quizzes = sum(
            1
            for cell in nb.cells
            if cell.cell_type == "code"
            for output in cell.outputs
            if WIDGET_MIME in output.get("data", {})
            and "losslab-quiz-static" in output["data"].get("text/html", "")
        )
        assert html.count('<div class="losslab-quiz-static">') == n_quizzes
        assert html.count("<summary>Show the answer</summary>") >= n_quizzes
        total += n_quizzes
    assert total >= 3, "the executed lessons should show some quizzes"


def test_pages_link_to_their_neighbours(built):
    out, pages = built
    for i, page in enumerate(pages):
        html = (out / page.page).read_text(encoding="utf-8")
        assert 'href="index.html"' in html
        if i > 0:
            assert f'href="{pages[i - 1].page}"' in html
        if i < len(pages) - 1:
            assert f'href="{pages[i + 1].page}"' in html


def test_static_notebook_keeps_fallbacks_and_drops_widget_only_outputs():
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    cell = nbformat.v4.new_code_cell("ask('x')")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data", data={WIDGET_MIME: {"model_id": "a"}, "text/html": "<p>q</p>"}
        ),
        nbformat.v4.new_output("display_data", data={WIDGET_MIME: {"model_id": "b"}}),
        nbformat.v4.new_output("stream", text="hello\n"),
    ]
    nb.cells = [cell]
    static = static_notebook(nb)
    assert "widgets" not in static.metadata
    assert [o.get("data", {}).get("text/html") for o in static.cells[0].outputs] == ["<p>q</p>", None]
    assert len(nb.cells[0].outputs) == 3, "the input notebook is not modified"


def test_lesson_title_and_errors(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("intro\n## Lesson 9 — Choosing")])
    assert lesson_title(nb, "x") == "Lesson 9 — Choosing"
    assert lesson_title(nbformat.v4.new_notebook(), "fallback") == "fallback"
    (tmp_path / "notebooks").mkdir()
    with pytest.raises(FileNotFoundError, match="no lessons"):
        build_site(tmp_path / "out", root=tmp_path)


def test_command_line(repo_root, tmp_path, capsys):
    assert main(["--out", str(tmp_path / "s")]) == 0
    assert (tmp_path / "s" / "index.html").is_file()
    assert "index.html" in capsys.readouterr().out


@pytest.fixture(scope="module")
def browser_or_skip():
    """Headless Debian Chromium driven by Playwright (skips without them, fails under CI)."""
    chromium = os.environ.get("LOSSLAB_CHROMIUM") or shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if chromium is None or sync_playwright is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser check: Chromium or playwright is missing")
        pytest.skip("no Chromium binary or no playwright package: browser check skipped")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                  "--disable-component-update"],
        )  # fmt: skip
        yield browser
        browser.close()


@pytest.mark.slow
def test_pages_show_their_figures_in_a_browser(built, browser_or_skip):
    """Every lesson page loads in headless Chromium and every image decodes."""
    out, pages = built
    page = browser_or_skip.new_page()
    for lesson in pages:
        page.goto((out / lesson.page).resolve().as_uri())
        sizes = page.evaluate("() => Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0)")
        assert len(sizes) == lesson.figures and all(w > 0 for w in sizes), f"{lesson.page}: {sizes}"
        assert lesson.title in page.title() or lesson.title in page.inner_text("h1")
    page.close()


def test_pages_link_lesson_to_exercise_and_back(repo_root, built):
    out, pages = built
    index = (out / "index.html").read_text(encoding="utf-8")
    exercises = sorted(p.stem for p in (repo_root / "exercises").glob("*.ipynb"))
    assert [p.exercise for p in pages] == [f"exercises/{stem}.html" for stem in exercises]
    assert re.findall(r'<a href="(exercises/[0-9a-z_]+\.html)">', index) == [p.exercise for p in pages]
    for page in pages:
        lesson = (out / page.page).read_text(encoding="utf-8")
        assert f'class="losslab-exercise-link" href="{page.exercise}"' in lesson
        exercise = (out / page.exercise).read_text(encoding="utf-8")
        assert f'class="losslab-lesson-link" href="../{page.page}"' in exercise
        assert "# YOUR CODE HERE" in exercise, "the exercise page shows the code to complete"


def test_nothing_is_loaded_from_the_network(built):
    out, pages = built
    assert (out / "mathjax" / MATHJAX_FILE).stat().st_size > 2_000_000
    for path in [out / "index.html", *out.glob("*.html"), *(out / "exercises").glob("*.html")]:
        html = path.read_text(encoding="utf-8")
        sources = re.findall(r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="([^"]+)"', html)
        remote = [s for s in sources if re.match(r"^(https?:)?//", s)]
        assert not remote, f"{path.name} loads {remote}"
        assert "require.js" not in html and "cdnjs" not in html and "unpkg" not in html, path.name


def _math_spans(nb) -> int:
    """Formulas in a notebook's Markdown: $...$ and $$...$$ outside code (what MathJax should typeset)."""
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        text = re.sub(r"```.*?```", "", cell.source, flags=re.S)
        text = re.sub(r"`[^`]*`", "", text).replace("\\$", "")
        count += len(re.findall(r"\$\$.+?\$\$|\$[^$]+?\$", text, flags=re.S))
    return count


_RAW_TEX = re.compile(
    r"\$[^$]*\\[a-zA-Z]+|\$\$|\\(frac|sum|log|sigma|mathbf|operatorname|partial)\b|\\\(|\\\["
)
_VISIBLE_TEXT = """() => Array.from(document.querySelectorAll('.jp-RenderedMarkdown, .jp-RenderedHTMLCommon'))
  .map(el => { const c = el.cloneNode(true);
               c.querySelectorAll('code, pre, mjx-container, script, style').forEach(x => x.remove());
               return c.textContent; }).join('\\n')"""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.mark.slow
def test_formulas_are_typeset_offline_on_every_page(built, browser_or_skip):
    """Every page over loopback HTTP in headless Chromium, every other request aborted."""
    out, pages = built
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    blocked, counts = [], {}

    def only_local(route):
        if route.request.url.startswith(base):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    try:
        context = browser_or_skip.new_context()
        context.route("**/*", only_local)
        page = context.new_page()
        targets = [(p.page, p.source) for p in pages]
        targets += [(p.exercise, p.source.parents[1] / "exercises" / p.source.name) for p in pages]
        for rel, notebook in targets:
            page.goto(base + rel)
            page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
            page.evaluate("() => MathJax.startup.promise.then(() => true)")
            formulas = page.evaluate("() => document.querySelectorAll('mjx-container svg').length")
            errors = page.evaluate("() => document.querySelectorAll('mjx-merror, [data-mjx-error]').length")
            raw = _RAW_TEX.search(page.evaluate(_VISIBLE_TEXT))
            assert errors == 0, f"{rel}: {errors} formulas failed to typeset"
            assert raw is None, f"{rel}: TeX left untypeset near {raw.group(0)!r}"
            expected = _math_spans(nbformat.read(notebook, as_version=4))
            assert formulas >= expected, f"{rel}: {formulas} formulas typeset, the Markdown has {expected}"
            counts[rel] = formulas
        page.goto(base + "index.html")
        for link in page.eval_on_selector_all("#contents a", "els => els.map(e => e.href)"):
            assert page.request.get(link).ok, link
        context.close()
    finally:
        server.shutdown()
        server.server_close()
    print("formulas typeset per page:", counts)
    assert not blocked, f"pages tried to reach the network: {blocked}"
    assert all(counts[p.page] > 0 for p in pages), counts
