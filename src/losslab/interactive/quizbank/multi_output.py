"""Quiz questions of lesson 08: multi-output multi-class models (one softmax head per output)."""

from losslab.interactive.quiz import Option, Question

QUESTIONS = {
    "two_sevens": Question(
        prompt=(
            "A canvas shows a 7 in the top-left and another 7 in the bottom-right quadrant. Which models "
            "can say that there are two 7s, and where?"
        ),
        options=(
            Option(
                "The four softmax heads (one per quadrant)",
                True,
                "Yes: each head names the class of its own quadrant, so two heads both say 7.",
            ),
            Option(
                "The 44-sigmoid model trained with BCE on the flattened one-hot rows",
                True,
                "Yes: its outputs are per quadrant too; it only lacks the 'exactly one class per quadrant' rule.",
            ),
            Option(
                "The 10-sigmoid multi-hot model of lesson 4",
                False,
                "No: its target only says *whether* a 7 is present; two 7s and one 7 give the same row.",
            ),
        ),
    ),
    "flat_invalid": Question(
        prompt=(
            "The 44-sigmoid model gives two outputs above 0.5 for the same quadrant (say '3' and 'empty'). "
            "What is the right reading?"
        ),
        options=(
            Option(
                "The sigmoids do not know the classes exclude each other",
                True,
                "Right: decode with the argmax of each group of 11, or use a softmax head. BCE treats the 44 outputs as 44 yes/no questions; the constraint must come from the "
                "decoder or from a softmax over each group.",
            ),
            Option(
                "The quadrant really holds two digits",
                False,
                "Not in this data: every quadrant holds exactly one class. The model can express the "
                "impossible because nothing in its output layer forbids it.",
            ),
            Option(
                "It is a bug in the BCE loss",
                False,
                "BCE works as designed; it scores each output on its own.",
            ),
        ),
    ),
    "total_loss": Question(
        prompt=(
            "A Keras model has four outputs, each compiled with SparseCategoricalCrossentropy and "
            "loss_weights all 1. What is the 'loss' that fit reports?"
        ),
        options=(
            Option(
                "The mean of the four head losses",
                False,
                "No: it is the sum; with four heads the total is four times the mean.",
            ),
            Option(
                "The sum of the four head losses",
                True,
                "Right: Keras adds the per-output losses, each times its loss weight (the lesson checks it).",
            ),
            Option(
                "Only the first head's loss",
                False,
                "Every output with a loss contributes; the per-head values appear as <name>_loss.",
            ),
        ),
    ),
}
