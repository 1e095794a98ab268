"""Quiz questions of lesson 05: the bug clinic."""

from losslab.interactive.quiz import Option, Question

QUESTIONS = {
    "stuck_outputs_mystery": Question(
        prompt=(
            "A 4096-label sigmoid model outputs values between 0.2 and 0.4 for every pixel. The outputs of "
            "two different test images look the same. Which two findings would each explain it?"
        ),
        options=(
            Option(
                "The final layer applies a sigmoid and the loss is tf.nn.sigmoid_cross_entropy_with_logits.",
                True,
                "Yes: the sigmoid runs twice, the loss has a floor and a damped gradient, and the outputs "
                "drift slowly without looking at the input (check_logits_vs_probabilities finds it).",
            ),
            Option(
                "The outputs equal each pixel's base rate.",
                True,
                "Yes: the model learned the prior, not the input. Under heavy imbalance, the biases learn the base rate fast; check_output_statistics "
                "compares the model's BCE with the base-rate predictor's.",
            ),
            Option(
                "The learning rate is too small to reach 0.5.",
                False,
                "A too-small learning rate slows everything, but outputs identical across images mean the "
                "model ignores its input: look for the two real causes first.",
            ),
            Option(
                "Sigmoid outputs can never exceed 0.5 with cross-entropy.",
                False,
                "A sigmoid reaches any value in (0, 1); the fixed model of this lesson puts most disc pixels above 0.5.",
            ),
        ),
    ),
    "floor_values": Question(
        prompt=(
            "A model's sigmoid outputs are fed to a loss that applies the sigmoid again. What is the lowest "
            "loss it can reach on a label that is 0?"
        ),
        options=(
            Option(
                "about 0.313",
                False,
                "That is the floor for a label that is 1 (p -> 1, sigmoid(1) = 0.731).",
            ),
            Option(
                "0", False, "Only if the loss could see a probability near 0; sigmoid(p) >= 0.5 for p >= 0."
            ),
            Option(
                "about 0.693",
                True,
                "Right: the loss sees sigmoid(p) with p >= 0, so at best sigmoid(0) = 0.5, and -log(1 - 0.5) "
                "= ln 2. For a label 1 the floor is log(1 + e^-1) ≈ 0.313.",
            ),
        ),
    ),
    "round_logits": Question(
        prompt="A learner on the Cross Validated thread asks: 'should I tf.round(logits) before using them in the cost function?'",
        options=(
            Option(
                "Yes, logits should be 0/1 like the labels.",
                False,
                "Logits are unbounded scores, not labels; the loss needs their exact value to have a slope.",
            ),
            Option(
                "No, it stops all learning.",
                True,
                "Right: tf.round has no useful gradient, so nothing upstream can learn. The rounded value is flat between half-integers, so its derivative is zero (TensorFlow "
                "even returns no gradient). Round only predictions, after training.",
            ),
            Option(
                "Yes, but only with from_logits=False.",
                False,
                "Rounding kills the gradient whatever the loss is configured to expect.",
            ),
        ),
    ),
    "sum_vs_mean": Question(
        prompt=(
            "You replace Keras' BinaryCrossentropy (mean over the 4096 labels) with a hand-written loss that "
            "sums over the labels, and keep SGD with the same learning rate. What happens?"
        ),
        options=(
            Option(
                "The steps get 4096 times larger.",
                True,
                "Right: every gradient is 4096 times larger, like multiplying the learning rate by 4096, and "
                "training can blow up. check_initial_loss sees it at once: the untrained loss is "
                "4096 ln 2 instead of ln 2. Adam largely hides it because it normalises gradient scale.",
            ),
            Option(
                "Nothing changes.",
                False,
                "The minimum is in the same place, but the step size is not: SGD moves by learning rate × gradient.",
            ),
            Option(
                "Training becomes 4096 times slower.",
                False,
                "The other way round: the steps become 4096 times larger.",
            ),
        ),
    ),
}
