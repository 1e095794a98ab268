"""Messages between the grader and the worker running a learner's code: plain data only.

Values cross the pipe as JSON with tagged objects for what JSON lacks
(arrays, tensors, tuples, dicts with any keys, sets, bytes). Decoding never
runs code from the message (no pickle): a learner's process can send only
data, never an object whose methods would run inside the grader. Anything
else a learner's function returns (a custom class, an object whose ``__eq__``
always returns True) arrives as an :class:`Opaque` stand-in that equals
nothing and is no array.

Array values: ``{"$": "nd", "dtype": "<f4", "shape": [2, 3], "data": base64}``;
only boolean, numeric and fixed-width string dtypes are accepted.
"""

from __future__ import annotations

import base64
import json
import math
import select
import socket
import struct
import time
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "MAX_MESSAGE_BYTES",
    "Opaque",
    "WireError",
    "decode",
    "encode",
    "receive_message",
    "send_message",
]

MAX_MESSAGE_BYTES = 32 << 20  # one message; JSON decoding of it stays within ~20x this
_MAX_DEPTH = 32
_SAFE_KINDS = "biufcUS"
_HEADER = struct.Struct("!Q")


class WireError(ValueError):
    """A message that breaks the protocol (too big, not JSON, unknown tag, bad array)."""


class Opaque:
    """Stands for a returned object the grader cannot inspect; equal only to itself."""

    def __init__(self, type_name: str, text: str):
        self.type_name, self.text = type_name, text

    def __repr__(self) -> str:
        return f"<{self.type_name} object: {self.text}>"


def _array(value: np.ndarray, tag: str = "nd") -> dict:
    if value.dtype.kind not in _SAFE_KINDS:
        raise TypeError(f"array of dtype {value.dtype}")
    return {
        "$": tag,
        "dtype": value.dtype.str,
        "shape": list(value.shape),
        "data": base64.b64encode(value.tobytes(order="C")).decode("ascii"),
    }


def encode(value: Any, describe: Callable[[Any], dict] | None = None, _depth: int = 0) -> Any:
    """Turn ``value`` into JSON-ready data; ``describe`` handles objects this module does not know.

    ``describe(value)`` returns a tagged dict (e.g. for a callable); without it,
    unknown objects become ``{"$": "opaque"}`` descriptions.
    """
    if _depth > _MAX_DEPTH:
        raise WireError("value nested too deeply")
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return value if math.isfinite(value) else {"$": "float", "repr": repr(value)}
    if kind in (list, tuple, set, frozenset):
        items = [encode(v, describe, _depth + 1) for v in value]
        return items if kind is list else {"$": kind.__name__, "items": items}
    if kind is dict:
        return {
            "$": "dict",
            "items": [
                [encode(k, describe, _depth + 1), encode(v, describe, _depth + 1)] for k, v in value.items()
            ],
        }
    if kind is bytes:
        return {"$": "bytes", "data": base64.b64encode(value).decode("ascii")}
    if isinstance(value, np.ndarray) and value.dtype.kind in _SAFE_KINDS:
        return _array(np.asarray(value))
    if isinstance(value, np.generic) and value.dtype.kind in _SAFE_KINDS:
        return _array(np.asarray(value), "np_scalar")
    tensor = _tensor_array(value)
    if tensor is not None:
        return _array(tensor, "tensor")
    if describe is not None:
        return describe(value)
    return {"$": "opaque", "type": kind.__name__, "repr": _short_repr(value)}


def _tensor_array(value: Any) -> np.ndarray | None:
    """The NumPy value of an eager tf.Tensor or tf.Variable (without importing TensorFlow)."""
    module = type(value).__module__ or ""
    if not module.startswith(("tensorflow", "keras")) or not hasattr(value, "numpy"):
        return None
    try:
        array = np.asarray(value.numpy())
    except Exception:
        return None
    return array if array.dtype.kind in _SAFE_KINDS else None


def _short_repr(value: Any) -> str:
    try:
        text = repr(value)
    except BaseException:  # noqa: BLE001 - a learner's __repr__ may do anything
        text = "?"
    return text[:200]


def _decode_array(obj: dict) -> np.ndarray:
    try:
        dtype = np.dtype(obj["dtype"])
        shape = tuple(int(n) for n in obj["shape"])
        data = base64.b64decode(obj["data"], validate=True)
    except (KeyError, TypeError, ValueError) as exc:
        raise WireError(f"malformed array: {exc}") from exc
    if dtype.kind not in _SAFE_KINDS or dtype.hasobject or any(n < 0 for n in shape):
        raise WireError(f"refused array of dtype {dtype} and shape {shape}")
    if math.prod(shape) * dtype.itemsize != len(data):
        raise WireError("array data does not match its shape")
    return np.frombuffer(data, dtype=dtype).reshape(shape).copy()


