"""The course as a web page: every lesson rendered to HTML, with a table of contents.

    losslab site [--out site/]

Each lesson in ``notebooks/`` is rendered from its committed, executed outputs
(no kernel runs) with nbconvert's ``lab`` template: figures are embedded in the
page, and quiz and explorer widgets fall back to the static HTML they carry
(the question with its answer folded away, the explorer's starting values) -
the widget-view output and the saved widget state are dropped, because a static
page cannot run them. ``index.html`` lists the lessons in course order, and each
page links to the previous and next lesson and to its exercise.
"""

from __future__ import annotations

import argparse
import copy
import html
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from losslab.exercises.nbtools import read_notebook, repo_root

__all__ = ["WIDGET_MIME", "LessonPage", "build_site", "lesson_title", "main", "static_notebook"]

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
_LESSON = re.compile(r"^(\d{2})_[a-z0-9_]+\.ipynb$")


@dataclass(frozen=True)
class LessonPage:
    """One rendered lesson.

    Attributes:
        number: the lesson number (``"01"``).
        title: the lesson's first heading.
        source: the notebook it was rendered from.
        page: the HTML file written (relative to the site folder).
        figures: how many images the page embeds.
    """

    number: str
    title: str
    source: Path
    page: str
    figures: int


def lesson_title(nb: nbformat.NotebookNode, fallback: str) -> str:
    """The text of the first Markdown heading of ``nb`` (``fallback`` if there is none)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


def static_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` fit for a static page: widget views and widget state removed.

    Outputs that carried only a widget view (no fallback) are dropped; outputs with
    a ``text/html`` or ``text/plain`` fallback keep it.
    """
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.outputs:
            data = output.get("data")
            if data is not None and WIDGET_MIME in data:
                del data[WIDGET_MIME]
                if not data:
                    continue
            kept.append(output)
        cell.outputs = kept
    return nb


def _count_figures(nb: nbformat.NotebookNode) -> int:
    return sum(
        1
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if any(mime.startswith("image/") for mime in output.get("data", {}))
    )


_STYLE = """<style>
.losslab-nav{font-family:system-ui,sans-serif;font-size:15px;padding:10px 16px;margin:0 0 8px;
background:#f3f6fa;border-bottom:1px solid #d0d7de;display:flex;gap:18px;flex-wrap:wrap}
.losslab-nav a{color:#0b5cad;text-decoration:none}.losslab-nav a:hover{text-decoration:underline}
.losslab-quiz-static{border-left:4px solid #1f77b4;padding:4px 12px;background:#f7fbff}
</style>"""


def _nav(pages: list[LessonPage], i: int, root_link: str = "index.html") -> str:
    parts = [f'<a href="{root_link}">☰ Contents</a>']
    if i > 0:
        prev = pages[i - 1]
        parts.append(f'<a href="{prev.page}">← {html.escape(prev.number)} {html.escape(prev.title)}</a>')
    if i < len(pages) - 1:
        nxt = pages[i + 1]
        parts.append(f'<a href="{nxt.page}">{html.escape(nxt.number)} {html.escape(nxt.title)} →</a>')
    return f'<nav class="losslab-nav">{"".join(parts)}</nav>'


def _index_html(pages: list[LessonPage], course_title: str, exercises: set[str]) -> str:
    rows = []
    for page in pages:
        stem = Path(page.page).stem
        exercise = f"exercises/{stem}.ipynb" if stem in exercises else "—"
        rows.append(
            f'<tr><td>{page.number}</td><td><a href="{page.page}">{html.escape(page.title)}</a></td>'
            f"<td>{page.figures}</td><td><code>{exercise}</code></td></tr>"
        )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(course_title)}</title>
<style>
body{{font-family:system-ui,sans-serif;max-width:900px;margin:40px auto;padding:0 16px;color:#1f2328}}
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #d0d7de;padding:8px;text-align:left}}
a{{color:#0b5cad}}
</style></head>
<body>
<h1>{html.escape(course_title)}</h1>
<p>Which loss for multi-class vs multi-label classification, implemented from scratch in TensorFlow/Keras
and debugged. These pages show the lessons with their outputs; quizzes show their answers folded away.
To run the code, answer the quizzes interactively and do the exercises, open the course in JupyterLab
(<code>python3 course.py lab</code>).</p>
<h2>Contents</h2>
<table id="contents"><tr><th>#</th><th>lesson</th><th>figures</th><th>exercise</th></tr>
{"".join(rows)}
</table>
</body></html>
"""


def build_site(out: str | Path, root: str | Path | None = None) -> list[LessonPage]:
    """Render every lesson of ``root/notebooks`` into ``out``; return the pages in course order.

    Raises ``FileNotFoundError`` when there are no lessons to render.
    """
    from nbconvert import HTMLExporter

    root = Path(root) if root is not None else repo_root()
    out = Path(out)
    lessons = sorted(p for p in (root / "notebooks").glob("*.ipynb") if _LESSON.match(p.name))
    if not lessons:
        raise FileNotFoundError(f"no lessons (NN_slug.ipynb) in {root / 'notebooks'}")
    out.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter(template_name="lab")
    rendered = []
    pages: list[LessonPage] = []
    for path in lessons:
        nb = static_notebook(read_notebook(path))
        number = _LESSON.match(path.name).group(1)
        title = lesson_title(nb, path.stem)
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": f"{number} · {title}"}})
        rendered.append(body)
        pages.append(LessonPage(number, title, path, f"{path.stem}.html", _count_figures(nb)))
    for i, (page, body) in enumerate(zip(pages, rendered, strict=True)):
        nav = _nav(pages, i)
        body = body.replace("</head>", f"{_STYLE}\n</head>", 1)
        body = re.sub(r"(<body[^>]*>)", lambda m, nav=nav: f"{m.group(1)}\n{nav}", body, count=1)
        body = body.replace("</body>", f"{nav}\n</body>", 1)
        (out / page.page).write_text(body, encoding="utf-8")
    exercises = {p.stem for p in (root / "exercises").glob("*.ipynb")}
    (out / "index.html").write_text(_index_html(pages, "Loss Lab", exercises), encoding="utf-8")
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="losslab site", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: site/ in the course)")
    args = parser.parse_args(argv)
    out = args.out if args.out is not None else repo_root() / "site"
    pages = build_site(out)
    for page in pages:
        print(f"{page.number}  {page.title}  ({page.figures} figures)  -> {out / page.page}")
    print(f"Open {out / 'index.html'} in a browser.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
