"""What a learner's function calls, read from the notebook's source by the grader."""

from __future__ import annotations

from losslab.grading.code_review import python_source, review_function

CLEAN = "def softmax(x):\n    e = tf.exp(x - tf.reduce_max(x))\n    return e / tf.reduce_sum(e)\n"


def test_a_plain_def_its_helpers_and_aliases_are_read():
    review = review_function([CLEAN], "softmax")
    assert not review.unjudgeable and {"exp", "reduce_max", "reduce_sum"} <= review.attributes
    cells = [
        "sm = getattr(tf.nn, 'softmax')\n",
        "def helper(x):\n    return sm(x)\n",
        "def f(x):\n    return helper(x)\n",
    ]
    review = review_function(cells, "f")
    assert "softmax" in review.attributes and len(review.codes) == 2
    chained = review_function([CLEAN, "alias = softmax\nalias2 = alias\n"], "alias2")
    assert [c.co_name for c in chained.codes] == ["softmax"] and not chained.unjudgeable


def test_an_import_is_an_alias_too():
    cells = [
        "from keras.losses import categorical_crossentropy as cce\nimport tensorflow.nn as tnn\n",
        "def f(y, x):\n    return cce(y, x, from_logits=True) + tnn.softmax(x)\n",
    ]
    review = review_function(cells, "f")
    assert not review.unjudgeable
    assert {"categorical_crossentropy", "keras", "softmax"} <= review.attributes


def test_what_cannot_be_judged_is_refused_with_the_reason():
    rewrite = CLEAN + "softmax.__code__ = (lambda x: tf.nn.softmax(x)).__code__\n"
    assert "__code__" in review_function([rewrite], "softmax").unjudgeable
    computed = CLEAN + "fn = getattr(tf.nn, 'soft' + 'max')\n"
    assert "computed name" in review_function([computed], "softmax").unjudgeable
    assert "exec" in review_function([CLEAN + "exec('x = 1')\n"], "softmax").unjudgeable
    assert (
        "not bound by a plain `def`" in review_function(["softmax = tf.nn.softmax\n"], "softmax").unjudgeable
    )
    assert "decorator" in review_function(["@my_wrapper\n" + CLEAN], "softmax").unjudgeable
    assert not review_function(["@tf.function\n" + CLEAN], "softmax").unjudgeable


def test_magics_are_read_as_ipython_reads_them():
    source = "%matplotlib inline\n!ls\nx = (7\n% 3)\n"
    assert python_source(source).splitlines() == [
        "get_ipython().run_line_magic('matplotlib', 'inline')",
        "get_ipython().system('ls')",
        "x = (7",
        "% 3)",
    ]
