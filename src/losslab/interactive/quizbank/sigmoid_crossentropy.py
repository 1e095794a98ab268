"""Quiz questions of lesson 03: sigmoid and binary cross-entropy."""

from losslab.interactive.quiz import Option, Question

QUESTIONS = {
    "where_sigmoid": Question(
        prompt=(
            "A multi-label model is trained with tf.nn.sigmoid_cross_entropy_with_logits. Where does the "
            "sigmoid belong?"
        ),
        options=(
            Option(
                "in the model's last layer, whose output goes into the loss",
                False,
                "Then the sigmoid is applied twice: what the loss sees is squeezed into (0.5, 0.731), so it can "
                "never fall below 0.313 for a positive label - one suspect for the asker's later 'outputs "
                "stuck between 0.2 and 0.4' (lesson 5).",
            ),
            Option(
                "only where you read predictions, not before the loss",
                True,
                "Right (the Stack Exchange answer of §1): the loss takes the logits and applies the sigmoid "
                "inside, in a stable form. A "
                "separate probability model (or tf.sigmoid on the logits) gives the probabilities to threshold.",
            ),
            Option(
                "nowhere, logits are already probabilities",
                False,
                "Logits are any real numbers; the sigmoid turns each into a probability in (0, 1).",
            ),
        ),
    ),
    "naive_nan": Question(
        prompt=(
            "In float32, what does the naive formula −[z log σ(x) + (1−z) log(1−σ(x))] give for a positive "
            "label (z = 1) at logit x = 20?"
        ),
        options=(
            Option(
                "about 2e-9",
                False,
                "That is the true loss, which the stable form returns; the naive one does not.",
            ),
            Option("0", False, "It would be 0 if 0·(−inf) were 0; in IEEE arithmetic it is NaN."),
            Option(
                "NaN",
                True,
                "Yes: σ(20) rounds to exactly 1.0 in float32, so log(1 − σ) = −inf, and (1 − z)·(−inf) = 0·(−inf) "
                "= NaN - for an example the model gets right. One NaN and the whole batch's gradient is NaN.",
            ),
            Option(
                "inf",
                False,
                "inf happens at the other end: log σ(x) for x far below 0 (z = 1) or x ≥ 17 (z = 0).",
            ),
        ),
    ),
    "clipping": Question(
        prompt=(
            "A Keras model ends in Dense(1, activation='sigmoid') and is compiled with BinaryCrossentropy() "
            "(probabilities, from_logits=False), TensorFlow backend. For a positive label its logit is -100, "
            "so its output is p ≈ 4e-44. What loss and gradient (with respect to the logit) does fit use?"
        ),
        options=(
            Option(
                "the loss is inf", False, "Keras never takes log(0) here: it either clips or uses the logit."
            ),
            Option(
                "the loss is about 16.1 and the gradient is exactly 0",
                False,
                "That is what the clip gives when the loss sees nothing but probabilities: a plain tensor "
                "eagerly, another backend, or an operation (a Reshape, say) between the sigmoid and the loss. "
                "Here the sigmoid layer's output carries its logit, and Keras uses it.",
            ),
            Option(
                "the loss is about 16.1 and the gradient is large, pushing p up",
                False,
                "A clipped value has gradient 0 outside the band; and here there is no clip anyway.",
            ),
            Option(
                "the exact loss, -log σ(-100) = 100, and gradient -1",
                True,
                "Yes: on the TensorFlow backend the output of a Keras sigmoid remembers its logit, and "
                "BinaryCrossentropy computes the stable loss from it, unclipped. The worst mistake keeps "
                "its full gradient (§6 measures it in a real fit).",
            ),
        ),
    ),
    "clipping_reshape": Question(
        prompt=(
            "The same model, but a Reshape layer follows the sigmoid (to show 4,096 outputs as a 64 × 64 mask). "
            "Same example, logit -100, label 1, BinaryCrossentropy(). What does fit use now?"
        ),
        options=(
            Option(
                "the exact loss 100 and gradient -1, as before",
                False,
                "Keras looks for logits only on the tensor the loss receives. The Reshape's output is a new "
                "tensor, not made by a sigmoid, so Keras sees only probabilities.",
            ),
            Option(
                "the clipped loss, about 16.1, and gradient exactly 0",
                True,
                "Yes: p is clipped to 1e-7, the loss is -log(1e-7) ≈ 16.1, and the clip is flat, so the "
                "example stops teaching the model. Output logits and use from_logits=True, and no layer "
                "order can change that.",
            ),
            Option(
                "NaN from log(4e-44)",
                False,
                "log of a tiny positive number is fine (about -100); log(0) would be -inf. Keras clips "
                "before taking the log, so neither happens.",
            ),
        ),
    ),
    "initial_bce": Question(
        prompt=(
            "The mask model of §1 (the Stack Exchange question) has 4,096 sigmoid outputs. At initialisation all logits are near 0. What does "
            "Keras' BinaryCrossentropy report as the first loss?"
        ),
        options=(
            Option(
                "4096 · ln 2 ≈ 2839",
                False,
                "That is what a hand-written *sum* over labels reports: the same model, a 4,096 times larger "
                "loss and gradient, so an effectively 4,096 times larger learning rate.",
            ),
            Option(
                "ln 2 ≈ 0.693",
                True,
                "Yes: each label's loss is −ln 0.5 = ln 2, and Keras averages over the labels.",
            ),
            Option(
                "ln 4096 ≈ 8.32",
                False,
                "That is the initial loss of a 4,096-class softmax, not of 4,096 sigmoids.",
            ),
            Option("0.5", False, "0.5 is the initial *probability*; the loss is −ln 0.5."),
        ),
    ),
    "missing_minus": Question(
        prompt=(
            "A forum answer writes the loss as y·ln(sigmoid(logits)) + (1−y)·ln(1−sigmoid(logits)) and minimises it. "
            "What does training do?"
        ),
        options=(
            Option(
                "the opposite of BCE training",
                True,
                "Right: it pushes the predictions away from the labels. That expression is the log-likelihood, ≤ 0. Minimising it maximises the loss: with the "
                "minus sign missing, gradient descent becomes gradient ascent on BCE.",
            ),
            Option(
                "the same as BCE, only slower",
                False,
                "The sign flips the gradient, so every step goes the wrong way.",
            ),
            Option(
                "exactly the same as BCE",
                False,
                "The sign matters to the optimiser: an optimiser minimises, and −BCE is minimised by being as wrong as possible.",
            ),
        ),
    ),
    "caffe": Question(
        prompt=(
            "A forum answer suggests Caffe's SigmoidCrossEntropyLoss layer for multi-label problems. How does it "
            "relate to tf.nn.sigmoid_cross_entropy_with_logits?"
        ),
        options=(
            Option(
                "a different loss, for multi-class problems",
                False,
                "Caffe's multi-class loss is SoftmaxWithLoss; SigmoidCrossEntropyLoss is the multi-label one.",
            ),
            Option(
                "the same function, up to the reduction",
                True,
                "Yes: sigmoid + binary cross-entropy on logits. The layer takes raw scores and computes the same per-element loss with the same stable "
                "trick. Classic Caffe then (by default) sums over the labels and divides by the batch size, where Keras "
                "averages over the labels: same function, different reduction.",
            ),
            Option(
                "it needs probabilities from a Sigmoid layer before it",
                False,
                "Like TensorFlow's version it takes the inputs of the sigmoid (logits); a Sigmoid layer before "
                "it would apply the sigmoid twice.",
            ),
        ),
    ),
    "round_logits": Question(
        prompt=(
            "A forum user asks: should I tf.round(logits) before passing them to "
            "tf.nn.sigmoid_cross_entropy_with_logits? What happens if you do?"
        ),
        options=(
            Option(
                "no gradient reaches the model",
                True,
                "Right, so nothing trains: rounding is flat between integers, so its derivative is 0 (TensorFlow registers none "
                "and GradientTape returns None). Pass the raw logits; round or threshold only when you read "
                "predictions, after training (lesson 4).",
            ),
            Option(
                "training is more stable with clean 0/1 values",
                False,
                "Rounding a logit does not give 0 or 1 (2.7 becomes 3.0), and the rounded loss has no gradient "
                "at all: there is nothing to be stable.",
            ),
            Option(
                "nothing changes",
                False,
                "The loss does apply the sigmoid anyway, but to the rounded value: a different number, and - worse - "
                "tf.round cuts the gradient, so the weights before it never move.",
            ),
        ),
    ),
}
