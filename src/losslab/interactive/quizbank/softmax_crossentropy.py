"""Quiz questions of lesson 02: softmax and categorical cross-entropy."""

from losslab.interactive.quiz import Option, Question

QUESTIONS = {
    "initial_loss": Question(
        prompt=(
            "A freshly initialised 10-class softmax classifier (small random weights, so all logits are "
            "close to 0) is trained with categorical cross-entropy. What should the loss of the very "
            "first batch be, roughly?"
        ),
        options=(
            Option(
                "ln 2 ≈ 0.693",
                False,
                "That is the initial loss of one *binary* (sigmoid) output; with 10 competing classes each "
                "gets p = 0.1.",
            ),
            Option(
                "0",
                False,
                "Nothing has been learned yet, but that does not make the loss 0. Cross-entropy is 0 only when the true class gets probability 1; an untrained model is "
                "maximally unsure, which is the opposite.",
            ),
            Option(
                "ln 10 ≈ 2.30",
                True,
                "Yes: equal logits give p = 1/10 for every class, and -ln(1/10) = ln 10. A first loss far "
                "from ln C points at a bug (wrong targets, a double softmax, a bad initialisation).",
            ),
            Option(
                "10",
                False,
                "The loss grows like the log of the number of classes, not linearly: -ln(1/C) = ln C.",
            ),
        ),
    ),
    "shift": Question(
        prompt="Why does a stable softmax subtract the row maximum from the logits before calling exp?",
        options=(
            Option(
                "it sharpens the probabilities and speeds up training",
                False,
                "The probabilities are exactly the same: the factor e^-m cancels between numerator and "
                "denominator.",
            ),
            Option(
                "it keeps exp from overflowing, without changing the result",
                True,
                "Right: exp of a large logit overflows to inf (exp(89) already does in float32), and the shift "
                "leaves the softmax unchanged: e^(x-m) / Σ e^(x_j-m) = e^x / Σ e^x. With m the maximum every exponent is ≤ 0, so "
                "nothing overflows, and the largest term is 1, so the sum never underflows to 0.",
            ),
            Option(
                "without it the rows would not sum to 1",
                False,
                "Dividing by the sum makes the rows sum to 1 either way (as long as nothing is inf or NaN).",
            ),
            Option(
                "GradientTape cannot differentiate exp of a positive number",
                False,
                "It can; the trouble is purely floating point: exp(89) is already inf in float32.",
            ),
        ),
    ),
    "label_rows": Question(
        prompt=(
            "You feed multi-hot targets (rows like [1, 1, 0], some all-zero) to "
            "tf.nn.softmax_cross_entropy_with_logits in an ordinary training script. What goes wrong?"
        ),
        options=(
            Option(
                "TensorFlow refuses rows that are not distributions",
                False,
                "It does not check: it silently returns a value (right) and a gradient (wrong).",
            ),
            Option(
                "the loss value is wrong but the gradient is right",
                False,
                "The other way round: -Σ y log p is computed exactly; only the backward pass takes a shortcut.",
            ),
            Option(
                "nothing goes wrong",
                False,
                "The formula does, and so does a hand-written version; TensorFlow's built-in gradient does not.",
            ),
            Option(
                "the loss value is right but its gradient is wrong",
                True,
                "Yes: the true gradient is sum(y)·softmax − y. TensorFlow's default kernel assumes sum(y) = 1, "
                "so for a row summing to 2 it pushes every logit up, and training can diverge. (Only under "
                "the global switch tf.config.experimental.enable_op_determinism() does TensorFlow 2.21 build "
                "the loss from ordinary operations, whose gradient is right.)",
            ),
        ),
    ),
    "sparse": Question(
        prompt=(
            "Your labels are integers, y = [3, 0, 7], and the model outputs 10 logits per example. "
            "Which Keras loss takes them as they are?"
        ),
        options=(
            Option(
                "SparseCategoricalCrossentropy(from_logits=True)",
                True,
                "Right: 'sparse' means integer class indices; it computes -log softmax(x)[label] without "
                "building one-hot rows.",
            ),
            Option(
                "BinaryCrossentropy(from_logits=True)",
                False,
                "BCE treats the 10 outputs as independent yes/no questions: the multi-label loss, not the "
                "multi-class one.",
            ),
            Option(
                "CategoricalCrossentropy(from_logits=True)",
                False,
                "That one expects one-hot (or soft) rows of shape (n, 10); integer labels give a shape error "
                "or, worse, silently broadcast.",
            ),
        ),
    ),
    "gradient": Question(
        prompt="For a one-hot target y and probabilities p = softmax(x), what is ∂L/∂x of L = −Σ y log p?",
        options=(
            Option("y − p", False, "Sign: increasing the true class's logit must *lower* the loss."),
            Option(
                "p − y",
                True,
                "Yes: the softmax's Jacobian and the log cancel into this simple form. The general formula "
                "is sum(y)·p − y, which equals p − y whenever the row sums to 1.",
            ),
            Option(
                "−y / p",
                False,
                "That is ∂L/∂p, the gradient with respect to the probabilities; chain it through the softmax.",
            ),
            Option(
                "p (1 − p)",
                False,
                "That is the derivative of a sigmoid output, not of the cross-entropy with respect to the logits.",
            ),
        ),
    ),
    "ignores_zeros": Question(
        prompt=(
            "A forum question worries that categorical cross-entropy 'only takes into account the outputs "
            "that should be 1 and ignores the others'. For a softmax output, is that right?"
        ),
        options=(
            Option(
                "partly, the value ignores them but the gradient does not",
                True,
                "Right: terms with y_k = 0 drop out of -Σ y log p, but the softmax's shared denominator gives "
                "every wrong logit the gradient +p_k (for a one-hot row), so raising the true class means "
                "lowering the others.",
            ),
            Option(
                "yes, and the wrong classes are never pushed down",
                False,
                "That happens only without a softmax: CCE on independent sigmoid outputs, -Σ y log σ(x), gives "
                "the zero labels no gradient. Through a softmax each wrong class gets +p_k.",
            ),
            Option(
                "no, the value adds up the log-probabilities of all classes",
                False,
                "Each log p_k is weighted by its target y_k, so classes with y_k = 0 vanish from the value. "
                "They are reached only through the softmax, in the gradient.",
            ),
        ),
    ),
}
