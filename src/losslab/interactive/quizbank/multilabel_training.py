"""Quiz questions of lesson 04: training and measuring a multi-label classifier."""

from losslab.interactive.quiz import Option, Question

QUESTIONS = {
    "accuracy_trap": Question(
        prompt=(
            "You compile a 10-label sigmoid model with metrics=['accuracy']. A canvas shows digits {2, 7}; "
            "the model gives label 2 probability 0.9 and every other label 0.1. What does Keras' 'accuracy' "
            "count for this canvas?"
        ),
        options=(
            Option(
                "0 (wrong)",
                False,
                "One of the two digits is missed, so subset accuracy would say 0, but Keras did not pick subset accuracy: it resolved "
                "'accuracy' to CategoricalAccuracy (argmax vs argmax) for a (batch, 10) output.",
            ),
            Option(
                "1 (correct)",
                True,
                "Right: 'accuracy' became CategoricalAccuracy, which only compares the argmax of the target "
                "with the argmax of the prediction. Both argmaxes are label 2, so it counts as correct although digit 7 was missed. "
                "With multi-hot targets the argmax of the target is just the first true label.",
            ),
            Option(
                "0.9 (nine of ten labels right)",
                False,
                "That is BinaryAccuracy (per-label decisions at 0.5), which Keras uses only for a single "
                "output unit; for (batch, 10) it chose CategoricalAccuracy.",
            ),
        ),
        explanation="Name the metric you mean (BinaryAccuracy, F1Score with a threshold) or compute it "
        "yourself with scikit-learn; never trust the string 'accuracy' on a multi-label model.",
    ),
    "binary_accuracy": Question(
        prompt=(
            "In the 4096-pixel mask task of lesson 05, about 5 % of the labels are 1. A model outputs 0 for "
            "every pixel of every image. What is its BinaryAccuracy?"
        ),
        options=(
            Option("About 50 %", False, "Only if half of the labels were 1; here only 5 % are."),
            Option(
                "0 %",
                False,
                "It finds no object, but 0 % would be the recall of the positives. BinaryAccuracy counts every correct 0 as well.",
            ),
            Option(
                "About 95 %",
                True,
                "Right: it is right on every 0 label, and 95 % of labels are 0. BinaryAccuracy rewards "
                "predicting the majority value; look at F1, mAP or recall of the positives instead.",
            ),
        ),
    ),
    "threshold_on_test": Question(
        prompt=(
            "You try 19 thresholds and report the test micro-F1 of the best one. A colleague objects. Why?"
        ),
        options=(
            Option(
                "Thresholds must always be 0.5 for sigmoid outputs.",
                False,
                "No: 0.5 is only optimal for accuracy of a calibrated model; for F1, or for rare labels, "
                "another threshold is often better. The objection is about *where* it was chosen.",
            ),
            Option(
                "The threshold was chosen on the test labels.",
                True,
                "Right, so the reported score is optimistic: choose it on the validation split, then score "
                "the test split once. A threshold is a parameter of the classifier like any weight. Tuning it on the test "
                "set leaks the answers; the honest number comes from a split the choice never saw.",
            ),
            Option(
                "F1 does not depend on the threshold.",
                False,
                "It does (see the sweep figure); mAP is the metric that does not.",
            ),
        ),
    ),
    "softmax_two_labels": Question(
        prompt=(
            "A softmax model trained with categorical cross-entropy on normalised targets (each multi-hot row "
            "divided by its number of labels) sees a canvas with three different digits. At best, what "
            "probability can each true digit get?"
        ),
        options=(
            Option(
                "Close to 1 each",
                False,
                "Softmax outputs always sum to 1: three outputs near 1 are impossible.",
            ),
            Option(
                "1 for the first digit, 0 for the others",
                False,
                "The target is 1/3 on each true digit, and cross-entropy is smallest when the output matches "
                "the target: the optimum spreads the mass evenly over them.",
            ),
            Option(
                "About 1/3 each",
                True,
                "Right, so a 0.5 threshold misses all three: softmax outputs sum to 1, so three true labels share the mass. The fix is a decision "
                "rule made for it (top-k, a lower or relative threshold) or independent sigmoids.",
            ),
        ),
    ),
}
