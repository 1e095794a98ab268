"""The source threads' claims and verdicts: one list, rendered for lessons 07 and 09."""

import re
import string

import pytest

from losslab.interactive.thread_verdicts import CLAIMS, verdict_table


def test_every_claim_is_listed_without_numbers():
    table = verdict_table()
    lines = table.splitlines()
    assert lines[0] == "| claim in the threads | verdict | lessons |"
    assert len(lines) == 2 + len(CLAIMS)
    assert all(line.count("|") >= 4 for line in lines)


def test_lesson_filter():
    table = verdict_table(lesson=8)
    assert len(table.splitlines()) == 2 + sum(8 in c.lessons for c in CLAIMS)
    assert "Multilabel multiclass" in table and "Adadelta" not in table


def test_a_missing_row_is_named():
    with pytest.raises(KeyError, match="no result row named 'softmax, 1 label'"):
        verdict_table([{"name": "BCE (sigmoid)", "micro_f1": 0.8}], lesson=7)


def test_lesson_07_rows_fill_every_template():
    names = set()
    for claim in CLAIMS:
        for _, field, _, _ in string.Formatter().parse(claim.evidence):
            if field:
                metric, name = field.split("[", 1)
                names.add((metric, name.rstrip("]")))
    rows = {}
    for metric, name in names:
        rows.setdefault(name, {"name": name})[metric] = 0.5
    table = verdict_table(list(rows.values()), lesson=7)
    assert "0.500" in table and not re.search(r"\{\w+\[", table)  # every template field filled
    assert all(7 in c.lessons for c in CLAIMS if c.evidence)
