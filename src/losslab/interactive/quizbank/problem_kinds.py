"""Quiz questions of lesson 01: multi-class vs multi-label vs multi-output multi-class."""

from losslab.interactive.quiz import Option, Question

QUESTIONS = {
    # Source: the "Arya's confusion" quiz (feedback for every option).
    "arya": Question(
        prompt=(
            "Arya never remembers which loss goes with which problem. "
            "Which two of the following statements are correct?"
        ),
        options=(
            Option(
                "Binary cross-entropy is the loss function used for multi-label classification problems.",
                True,
                "Yes: each label is its own yes/no question, answered by its own sigmoid; BCE scores each one.",
            ),
            Option(
                "Binary cross-entropy is the loss function used for multi-class classification problems.",
                False,
                "No: with one class per example the outputs should compete (sum to 1). Independent sigmoids "
                "trained with BCE on one-hot rows can learn, but nothing makes their probabilities add up: an "
                "image can come out 0.9 'cat' and 0.9 'dog'. Softmax + CCE builds 'exactly one' into the model.",
            ),
            Option(
                "Categorical cross-entropy is the loss function used for multi-label classification problems.",
                False,
                "No: with softmax, two true labels must share probability 1, so each reaches 0.5 at best, "
                "however sure the model is. With sigmoid outputs, CCE = -sum y*log p never looks at the labels "
                "that should be 0, so nothing stops the model from switching every output on.",
            ),
            Option(
                "Categorical cross-entropy is the loss function used for multi-class classification problems.",
                True,
                "Yes: softmax makes one distribution over the classes, and CCE is the negative log of the "
                "probability given to the true class.",
            ),
        ),
        explanation=(
            "Multi-class: softmax + categorical cross-entropy. Multi-label: one sigmoid per label + binary "
            "cross-entropy, i.e. K binary classifiers sharing one network."
        ),
    ),
    "which_kind": Question(
        prompt=(
            "A canvas holds up to four handwritten digits. The model must say, for each quadrant, which "
            "digit is there or that it is empty. What kind of problem is this?"
        ),
        options=(
            Option(
                "Multi-output multi-class",
                True,
                "Right: four outputs, each choosing one of 11 classes (0-9 or empty): four softmax heads.",
            ),
            Option(
                "Multi-class", False, "Multi-class has one answer per example; here there are four answers."
            ),
            Option(
                "Multi-label",
                False,
                "Multi-label asks only *which* labels are present (10 yes/no answers); it loses *where* they are.",
            ),
        ),
    ),
    "softmax_is_sigmoids": Question(
        prompt=(
            "A commenter says: 'softmax is just sigmoid units that squash their inputs into 0..1 for every "
            "class'. You raise one logit of a 5-class model. What happens to the other four outputs?"
        ),
        options=(
            Option(
                "They stay the same in both cases.",
                False,
                "Try it in the explorer above: softmax outputs must keep summing to 1, so when one rises the "
                "others must fall. Sigmoids do stay put: that is the difference.",
            ),
            Option(
                "With softmax they go down, with sigmoids they stay the same.",
                True,
                "Right: softmax divides by the sum of all exponentials, so outputs are coupled; each sigmoid "
                "only sees its own logit.",
            ),
            Option(
                "With sigmoids they go down, with softmax they stay the same.",
                False,
                "The other way round: sigmoid(x_j) depends on x_j only.",
            ),
        ),
    ),
}
