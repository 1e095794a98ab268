"""Quiz questions of lesson 06: base rates, prior bias, pos_weight, class_weight, focal loss and ASL."""

from losslab.interactive.quiz import Option, Question

QUESTIONS = {
    "constant_predictor": Question(
        prompt=(
            "Digit 9 is on 1.4% of the training canvases. A model that ignores its input and minimises "
            "BCE for that label will predict which probability for it, on every canvas?"
        ),
        options=(
            Option(
                "0.5",
                False,
                "0.5 is where a zero logit starts, not where BCE ends up: BCE is lower at 0.014.",
            ),
            Option(
                "Exactly 0",
                False,
                "p = 0 makes the loss of every positive infinite; the optimum is small but not 0.",
            ),
            Option("About 0.986", False, "That is 1 - pi, the rate of the *negatives*."),
            Option(
                "About 0.014",
                True,
                "Right, the base rate: the constant p minimising -[pi log p + (1-pi) log(1-p)] is p = pi. This is the "
                "'outputs stuck at the base rate' symptom of the Data Science Stack Exchange question.",
            ),
        ),
    ),
    "prior_bias": Question(
        prompt="A label has base rate pi = 0.01. Which initial output bias makes the untrained model predict pi?",
        options=(
            Option("0", False, "A zero bias gives sigmoid(0) = 0.5: 50 times too often for this label."),
            Option("0.01", False, "The bias is a logit, not a probability: sigmoid(0.01) is about 0.5025."),
            Option(
                "log(0.01 / 0.99) ≈ -4.6",
                True,
                "Right: sigmoid(b) = pi exactly when b = log(pi / (1 - pi)), the inverse of the sigmoid.",
            ),
            Option(
                "log(0.99 / 0.01) ≈ +4.6",
                False,
                "Wrong sign: sigmoid(+4.6) is about 0.99, the rate of the negatives.",
            ),
        ),
    ),
    "class_weight": Question(
        prompt=(
            "You call fit(..., class_weight={9: 50.0}) on a model with ten sigmoid outputs and multi-hot "
            "targets, hoping to up-weight the rare digit 9. What does Keras actually do?"
        ),
        options=(
            Option(
                "It weights whole rows, by their argmax label.",
                True,
                "Right: Keras turns class_weight into one sample weight per row from argmax(y); the argmax of "
                "a multi-hot row is its first positive label. So a row with a 2 and a 9 gets weight 1, and a "
                "row whose only digit is 9 gets 50 on all ten labels. The lesson measured it.",
            ),
            Option(
                "It multiplies the loss of every positive 9 label by 50.",
                False,
                "That is what you wanted (and what pos_weight does), but class_weight is one weight per row.",
            ),
            Option(
                "It raises an error about the multi-hot targets.",
                False,
                "It does not: it silently takes the argmax, which is why this bug goes unnoticed.",
            ),
        ),
    ),
    "focal_factor": Question(
        prompt=(
            "With focal loss (gamma = 2), a label the model already gets right with p_t = 0.9 has its BCE "
            "multiplied by how much?"
        ),
        options=(
            Option(
                "0.01",
                True,
                "Right: (1 - p_t)^gamma = 0.1^2 = 0.01. Easy labels nearly vanish from the loss.",
            ),
            Option("0.1", False, "That is (1 - p_t) with gamma = 1."),
            Option("0.81", False, "That is p_t^2: the factor is (1 - p_t)^gamma, small for easy labels."),
            Option("1", False, "Only with gamma = 0, which is plain BCE."),
        ),
    ),
    "asl_margin": Question(
        prompt="ASL with clip = 0.05: what happens to a negative label the model predicts at p = 0.03?",
        options=(
            Option(
                "Its loss is small but still pushes p towards 0.",
                False,
                "That is BCE and focal loss; ASL's margin cuts the negative term off below p = clip.",
            ),
            Option(
                "It is treated as a positive.",
                False,
                "No: the margin only shifts the negative term; it never changes the label.",
            ),
            Option(
                "Its loss and its gradient are exactly 0.",
                True,
                "Right: p_m = max(p - 0.05, 0) = 0, so easy negatives stop pulling the logits down at all.",
            ),
        ),
    ),
}
