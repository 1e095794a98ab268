"""Tests for losslab.site.build: the lessons as a static web site with a table of contents."""

import base64
import os
import re
import shutil
from html import escape as html_escape

import nbformat
import pytest

from losslab.site.build import WIDGET_MIME, build_site, lesson_title, main, static_notebook

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


@pytest.mark.slow
def test_pages_show_their_figures_in_a_browser(built):
    """Every lesson page loads in headless Chromium and every image decodes (skips without Chromium)."""
    chromium = os.environ.get("LOSSLAB_CHROMIUM") or shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if chromium is None or sync_playwright is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser check: Chromium or playwright is missing")
        pytest.skip("no Chromium binary or no playwright package: browser check skipped")
    out, pages = built
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        page = browser.new_page()
        for lesson in pages:
            page.goto((out / lesson.page).resolve().as_uri())
            sizes = page.evaluate(
                "() => Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0)"
            )
            assert len(sizes) == lesson.figures and all(w > 0 for w in sizes), f"{lesson.page}: {sizes}"
            assert lesson.title in page.title() or lesson.title in page.inner_text("h1")
        browser.close()
