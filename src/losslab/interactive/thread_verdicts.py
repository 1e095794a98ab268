"""The claims of the three source threads and the course's verdict on each, kept in one place.

Lesson 07 measures several claims and prints their verdicts with its own
numbers; lesson 09 prints the same verdicts as the course's summary. Both
render them from :data:`CLAIMS`, so the two lessons cannot disagree::

    from IPython.display import Markdown
    Markdown(verdict_table())                          # lesson 09: every claim, no numbers
    Markdown(verdict_table(rows, lesson=7))            # lesson 07: its claims, with measured evidence

A claim's ``evidence`` is a template filled from result rows (dicts with a
``"name"`` and metric values, as :func:`losslab.modeling.loss_comparison.evaluate_run`
returns them): ``{micro_f1[BCE (sigmoid)]:.3f}`` is the ``micro_f1`` of the row
named ``BCE (sigmoid)``.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["CLAIMS", "Claim", "verdict_table"]


@dataclass(frozen=True)
class Claim:
    """One claim of a source thread.

    Attributes:
        claim: what the thread says (short, quoted where it is a quote).
        verdict: the course's verdict, true in the setting learners meet.
        lessons: the lessons that show it.
        evidence: optional template of measured numbers (see the module docstring).
    """

    claim: str
    verdict: str
    lessons: tuple[int, ...]
    evidence: str = ""


CLAIMS: tuple[Claim, ...] = (
    Claim(
        "Multi-label: sigmoid outputs, and the loss on the logits (`sigmoid_cross_entropy_with_logits`)",
        "**Right**, and the numerically stable way",
        (1, 3),
    ),
    Claim(
        '"Softmax is just sigmoid units squashing every class into 0..1"',
        "**Wrong**: softmax couples the outputs (they sum to 1), sigmoids do not",
        (1,),
    ),
    Claim(
        "Multi-class: softmax + CCE; multi-label: sigmoid + BCE (the quiz of the first thread)",
        "**Right**",
        (1,),
    ),
    Claim(
        r"A hand-written $y\ln\sigma(x) + (1-y)\ln(1-\sigma(x))$ as the loss",
        r"**Missing a minus sign**, and unstable: $\log 0$ for large $\lvert x\rvert$ in float32",
        (3, 5),
    ),
    Claim(
        '`softmax_cross_entropy_with_logits` is fine "if each row of labels is a valid probability '
        'distribution. If they are not, the computation of the gradient will be incorrect."',
        r"**Right.** TensorFlow's default kernel returns the gradient $\operatorname{softmax} - y$, wrong for rows "
        "that do not sum to 1; raw multi-hot rows make training diverge. Normalised targets meet the condition",
        (2, 4, 7),
        "a gradient check fails on multi-hot rows with the default kernel (section 2)",
    ),
    Claim(
        '"If on average any row is assigned less labels then you can use softmax_cross_entropy_with_logits"',
        "**Not as stated.** The gradient condition holds row by row, not on average: a batch averaging one "
        "label per row still gets a wrong gradient. What is true: the fewer labels a row has, the closer a "
        "normalised softmax comes to sigmoid + BCE",
        (7,),
        "micro-F1 on canvases with 1 label: softmax {micro_f1[softmax, 1 label]:.3f} vs BCE "
        "{micro_f1[BCE, 1 label]:.3f}; with 4 labels: {micro_f1[softmax, 4 labels]:.3f} vs "
        "{micro_f1[BCE, 4 labels]:.3f}",
    ),
    Claim(
        '"Use softmax ... and then use probabilities to multilabel your data"',
        "**Partly.** With normalised targets a softmax *ranks* labels almost as well as BCE, but turning its "
        "output into label sets needs the count",
        (4, 7),
        "mAP {mAP[softmax, relative >= 0.5 max]:.3f} vs BCE {mAP[BCE (sigmoid)]:.3f}; micro-F1 with a relative "
        "threshold of 0.5 {micro_f1[softmax, relative >= 0.5 max]:.3f} vs {micro_f1[BCE (sigmoid)]:.3f}; with "
        "the true count {micro_f1[softmax, true count (oracle)]:.3f}",
    ),
    Claim(
        'The partition-function model (KL + MSE, count clipped at 0.01) "proved useful"',
        "**Not supported**: far below BCE and below the plain softmax whose KL term it shares",
        (7,),
        "micro-F1 {micro_f1[partition, KL + MSE]:.3f}, mAP {mAP[partition, KL + MSE]:.3f}",
    ),
    Claim(
        '"A Poisson unit would probably work better" (for the count head)',
        "**Supported**: better than the MSE head, still below BCE",
        (7,),
        "micro-F1 {micro_f1[partition, KL + Poisson]:.3f}, mAP {mAP[partition, KL + Poisson]:.3f}",
    ),
    Claim(
        '"Using a Dirichlet process would allow some prior on the number of labels"',
        "**A prior adds little where the count is visible.** The count head already estimates the number of "
        "labels of each example from its input; a prior only says which counts are common, and helps when an "
        "example says little about its own count",
        (7,),
        "count right on {count_right[prior only (most common count)]:.1%} of test canvases from the prior "
        "alone, {count_right[partition, KL + Poisson]:.1%} from the Poisson count head",
    ),
    Claim(
        'Sigmoid + cross-entropy "did not work out ... inclined to predict Z only"',
        "**Not supported**: BCE is among the best methods here",
        (7,),
        "micro-F1 {micro_f1[BCE (sigmoid)]:.3f}, mAP {mAP[BCE (sigmoid)]:.3f}, "
        "{labels_per_row[BCE (sigmoid)]:.2f} labels per canvas predicted",
    ),
    Claim(
        '"The modified KL-divergence is still inclined to give multi-class output rather than multi-label"',
        "**Supported, and worse**: abs-KL on $Z \\cdot P$ predicts few labels, because it charges a false "
        "positive far more than BCE does",
        (7,),
        "{labels_per_row[partition, abs-KL on Z*P]:.2f} labels per canvas predicted, micro-F1 "
        "{micro_f1[partition, abs-KL on Z*P]:.3f}",
    ),
    Claim(
        'The factorised model "works best under Adadelta"; "Adagrad don\'t work"; SGD "subject to parameter"',
        "**Only with the learning rate of 2018's Keras** (Adadelta 1.0); at Keras 3's default (0.001) Adadelta "
        "learns nothing",
        (7,),
        "micro-F1 Adadelta lr 1: {micro_f1[adadelta, lr 1]:.3f}, lr 0.001: "
        "{micro_f1[adadelta, lr 0.001 (default)]:.3f}; RMSprop {micro_f1[rmsprop, lr 0.001 (default)]:.3f}, "
        "Adagrad {micro_f1[adagrad, lr 0.001 (default)]:.3f}, SGD {micro_f1[sgd, lr 0.01 (default)]:.3f}",
    ),
    Claim(
        '"Adam was much better than rmsprop"',
        "**Not here**, at their default learning rates",
        (7,),
        "micro-F1 Adam {micro_f1[adam, lr 0.001 (default)]:.3f}, RMSprop {micro_f1[rmsprop, lr 0.001 (default)]:.3f}",
    ),
    Claim(
        "Should I `tf.round` the logits before the loss?",
        "**No**: rounding has zero gradient, nothing trains",
        (5,),
    ),
    Claim(
        '"Outputs all between 0.2 and 0.4" on a 4096-label mask',
        "**A real symptom** of two causes: the sigmoid applied twice (a passing stage: the outputs keep "
        "sliding towards 0) or a collapse to the base rate",
        (5,),
    ),
    Claim(
        '"Multilabel multiclass": each output takes one of several values',
        "**A third problem kind**: one softmax head per output",
        (8,),
    ),
)


class _Rows(Mapping):
    """``metric -> {row name -> value}`` for str.format, with a clear error for a missing row."""

    def __init__(self, metric: str, rows: Sequence[Mapping]):
        self.metric = metric
        self.values = {row["name"]: row[metric] for row in rows if metric in row}

    def __getitem__(self, name):
        if name not in self.values:
            raise KeyError(f"no result row named {name!r} with {self.metric!r}; rows: {sorted(self.values)}")
        return self.values[name]

    def __iter__(self):
        return iter(self.values)

    def __len__(self):
        return len(self.values)


def _fill(template: str, rows: Sequence[Mapping]) -> str:
    metrics = {field.split("[")[0] for _, field, _, _ in string.Formatter().parse(template) if field}
    return template.format(**{metric: _Rows(metric, rows) for metric in metrics})


def verdict_table(rows: Sequence[Mapping] | None = None, lesson: int | None = None) -> str:
    """The claims as a Markdown table: claim | verdict | lessons, plus measured evidence if ``rows``.

    Args:
        rows: result rows (``{"name": ..., "micro_f1": ..., ...}``) that fill the
            evidence templates; without them no evidence column is shown.
        lesson: keep only the claims shown in this lesson.

    Raises:
        KeyError: a claim's evidence names a row or metric that ``rows`` lacks.
    """
    claims = [c for c in CLAIMS if lesson is None or lesson in c.lessons]
    if rows is not None:
        claims = [c for c in claims if c.evidence]
        lines = ["| claim in the threads | verdict | measured here |", "|---|---|---|"]
        for c in claims:
            lines.append(f"| {c.claim} | {c.verdict}. | {_fill(c.evidence, rows)} |")
    else:
        lines = ["| claim in the threads | verdict | lessons |", "|---|---|---|"]
        for c in claims:
            lines.append(f"| {c.claim} | {c.verdict}. | {', '.join(f'{n:02d}' for n in c.lessons)} |")
    return "\n".join(lines)
