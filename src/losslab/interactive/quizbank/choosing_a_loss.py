"""Quiz questions of lesson 09 (choosing a loss): a final mixed quiz across the whole course."""

from losslab.interactive.quiz import Option, Question

QUESTIONS = {
    "news_tags": Question(
        prompt=(
            "A news article can carry any of 500 topic tags (most carry two or three, some none). "
            "Which output layer and loss do you start with?"
        ),
        options=(
            Option(
                "Dense(500, activation='softmax') and categorical cross-entropy on the multi-hot rows.",
                False,
                "Softmax makes the tags compete for one unit of probability: two true tags can each reach "
                "only 0.5, and an article with no tag has no valid target distribution at all.",
            ),
            Option(
                "Dense(500) giving logits, and binary cross-entropy with from_logits=True.",
                True,
                "Yes: 500 independent yes/no questions, one sigmoid each (applied inside the loss, which "
                "is the numerically stable form), scored by BCE averaged over the tags.",
            ),
            Option(
                "Dense(1, activation='softmax') and binary cross-entropy.",
                False,
                "A softmax over one unit always outputs exactly 1.0, whatever the input: nothing is learnt.",
            ),
            Option(
                "Dense(500, activation='sigmoid') and mean squared error.",
                False,
                "It trains, slowly: MSE on a sigmoid has a vanishing gradient when the sigmoid is confidently "
                "wrong, while BCE's gradient there is p - y, as large as the error.",
            ),
        ),
    ),
    "quadrant_heads": Question(
        prompt=(
            "For each of the four quadrants of a canvas the model must say which digit is there, or "
            "'empty'. Which set-up matches the problem best?"
        ),
        options=(
            Option(
                "One softmax over 44 outputs with categorical cross-entropy.",
                False,
                "One softmax picks one answer for the whole canvas; there are four answers.",
            ),
            Option(
                "44 sigmoids with binary cross-entropy.",
                False,
                "It can be trained, but nothing stops it from saying '3' and '7' and 'empty' for the same "
                "quadrant: it throws away the knowledge that the 11 answers of a quadrant exclude each other.",
            ),
            Option(
                "Four softmax heads of 11 classes, one loss per head.",
                True,
                "Right: each head with sparse categorical cross-entropy. Each quadrant has exactly one answer among 11, so each head is a multi-class "
                "problem; the losses of the heads are added.",
            ),
        ),
    ),
    "initial_loss": Question(
        prompt=(
            "Before any training, a 10-class softmax model reports categorical cross-entropy 2.303, and a "
            "10-label sigmoid model reports binary cross-entropy 0.693. What do you conclude?"
        ),
        options=(
            Option(
                "The softmax model's loss above 1 means it is broken.",
                False,
                "Cross-entropy has no upper bound of 1; ln C is exactly the loss of uniform guessing over C classes.",
            ),
            Option(
                "Both are what a fresh model should report.",
                True,
                "Yes: with small logits softmax gives 1/10 to every class, so CCE = ln 10 = 2.303; each "
                "sigmoid gives 1/2, so the mean BCE per label is ln 2 = 0.693.",
            ),
            Option(
                "The sigmoid model should start at ln 10 too.",
                False,
                "Keras averages BCE over the labels, and each label is a two-way guess, so ln 2 per label.",
            ),
        ),
    ),
    "stuck_outputs": Question(
        prompt=(
            "A multi-label model's loss will not go below about 0.31 on positive labels and 0.69 on negative "
            "labels, however long it trains, and it cannot even memorise one batch. Which bug fits best?"
        ),
        options=(
            Option(
                "The learning rate is too small.",
                False,
                "A small learning rate slows training, but it does not put a floor under the loss: given time, "
                "one batch can still be memorised.",
            ),
            Option(
                "The labels are one-hot instead of multi-hot.",
                False,
                "Wrong targets change what is learnt, not the lowest loss each label can reach.",
            ),
            Option(
                "The sigmoid is applied twice.",
                True,
                "Right: a sigmoid output fed into a *_with_logits loss. The loss applies its own sigmoid to outputs p in (0, 1), so it sees sigmoid(p) in "
                "[0.5, 0.731]: at best log(1 + e^-1) = 0.313 for a 1 and ln 2 = 0.693 for a 0. The outputs "
                "themselves drift towards 0. Feed the loss the logits (no activation on the last layer).",
            ),
        ),
    ),
    "accuracy_trap": Question(
        prompt=(
            "You compile a multi-label Keras model with metrics=['accuracy'] and see 0.41. "
            "What did Keras measure?"
        ),
        options=(
            Option(
                "The fraction of examples whose whole label set is right (subset accuracy).",
                False,
                "That strict metric is not what the string 'accuracy' gives you; compute it with "
                "sklearn.metrics.accuracy_score on thresholded predictions.",
            ),
            Option(
                "The fraction of individual labels that are right at threshold 0.5.",
                False,
                "That is BinaryAccuracy, and you only get it by naming it.",
            ),
            Option(
                "Whether argmax(prediction) equals argmax(target) (CategoricalAccuracy).",
                True,
                "Yes: Keras resolves 'accuracy' from the shapes of targets and outputs; for (batch, K) with K > 1 "
                "it becomes CategoricalAccuracy, argmax(prediction) == argmax(target). A prediction whose top "
                "label is the *second* true label counts as wrong. Name the metric you mean (BinaryAccuracy, "
                "F1Score with a threshold, AUC) instead.",
            ),
        ),
    ),
    "rare_threshold": Question(
        prompt=(
            "One label is present on 3 % of the examples. At threshold 0.5 the model never predicts it, "
            "yet its average precision is 0.8. What do you try first?"
        ),
        options=(
            Option(
                "Switch to softmax cross-entropy.",
                False,
                "Softmax couples the labels and cannot express 'several' or 'none'; it does not fix a "
                "threshold problem.",
            ),
            Option(
                "Tune its threshold on the test set.",
                False,
                "Then the test score is no longer an honest estimate: choose thresholds on validation data.",
            ),
            Option(
                "Tune its threshold on validation data.",
                True,
                "Right (e.g. pick the threshold that maximises its F1 there): a good ranking (AP 0.8) with no positive predictions means the threshold, not the "
                "model, is the problem; per-label thresholds tuned on validation data fix it cheaply.",
            ),
            Option(
                "Nothing, 97 % binary accuracy is excellent.",
                False,
                "Predicting 'absent' always gives 97 % accuracy; it finds none of the positives.",
            ),
        ),
    ),
    "softmax_multi_hot": Question(
        prompt=(
            "You want to try softmax cross-entropy on multi-label data and call "
            "tf.nn.softmax_cross_entropy_with_logits with the raw multi-hot rows, in an ordinary training "
            "script. What goes wrong?"
        ),
        options=(
            Option(
                "Nothing, the op accepts any non-negative rows.",
                False,
                "It accepts them without complaint, which is the trouble: with the default kernel the gradient "
                "is wrong, and a gradient check shows it.",
            ),
            Option(
                "Its loss is right but its gradient is not.",
                True,
                "Yes: the default kernel returns the gradient softmax - y, the true gradient only for rows that "
                "sum to 1; in lesson 04 the model diverged. (TensorFlow's repeatability switch, "
                "enable_op_determinism(), happens to compute a right gradient; lessons 02 and 07 show both.) "
                "Divide each row by its number of labels (normalised targets) and handle empty rows.",
            ),
            Option(
                "It raises a shape error.",
                False,
                "The shapes are fine; the failure is silent.",
            ),
        ),
    ),
    "from_logits_default": Question(
        prompt=(
            "The last layer is Dense(10) with no activation, and the loss is keras.losses.BinaryCrossentropy() "
            "with its defaults. What happens?"
        ),
        options=(
            Option(
                "Keras clips the logits to [1e-7, 1 - 1e-7].",
                True,
                "Right: from_logits defaults to False, so the logits are read as probabilities: a wrong loss, "
                "and no gradient for any logit outside (0, 1). Every negative logit is clipped to 1e-7 and gets a zero "
                "gradient; pass from_logits=True.",
            ),
            Option(
                "Keras notices the missing sigmoid and applies it.",
                False,
                "It only reuses cached logits when the previous layer *is* a sigmoid; here there is none to find.",
            ),
            Option(
                "Training raises an error on negative logits.",
                False,
                "No error: the values are silently clipped, which is why this bug survives.",
            ),
        ),
    ),
    "rare_labels_metric": Question(
        prompt=(
            "On a data set where each image has 2 of 1000 labels, your model reaches 99.8 % binary accuracy. "
            "Which numbers do you report instead?"
        ),
        options=(
            Option(
                "Micro- and macro-F1, and mean average precision.",
                True,
                "Yes (F1 at your chosen thresholds): F1 ignores the sea of true negatives, macro-F1 shows whether rare labels are found, "
                "and mAP judges the ranking independently of any threshold.",
            ),
            Option(
                "Binary accuracy is fine as it is.",
                False,
                "Predicting no label at all scores 99.8 % here.",
            ),
            Option(
                "Categorical accuracy (does the top-scoring label equal the argmax of the target row?).",
                False,
                "It compares one label per image with the target's argmax, the first of the two true labels, and "
                "ignores the other: it cannot see missed or extra labels.",
            ),
        ),
    ),
}