def decode(
    obj: Any,
    make_tensor: Callable[[np.ndarray], Any] | None = None,
    resolve: Callable[[dict], Any] | None = None,
    _depth: int = 0,
) -> Any:
    """Rebuild a value from :func:`encode`'s output.

    ``make_tensor`` turns arrays tagged as tensors back into tensors (default: leave
    them as arrays); ``resolve`` handles tags this module does not know (e.g.
    callables), else they become :class:`Opaque`.
    """
    if _depth > _MAX_DEPTH:
        raise WireError("value nested too deeply")
    if obj is None or type(obj) in (bool, int, float, str):
        return obj
    if type(obj) is list:
        return [decode(v, make_tensor, resolve, _depth + 1) for v in obj]
    if type(obj) is not dict or not isinstance(obj.get("$"), str):
        raise WireError(f"unexpected {type(obj).__name__} in message")
    tag = obj["$"]
    if tag in ("tuple", "set", "frozenset"):
        items = [decode(v, make_tensor, resolve, _depth + 1) for v in obj.get("items", [])]
        try:
            return {"tuple": tuple, "set": set, "frozenset": frozenset}[tag](items)
        except TypeError as exc:
            raise WireError(f"bad {tag}: {exc}") from exc
    if tag == "dict":
        try:
            return {
                _hashable(decode(k, make_tensor, resolve, _depth + 1)): decode(
                    v, make_tensor, resolve, _depth + 1
                )
                for k, v in obj.get("items", [])
            }
        except (TypeError, ValueError) as exc:
            raise WireError(f"bad dict: {exc}") from exc
    if tag == "float":
        if obj.get("repr") not in ("nan", "inf", "-inf"):
            raise WireError("bad float")
        return float(obj["repr"])
    if tag == "bytes":
        return base64.b64decode(str(obj.get("data", "")), validate=True)
    if tag == "nd":
        return _decode_array(obj)
    if tag == "np_scalar":
        return _decode_array(obj)[()]
    if tag == "tensor":
        array = _decode_array(obj)
        return make_tensor(array) if make_tensor else array
    if resolve is not None:
        return resolve(obj)
    return Opaque(str(obj.get("type", "object"))[:100], str(obj.get("repr", ""))[:200])


def _hashable(key: Any) -> Any:
    hash(key)  # raises TypeError for unhashable keys
    return key


def send_message(sock: socket.socket, message: dict) -> None:
    """Send one JSON message, length-prefixed."""
    data = json.dumps(message, separators=(",", ":")).encode("utf-8")
    if len(data) > MAX_MESSAGE_BYTES:
        raise WireError(f"message of {len(data) >> 20} MB is over the {MAX_MESSAGE_BYTES >> 20} MB limit")
    sock.sendall(_HEADER.pack(len(data)) + data)


def _receive_exactly(sock: socket.socket, n: int, deadline: float | None) -> bytes:
    """``n`` bytes, all of them before ``deadline`` (``time.monotonic()``; ``None``: no deadline)."""
    buffer, view, got = bytearray(n), None, 0
    view = memoryview(buffer)
    while got < n:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the message did not arrive in time")
            ready, _, _ = select.select([sock], [], [], remaining)
            if not ready:
                continue
        count = sock.recv_into(view[got:], min(n - got, 1 << 20))
        if not count:
            raise EOFError("the other side closed the connection")
        got += count
    return bytes(buffer)


def receive_message(
    sock: socket.socket, deadline: float | None = None, max_bytes: int = MAX_MESSAGE_BYTES
) -> dict:
    """Receive one message sent by :func:`send_message`; EOFError when closed.

    ``deadline`` (a ``time.monotonic()`` value) bounds the *whole* message, header and
    body: a sender that drips one byte at a time raises :class:`TimeoutError` at the
    deadline. A message announced larger than ``max_bytes`` is refused before any of it
    is read, so the receiver never allocates more than ``max_bytes`` for one message.
    """
    (size,) = _HEADER.unpack(_receive_exactly(sock, _HEADER.size, deadline))
    if size > max_bytes:
        raise WireError(f"message of {size >> 20} MB is over the {max_bytes >> 20} MB limit")
    try:
        message = json.loads(_receive_exactly(sock, size, deadline).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise WireError(f"not a JSON message: {type(exc).__name__}") from exc
    if type(message) is not dict or not isinstance(message.get("op"), str):
        raise WireError("a message must be an object with an 'op'")
    return message
