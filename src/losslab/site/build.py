"""The course as a web page that works offline: every lesson and exercise rendered to HTML.

    losslab site [--out site/]

Each lesson in ``notebooks/`` is rendered from its committed, executed outputs
(no kernel runs) with nbconvert's ``lab`` template, overridden so that nothing is
fetched from a CDN (``templates/losslab_offline``): no require.js, no widget
renderer, and MathJax 3 (``tex-svg-full.js``, see :mod:`losslab.site.mathjax`) copied
into ``OUT/mathjax/`` and loaded from there, so formulas are typeset offline.
Figures are embedded in the page; quiz and explorer widgets fall back to the
static HTML they carry (the question with its answer folded away, the
explorer's starting values). Each exercise of ``exercises/`` gets a page in
``OUT/exercises/`` (the task and the code to complete). ``index.html`` lists
the lessons in course order with their exercises; each lesson page links to
the previous and next lesson and to its exercise, each exercise back to its lesson.
"""

from __future__ import annotations

import argparse
import copy
import html
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from losslab.exercises.nbtools import read_notebook, repo_root
from losslab.site.mathjax import MATHJAX_FILE, MathJaxMissing, find_mathjax

__all__ = ["TEMPLATE", "WIDGET_MIME", "LessonPage", "build_site", "lesson_title", "main", "static_notebook"]

TEMPLATE = "losslab_offline"
_TEMPLATES = Path(__file__).with_name("templates")

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
        exercise: the exercise's page (``exercises/NN_slug.html``), or None without an exercise.
    """

    number: str
    title: str
    source: Path
    page: str
    figures: int
    exercise: str | None = None


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
    if pages[i].exercise:
        parts.append(
            f'<a class="losslab-exercise-link" href="{pages[i].exercise}">✎ Exercise {pages[i].number}</a>'
        )
    return f'<nav class="losslab-nav">{"".join(parts)}</nav>'


def _exercise_nav(page: LessonPage) -> str:
    return (
        '<nav class="losslab-nav"><a href="../index.html">☰ Contents</a>'
        f'<a class="losslab-lesson-link" href="../{page.page}">← Lesson {html.escape(page.number)} '
        f"{html.escape(page.title)}</a><span>Exercise {html.escape(page.number)}: open "
        f"<code>exercises/{Path(page.page).stem}.ipynb</code> in JupyterLab to do it</span></nav>"
    )


def _index_html(pages: list[LessonPage], course_title: str) -> str:
    rows = []
    for page in pages:
        exercise = f'<a href="{page.exercise}">exercise {page.number}</a>' if page.exercise else "—"
        rows.append(
            f'<tr><td>{page.number}</td><td><a href="{page.page}">{html.escape(page.title)}</a></td>'
            f"<td>{page.figures}</td><td>{exercise}</td></tr>"
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


def _decorate(body: str, nav: str) -> str:
    body = body.replace("</head>", f"{_STYLE}\n</head>", 1)
    body = re.sub(r"(<body[^>]*>)", lambda m: f"{m.group(1)}\n{nav}", body, count=1)
    return body.replace("</body>", f"{nav}\n</body>", 1)


def build_site(
    out: str | Path, root: str | Path | None = None, mathjax: str | Path | None = None
) -> list[LessonPage]:
    """Render every lesson of ``root/notebooks`` and its exercise into ``out``; return the lesson pages.

    ``mathjax`` is MathJax 3's ``tex-svg-full.js`` (default: :func:`losslab.site.mathjax.find_mathjax`,
    which may run ``npm install``). Raises ``FileNotFoundError`` when there are no lessons and
    :class:`~losslab.site.mathjax.MathJaxMissing` when MathJax cannot be found or installed.
    """
    from nbconvert import HTMLExporter

    root = Path(root) if root is not None else repo_root()
    out = Path(out)
    lessons = sorted(p for p in (root / "notebooks").glob("*.ipynb") if _LESSON.match(p.name))
    if not lessons:
        raise FileNotFoundError(f"no lessons (NN_slug.ipynb) in {root / 'notebooks'}")
    mathjax = Path(mathjax) if mathjax is not None else find_mathjax()
    (out / "mathjax").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(mathjax, out / "mathjax" / MATHJAX_FILE)
    licence = mathjax.parent.parent / "LICENSE"
    if licence.is_file():
        shutil.copyfile(licence, out / "mathjax" / "LICENSE")
    exporter = HTMLExporter(template_name=TEMPLATE, extra_template_basedirs=[str(_TEMPLATES)])

    def render(nb: nbformat.NotebookNode, name: str, mathjax_url: str) -> str:
        exporter.mathjax_url = mathjax_url
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}})
        return body

    rendered = []
    pages: list[LessonPage] = []
    for path in lessons:
        nb = static_notebook(read_notebook(path))
        number = _LESSON.match(path.name).group(1)
        title = lesson_title(nb, path.stem)
        rendered.append(render(nb, f"{number} · {title}", f"mathjax/{MATHJAX_FILE}"))
        has_exercise = (root / "exercises" / path.name).is_file()
        exercise = f"exercises/{path.stem}.html" if has_exercise else None
        pages.append(LessonPage(number, title, path, f"{path.stem}.html", _count_figures(nb), exercise))
    for i, (page, body) in enumerate(zip(pages, rendered, strict=True)):
        (out / page.page).write_text(_decorate(body, _nav(pages, i)), encoding="utf-8")
        if page.exercise:
            nb = static_notebook(read_notebook(root / "exercises" / page.source.name))
            name = f"Exercise {page.number} · {lesson_title(nb, page.title)}"
            body = render(nb, name, f"../mathjax/{MATHJAX_FILE}")
            (out / "exercises").mkdir(exist_ok=True)
            (out / page.exercise).write_text(_decorate(body, _exercise_nav(page)), encoding="utf-8")
    (out / "index.html").write_text(_index_html(pages, "Loss Lab"), encoding="utf-8")
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="losslab site", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: site/ in the course)")
    args = parser.parse_args(argv)
    out = args.out if args.out is not None else repo_root() / "site"
    try:
        pages = build_site(out)
    except MathJaxMissing as exc:
        print(f"losslab site: {exc}", file=sys.stderr)
        return 2
    for page in pages:
        exercise = f" + {page.exercise}" if page.exercise else ""
        print(f"{page.number}  {page.title}  ({page.figures} figures)  -> {out / page.page}{exercise}")
    print(f"Open {out / 'index.html'} in a browser.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
