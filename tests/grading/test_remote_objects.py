"""Learner objects rebuilt in the grader: exceptions, opaque objects, Keras models, remote functions."""

from __future__ import annotations

import json
import traceback

import numpy as np
import pytest

from losslab.grading import wire
from losslab.grading.remote_objects import RemoteFunction, opaque, rebuild_keras_model, reraise
from losslab.grading.worker import error_info


def _learner_error(source: str) -> dict:
    try:
        exec(compile(source, "<graded cell 3>", "exec"), {})
    except BaseException as exc:  # noqa: BLE001
        return json.loads(json.dumps(error_info(exc)))
    raise AssertionError("no error")


def test_reraise_keeps_the_type_message_and_learners_line():
    error = _learner_error("def to_one_hot(x):\n    raise ValueError('bad labels')\n\nto_one_hot(1)")
    with pytest.raises(ValueError, match="bad labels") as caught:
        reraise(error)
    last = traceback.extract_tb(caught.value.__traceback__)[-1]
    assert (last.lineno, last.name) == (2, "to_one_hot")


def test_reraise_of_custom_and_exit_exceptions():
    custom = _learner_error("class MyKeyError(KeyError):\n    pass\n\nraise MyKeyError('k')")
    with pytest.raises(KeyError) as caught:
        reraise(custom)
    assert type(caught.value).__name__ == "MyKeyError"
    with pytest.raises(Exception, match=r"your code called sys.exit\(3\)") as caught:
        reraise(_learner_error("import sys\nsys.exit(3)"))
    assert type(caught.value).__name__ == "SystemExit" and isinstance(caught.value, Exception)


def test_reraise_of_tensorflow_errors(tf):
    error = _learner_error("import tensorflow as tf\ntf.reshape(tf.zeros(3), (2, 2))")
    with pytest.raises(tf.errors.InvalidArgumentError):
        reraise(error)


def test_opaque_stand_ins_are_named_like_the_learners_class():
    thing = opaque({"$": "opaque", "type": "Anything", "repr": "<Anything>"})
    assert type(thing).__name__ == "Anything" and isinstance(thing, wire.Opaque) and thing != 1
    assert type(opaque({"type": "not an identifier"})) is wire.Opaque


def test_keras_models_round_trip_through_data(tf):
    import keras

    from losslab.grading.worker import _keras_model

    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(3)(inputs))
    description = json.loads(json.dumps(_keras_model(model)))
    rebuilt = rebuild_keras_model(description)
    x = np.arange(8, dtype="float32").reshape(2, 4)
    assert np.allclose(rebuilt(x), model(x))
    description["config"] = json.dumps(
        {"module": "os", "class_name": "system", "config": {"command": "true"}}
    )
    refused = rebuild_keras_model(description)
    assert isinstance(refused, wire.Opaque) and "cannot rebuild" in repr(refused)


class _FakeWorker:
    """Answers calls as a worker would: the function is softplus, its gradient the sigmoid."""

    def __init__(self, tf):
        self.tf, self.messages = tf, []

    def call(self, message):
        self.messages.append(message)
        x = wire.decode(message["args"], make_tensor=self.tf.constant)[0]
        if message["op"] == "call":
            return self.tf.math.softplus(x)
        upstream = wire.decode(message["upstream"], make_tensor=self.tf.constant)
        return [upstream * self.tf.sigmoid(x)]


def test_remote_functions_forward_calls_and_gradients(tf):
    worker = _FakeWorker(tf)
    params = [{"name": "x", "kind": 1}, {"name": "axis", "kind": 1, "default": -1}]
    fn = RemoteFunction(worker, "softplus", params)
    assert fn.__name__ == "softplus" and str(__import__("inspect").signature(fn)) == "(x, axis=-1)"
    x = tf.Variable([-1.0, 2.0])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(fn(x))
    assert np.allclose(tape.gradient(y, x), tf.sigmoid(x))
    assert [m["op"] for m in worker.messages] == ["call", "vjp"]
