"""Quiz questions of lesson 07: softmax for multi-label, decoding, ZLPR, the partition model, abs-KL, optimisers."""

from losslab.interactive.quiz import Option, Question

QUESTIONS = {
    "normalized_target": Question(
        prompt=(
            "A canvas shows the digits 2 and 7. With normalised-target softmax cross-entropy, which "
            "output minimises its loss?"
        ),
        options=(
            Option(
                "softmax gives 1.0 to both",
                False,
                "Impossible: softmax outputs sum to 1. That is what independent sigmoids can do.",
            ),
            Option(
                "softmax gives 0.5 to each of them",
                True,
                "Right: the target distribution is y / sum(y) = 0.5 on each, and CE is minimised by "
                "matching it. Softmax cannot give 1.0 to both: its outputs sum to 1.",
            ),
            Option(
                "softmax gives 1.0 to one of them, either one",
                False,
                "That costs -0.5 log 1 - 0.5 log 0 = infinity for the other label: the loss wants both.",
            ),
        ),
    ),
    "softmax_decoding": Question(
        prompt=(
            "A softmax model trained with normalised targets sees a canvas with three digits and gives "
            "each about 0.3. What does the usual rule 'probability > 0.5' predict?"
        ),
        options=(
            Option("The three digits", False, "0.3 is below 0.5: a fixed threshold cannot follow the count."),
            Option(
                "Only the most probable digit",
                False,
                "That is top-1 decoding, a different rule; 'p > 0.5' picks nothing here.",
            ),
            Option(
                "No label at all",
                True,
                "Right: with k labels the probabilities are about 1/k each, so a fixed 0.5 fails as soon as "
                "k >= 2. Decode with top-k, a threshold relative to the row's maximum, or a predicted count.",
            ),
        ),
    ),
    "zlpr_threshold": Question(
        prompt="A model trained with ZLPR (multi-label categorical CE) outputs scores. Where is the decision threshold?",
        options=(
            Option(
                "At score 0, fixed by the loss",
                True,
                "Right: the extra 0 inside each log-sum-exp asks positives to score above 0 and negatives "
                "below 0, so no threshold needs tuning.",
            ),
            Option(
                "At 0.5", False, "ZLPR scores are not probabilities; 0.5 has no special meaning for them."
            ),
            Option(
                "It must be tuned on validation data",
                False,
                "You may tune it, but the loss already trains the scores against 0.",
            ),
        ),
    ),
    "abs_kl_gradient": Question(
        prompt=(
            "The thread's abs-KL clips predictions at epsilon = 1e-7. For a *positive* label, where is the "
            "gradient with respect to the prediction q zero?"
        ),
        options=(
            Option(
                "Only at q = 1, the target",
                False,
                "That is the minimum, where any loss is flat; but the clip creates a second flat region.",
            ),
            Option(
                "At q = 1, and wherever q < epsilon",
                True,
                "Right: the clip is flat there, so a collapsed positive never gets a signal to recover: max(q, eps) has zero derivative below eps. The same holds for the partition model's "
                "count head below max(0.01, .).",
            ),
            Option(
                "At q = 1, and wherever the abs flips sign",
                False,
                "The abs never flips anything here: (P - Q) and log(P / Q) always share their sign. It is the "
                "clip that adds a flat region.",
            ),
        ),
    ),
    "adadelta_default": Question(
        prompt=(
            "The Cross Validated answer found Adadelta worked best for its factorised model (Keras, 2018). In Keras 3, "
            "Adadelta() with default settings barely trains in this lesson. Why?"
        ),
        options=(
            Option(
                "Adadelta cannot train networks with a softmax head",
                False,
                "It can: with learning_rate=1.0 it trains the same model.",
            ),
            Option(
                "The thread was wrong about Adadelta",
                False,
                "The thread reported its own setting; this lesson's table shows what holds here and with which rates.",
            ),
            Option(
                "Its default learning rate is now 0.001, not 1.0",
                True,
                "Right: Keras 3's default learning rate for Adadelta is 0.001, where the Keras of 2018 used "
                "1.0: the same name with 1000x smaller steps. Optimiser claims only transfer together with "
                "their hyper-parameters.",
            ),
        ),
    ),
}
