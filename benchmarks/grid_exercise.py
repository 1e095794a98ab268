"""Exercise 09 over many seeds: does the bar separate the right approach from the two wrong ones?

    .venv/bin/python benchmarks/grid_exercise.py [--seeds 20] [--normalised]

Each seed trains, with the grader's evaluation (:func:`losslab.exercises.grid_evaluation.evaluate_approach`,
TensorFlow on the grader's one thread, the grader's data):

* **reference**: the solution notebook's own ``fit_multilabel`` (the hint's CNN, sigmoid +
  BCE on logits, prior bias, per-label thresholds tuned on the validation grids);
* **global 0.5**: the same trained model, every label decided at probability 0.5 (logit 0);
* **softmax + CCE**: the same CNN with a softmax output trained with categorical
  cross-entropy on the multi-hot rows, as a learner who picks the multi-class loss
  would, given its best chance: per-label thresholds tuned on the validation grids;
* with ``--normalised``, also softmax CE on normalised targets (y / sum(y), lesson 07);
* with ``--weak``, also a weak model: no convolutions (one Dense layer on the pixels), sigmoid +
  BCE on logits, prior bias and tuned thresholds: everything right but the model.

Printed: one row per seed (micro-F1, macro-F1, and the diagnosis for a miss), then each
approach's pass rate and the range of its figures, next to the bars.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

import numpy as np

from losslab.data.digit_grids import load_digit_grids
from losslab.environment.paths import repo_root
from losslab.environment.runtime import import_tensorflow_quietly
from losslab.exercises.grid_evaluation import (
    GRADING_THREADS,
    MACRO_F1_BAR,
    MICRO_F1_BAR,
    diagnose,
    evaluate_approach,
    score_predictions,
)
from losslab.exercises.nbtools import exec_graded_cells


def softmax_approach(tune_thresholds, normalise: bool):
    """The reference CNN with a softmax output and categorical cross-entropy (multi-hot or normalised rows)."""
    import keras

    def fit(x_train, y_train, x_val, y_val, seed=0):
        keras.utils.set_random_seed(seed)
        model = keras.Sequential(
            [
                keras.Input(shape=x_train.shape[1:]),
                keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
                keras.layers.MaxPooling2D(),
                keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
                keras.layers.MaxPooling2D(),
                keras.layers.Flatten(),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(y_train.shape[1], activation="softmax"),
            ]
        )
        model.compile(optimizer=keras.optimizers.Adam(2e-3), loss="categorical_crossentropy")
        targets = y_train
        if (
            normalise
        ):  # lesson 07: rows become distributions; a row without labels has none, so it is left out
            keep = y_train.sum(axis=1) > 0
            x_train, targets = x_train[keep], y_train[keep] / y_train[keep].sum(axis=1, keepdims=True)
        model.fit(x_train, targets, epochs=8, batch_size=64, verbose=0)
        thresholds = tune_thresholds(y_val, model.predict(x_val, verbose=0))
        return (lambda x: model.predict(x, verbose=0)), thresholds

    return fit


def weak_approach(tune_thresholds):
    """Everything right but the model: a linear layer on the pixels."""
    import keras

    def fit(x_train, y_train, x_val, y_val, seed=0):
        keras.utils.set_random_seed(seed)
        base_rate = np.clip(y_train.mean(axis=0), 1e-3, 1 - 1e-3)
        model = keras.Sequential(
            [
                keras.Input(shape=x_train.shape[1:]),
                keras.layers.Flatten(),
                keras.layers.Dense(
                    y_train.shape[1],
                    bias_initializer=keras.initializers.Constant(np.log(base_rate / (1 - base_rate))),
                ),
            ]
        )
        model.compile(
            optimizer=keras.optimizers.Adam(2e-3), loss=keras.losses.BinaryCrossentropy(from_logits=True)
        )
        model.fit(x_train, y_train, epochs=8, batch_size=64, verbose=0)
        thresholds = tune_thresholds(y_val, model.predict(x_val, verbose=0))
        return (lambda x: model.predict(x, verbose=0)), thresholds

    return fit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument(
        "--first-seed", type=int, default=0, help="seeds first-seed .. first-seed + seeds - 1"
    )
    parser.add_argument("--normalised", action="store_true", help="also softmax CE on normalised targets")
    parser.add_argument("--no-softmax", action="store_true", help="leave out softmax + CCE (faster)")
    parser.add_argument("--no-reference", action="store_true", help="leave out the reference and global 0.5")
    parser.add_argument("--weak", action="store_true", help="also a weak (linear) model")
    args = parser.parse_args()

    import_tensorflow_quietly(GRADING_THREADS)
    solution = exec_graded_cells(repo_root() / "solutions" / "09_choosing_a_loss.ipynb")
    approaches = {
        "reference": solution["fit_multilabel"],
        "softmax + CCE": softmax_approach(solution["tune_thresholds"], normalise=False),
    }
    if args.no_softmax:
        del approaches["softmax + CCE"]
    if args.weak:
        approaches["weak model"] = weak_approach(solution["tune_thresholds"])
    if args.normalised:
        approaches["softmax, normalised"] = softmax_approach(solution["tune_thresholds"], normalise=True)
    data = load_digit_grids()
    y_test = data.test.y
    if args.no_reference:
        del approaches["reference"]
    names = [*(["reference", "global 0.5"] if "reference" in approaches else []), *approaches]
    rows: dict[str, list] = {name: [] for name in dict.fromkeys(names)}
    seconds = []
    print(
        f"bars: micro-F1 >= {MICRO_F1_BAR}, macro-F1 >= {MACRO_F1_BAR}; TensorFlow on {GRADING_THREADS} thread"
    )
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        cells = []
        for name, fit in approaches.items():
            started = time.monotonic()
            run = evaluate_approach(fit, seed=seed, data=data)
            seconds.append(time.monotonic() - started)
            runs = [(name, run)]
            if name == "reference":  # the same model, decided at probability 0.5 (logit 0)
                half = np.zeros(10)
                predicted = (run.test_scores >= half).astype(np.int64)
                runs.append(
                    (
                        "global 0.5",
                        dataclasses.replace(
                            run,
                            thresholds=half,
                            predicted=predicted,
                            result=score_predictions(y_test, predicted, run.test_scores),
                        ),
                    )
                )
            for label, r in runs:
                cause = "" if r.result.passed else diagnose(r, data).cause
                rows[label].append((r.result, cause))
                mark = "pass" if r.result.passed else f"MISS ({cause})"
                cells.append(
                    f"{label}: {r.result.micro_f1:.3f}/{r.result.macro_f1:.3f} mAP {r.result.mean_ap:.3f} {mark}"
                )
        print(f"seed {seed:2d} | " + " | ".join(cells), flush=True)

    print()
    print(
        f"{'approach':<22}{'passes':>8}{'micro-F1 min..max':>22}{'macro-F1 min..max':>22}{'mAP mean':>10}  causes"
    )
    for label, results in rows.items():
        passes = sum(r.passed for r, _ in results)
        micro = [r.micro_f1 for r, _ in results]
        macro = [r.macro_f1 for r, _ in results]
        causes = sorted({c for _, c in results if c})
        print(
            f"{label:<22}{passes:>4} / {len(results):<3}{min(micro):>10.3f} .. {max(micro):.3f}"
            f"{min(macro):>11.3f} .. {max(macro):.3f}{statistics.mean(r.mean_ap for r, _ in results):>10.3f}"
            f"  {', '.join(causes) or '-'}"
        )
    print(
        f"\none training: {statistics.mean(seconds):.1f} s on average ({min(seconds):.1f} .. {max(seconds):.1f})"
    )


if __name__ == "__main__":
    main()
