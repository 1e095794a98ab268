"""Answer tells in a quiz bank: figures a test holds the course's questions to.

A learner who never read the lesson should not be able to guess the answer from
the shape of the options. Three tells are measured over single-choice questions
(a multiple-select question has several right positions and lengths, and says
how many to pick):

* **position**: the share of questions whose right option sits at the most
  common position (at most :data:`MAX_POSITION_SHARE`); also, inside one bank
  module (one lesson) with three or more single-choice questions, no position
  may hold more than half of them, rounded up;
* **length**: the share of questions whose right option is strictly the longest
  (at most :data:`MAX_LONGEST_SHARE`);
* **self-explaining options**: an option that carries its own justification
  ("X, because Y", "X: Y", "X, so Y"), in *any* option. The why belongs in the
  option's feedback, which the learner sees after answering.

    figures = audit_bank(all_questions())
    figures.problems()   # [] when the bank has no tells
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from losslab.interactive.quiz import Question

__all__ = [
    "MAX_LONGEST_SHARE",
    "MAX_POSITION_SHARE",
    "BankFigures",
    "audit_bank",
    "explains_itself",
]

MAX_POSITION_SHARE = 0.40
MAX_LONGEST_SHARE = 1 / 3

# Words and punctuation that join a claim to its reason or consequence.
_JUSTIFICATION = re.compile(
    r"\b(because|since|so|so that|which means|which is why|therefore|hence|thus|otherwise)\b"
    r"|:\s"  # "claim: reason"
    r"|;\s"  # "claim; reason"
    r"|\s[—–]\s",  # "claim — reason" (an ASCII " - " may be a minus sign)
    re.IGNORECASE,
)


def explains_itself(text: str) -> str | None:
    """The words of ``text`` that join a claim to its justification, or None.

    >>> explains_itself("No: tf.round has no gradient, so nothing learns")
    ': '
    >>> explains_itself("About 0.014") is None
    True
    """
    match = _JUSTIFICATION.search(text)
    return match.group(0) if match else None


@dataclass(frozen=True)
class BankFigures:
    """The tells of a bank of questions (keys ``"module.name"``).

    Attributes:
        n_single: number of single-choice questions.
        positions: how many single-choice questions have their right option at each index.
        longest: keys of single-choice questions whose right option is strictly the longest.
        self_explaining: ``"key [option i]: marker"`` for every option that explains itself.
        crowded_modules: ``"module: position p holds c of n"`` for modules failing the per-lesson spread.
    """

    n_single: int
    positions: dict[int, int]
    longest: tuple[str, ...]
    self_explaining: tuple[str, ...]
    crowded_modules: tuple[str, ...]

    @property
    def position_share(self) -> float:
        """Share of single-choice questions whose right option is at the most common position."""
        return max(self.positions.values()) / self.n_single if self.n_single else 0.0

    @property
    def longest_share(self) -> float:
        """Share of single-choice questions whose right option is strictly the longest."""
        return len(self.longest) / self.n_single if self.n_single else 0.0

    def summary(self) -> str:
        spread = ", ".join(f"{p}: {c}" for p, c in sorted(self.positions.items()))
        return (
            f"{self.n_single} single-choice questions; right option at position {{{spread}}} "
            f"(largest share {self.position_share:.0%}); right option longest in {len(self.longest)} "
            f"({self.longest_share:.0%}); {len(self.self_explaining)} self-explaining options"
        )

    def problems(self) -> list[str]:
        """What breaks the limits, one line each; empty when the bank has no tells."""
        found = []
        if self.position_share > MAX_POSITION_SHARE + 1e-12:
            found.append(
                f"position tell: {self.position_share:.0%} of single-choice answers share one position "
                f"(limit {MAX_POSITION_SHARE:.0%}); move some right options"
            )
        if self.longest_share > MAX_LONGEST_SHARE + 1e-12:
            found.append(
                f"length tell: the right option is the longest in {len(self.longest)} of {self.n_single} "
                f"questions (limit one third): {', '.join(self.longest)}"
            )
        found += [f"self-explaining option: {entry}" for entry in self.self_explaining]
        found += [f"position tell inside a lesson: {entry}" for entry in self.crowded_modules]
        return found


def _strictly_longest(question: Question) -> bool:
    right = question.correct_indices[0]
    lengths = [len(o.text) for o in question.options]
    return all(lengths[right] > n for i, n in enumerate(lengths) if i != right)


def audit_bank(questions: Mapping[str, Question]) -> BankFigures:
    """Measure the tells of ``questions`` (a mapping ``"module.name" -> Question``)."""
    single = {key: q for key, q in questions.items() if not q.multiple}
    positions = Counter(q.correct_indices[0] for q in single.values())
    longest = tuple(key for key, q in single.items() if _strictly_longest(q))
    explaining = tuple(
        f"{key} [option {i}]: {marker!r} in {option.text!r}"
        for key, q in questions.items()
        for i, option in enumerate(q.options)
        if (marker := explains_itself(option.text))
    )
    by_module: dict[str, Counter] = {}
    for key, q in single.items():
        by_module.setdefault(key.partition(".")[0], Counter())[q.correct_indices[0]] += 1
    crowded = []
    for module, counts in sorted(by_module.items()):
        n = sum(counts.values())
        position, count = counts.most_common(1)[0]
        if n >= 3 and count > math.ceil(n / 2):
            crowded.append(f"{module}: position {position} holds {count} of {n} single-choice answers")
    return BankFigures(len(single), dict(positions), longest, explaining, tuple(crowded))
