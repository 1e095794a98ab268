"""The data-only codec between the grader and the learner's worker."""

from __future__ import annotations

import base64
import json
import math
import socket

import numpy as np
import pytest

from losslab.grading.wire import Opaque, WireError, decode, encode, receive_message, send_message


def _roundtrip(value, **kwargs):
    return decode(json.loads(json.dumps(encode(value))), **kwargs)


def test_plain_values_and_containers_survive():
    value = {"a": [1, 2.5, None, True], 3: ("x", frozenset({1})), (1, 2): {4}, "b": b"\x00\xff"}
    assert _roundtrip(value) == value
    back = _roundtrip([float("nan"), float("inf"), -float("inf")])
    assert math.isnan(back[0]) and back[1:] == [float("inf"), -float("inf")]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.bool_, np.uint8, np.complex64])
def test_arrays_keep_shape_and_dtype(dtype):
    array = (np.arange(12).reshape(3, 4) % 3).astype(dtype)
    back = _roundtrip(array)
    assert back.dtype == array.dtype and back.shape == (3, 4) and np.array_equal(back, array)
    scalar = _roundtrip(array[0, 1])
    assert type(scalar) is type(array[0, 1]) and scalar == array[0, 1]
    assert _roundtrip(np.zeros((0, 3), dtype)).shape == (0, 3)
    assert _roundtrip(np.asfortranarray(array)).tolist() == array.tolist()


def test_tensors_come_back_as_tensors_when_asked(tf):
    tensor = tf.constant([[1.5, 2.0]], dtype=tf.float64)
    assert encode(tensor)["$"] == "tensor"
    back = _roundtrip(tensor, make_tensor=tf.constant)
    assert tf.is_tensor(back) and back.dtype == tf.float64 and back.shape == (1, 2)
    assert _roundtrip(tf.constant(0.5)).shape == ()  # a scalar stays 0-d
    assert isinstance(_roundtrip(tf.Variable([1.0])), np.ndarray)


def test_unknown_objects_become_opaque_and_equal_nothing():
    class Yes:
        def __eq__(self, other):
            return True

    back = _roundtrip(Yes())
    assert isinstance(back, Opaque) and back.type_name == "Yes"
    assert back != 1 and not (back == "anything") and back != _roundtrip(Yes())
    assert _roundtrip(np.array([Yes()], dtype=object)).type_name == "ndarray"
    assert decode({"$": "callable", "name": "f"}, resolve=lambda d: d["name"]) == "f"


@pytest.mark.parametrize(
    "message",
    [
        {"$": "nd", "dtype": "|O", "shape": [1], "data": ""},
        {"$": "nd", "dtype": "<f4", "shape": [2], "data": base64.b64encode(b"\0" * 4).decode()},
        {"$": "nd", "dtype": "<f4", "shape": [-1], "data": ""},
        {"$": "float", "repr": "__import__('os')"},
        {"$": "dict", "items": [[[1], 2]]},
        {"no": "tag"},
        ("a tuple",),
    ],
)
def test_malformed_or_dangerous_messages_are_refused(message):
    with pytest.raises(WireError):
        decode(message)


def test_messages_are_framed_and_checked():
    left, right = socket.socketpair()
    with left, right:
        send_message(left, {"op": "call", "args": encode([np.arange(3)])})
        message = receive_message(right)
        assert message["op"] == "call" and decode(message["args"])[0].tolist() == [0, 1, 2]
        left.sendall(b"\0\0\0\0\0\0\0\2[]")
        with pytest.raises(WireError):
            receive_message(right)
        left.close()
        with pytest.raises(EOFError):
            receive_message(right)
