"""code_reading: what a learner's function calls, and the rules built on it."""

import pytest

from losslab.exercises.checks import Mistake
from losslab.exercises.code_reading import expect_from_scratch, expect_own_code, names_used


def test_names_used_tells_attributes_from_globals(tf):
    def wrapper(x):
        return tf.nn.softmax(x)

    def own(x):
        def inner(z):
            return tf.exp(z)

        return softmax(inner(x))  # noqa: F821 - a learner's own global function

    attributes, globals_ = names_used(wrapper)
    assert {"nn", "softmax"} <= attributes and "tf" in globals_
    attributes, globals_ = names_used(own)
    assert "softmax" in globals_ and "softmax" not in attributes
    assert "exp" in attributes  # nested functions are scanned too
    assert names_used(len) == (set(), set())  # builtins have no bytecode


def test_expect_from_scratch(tf):
    import keras

    def by_hand(x):
        e = tf.exp(x)
        return e / tf.reduce_sum(e)

    def wrapper(x):
        return tf.math.reduce_logsumexp(x)

    def with_keras(x):
        return keras.ops.exp(x)

    expect_from_scratch(by_hand, {"softmax", "reduce_logsumexp"}, "softmax")
    with pytest.raises(Mistake, match="library's `reduce_logsumexp`"):
        expect_from_scratch(wrapper, {"softmax", "reduce_logsumexp"}, "log_softmax")
    with pytest.raises(Mistake, match="`keras`"):
        expect_from_scratch(with_keras, set(), "f")


def test_expect_from_scratch_sees_through_import_aliases(tf):
    """``from keras.losses import categorical_crossentropy as cce`` at module level still calls the library."""
    namespace = {"__name__": "__main__", "tf": tf}
    exec(
        "from keras.losses import categorical_crossentropy as cce\n"
        "from tensorflow.nn import softmax as sm\n"
        "from losslab.modeling import top_k_labels as tk\n"
        "def own_helper(x):\n    return tf.exp(x)\n"
        "def via_keras(y, x):\n    return cce(y, x, from_logits=True)\n"
        "def via_tf(x):\n    return sm(x)\n"
        "def via_helper(p, k):\n    return tk(p, k)\n"
        "def by_hand(x):\n    return own_helper(x) / tf.reduce_sum(own_helper(x))\n",
        namespace,
    )
    with pytest.raises(Mistake, match="library's `categorical_crossentropy`"):
        expect_from_scratch(namespace["via_keras"], {"categorical_crossentropy"}, "f")
    with pytest.raises(Mistake, match="library's `softmax`"):  # TensorFlow names it softmax_v2
        expect_from_scratch(namespace["via_tf"], {"softmax"}, "f")
    with pytest.raises(Mistake, match="lesson's `top_k_labels`"):
        expect_own_code(namespace["via_helper"], {"top_k_labels"}, "top_k_decode")
    expect_from_scratch(namespace["by_hand"], {"softmax", "exp_v2"}, "softmax")  # own helpers are fine
