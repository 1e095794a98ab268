"""Learner objects as the grader's checks see them: rebuilt from data sent by the worker.

* :class:`RemoteFunction` stands for a learner's function: calling it sends the
  arguments to the worker and returns the result as plain data; GradientTape
  sees it as one op whose gradient the worker computes.
* :func:`reraise` raises, here, an exception standing for the learner's one (same
  name, a built-in or TensorFlow base class, the learner's line in the traceback).
* :func:`rebuild_keras_model` rebuilds a returned Keras model from its config and
  weights (Keras' safe mode: no code from the learner runs here).
* :func:`opaque` stands for anything else: named like the learner's class, equal to nothing.
"""

from __future__ import annotations

import builtins
import inspect
import json
from typing import Any, Protocol

from losslab.grading import wire

__all__ = ["MAX_MODEL_PARAMETERS", "RemoteFunction", "opaque", "rebuild_keras_model", "reraise"]

MAX_MODEL_PARAMETERS = 5_000_000  # a rebuilt Keras model stays under ~20 MB of float32 weights
_MAX_CONFIG_CHARS = 1 << 20
_MAX_LINE = 100_000


class _Caller(Protocol):
    def call(self, message: dict) -> Any: ...


def reraise(error: dict) -> None:
    """Raise, here, an exception standing for the one the learner's code raised."""
    import tensorflow as tf

    kind = error.get("type")
    name = kind[:80] if isinstance(kind, str) and kind.isidentifier() else "LearnerError"
    base: type[Exception] = Exception
    mro = error.get("mro")
    mro = [m for m in mro[:64] if isinstance(m, list) and len(m) == 2] if isinstance(mro, list) else []
    for module, cls_name in mro:
        module, cls_name = str(module)[:100], str(cls_name)[:100]
        if module == "builtins" and cls_name not in (
            "BaseException",
            "SystemExit",
            "KeyboardInterrupt",
            "GeneratorExit",
        ):
            candidate = getattr(builtins, str(cls_name), None)
            if isinstance(candidate, type) and issubclass(candidate, Exception):
                base = candidate
                break
        if str(module).startswith("tensorflow") and hasattr(tf.errors, str(cls_name)):
            base = getattr(tf.errors, cls_name)
            break
    message = error.get("message")
    message = message[:2000] if isinstance(message, str) else ""
    if name == "SystemExit":
        message = f"your code called sys.exit({message})"
    if issubclass(base, tf.errors.OpError):
        exc: Exception = base(None, None, message)
    else:
        cls = base if base.__name__ == name else type(name, (base,), {})
        exc = cls(message)
    func = error.get("func")
    func = func[:80] if isinstance(func, str) and func.isidentifier() else "learner_code"
    line = error.get("line")
    line = line if type(line) is int and 0 < line <= _MAX_LINE else 1
    cell = error.get("cell")
    cell = cell if isinstance(cell, str) and cell.isdigit() and len(cell) < 6 else "?"
    code = compile("\n" * (line - 1) + f"def {func}(): raise _exc", f"<graded cell {cell}>", "exec")
    scope: dict[str, Any] = {"_exc": exc}
    exec(code, scope)  # noqa: S102 - our own two-line code, to give the traceback the learner's line
    scope[func]()


def opaque(description: dict) -> wire.Opaque:
    """A stand-in named like the learner's class, so messages say "returned a Anything"."""
    name = str(description.get("type", description.get("name", "object")))
    cls = type(name, (wire.Opaque,), {}) if name.isidentifier() else wire.Opaque
    return cls(name, str(description.get("repr", ""))[:200])


def rebuild_keras_model(description: dict) -> Any:
    """The learner's Keras model, rebuilt here from its config and weights (Keras' safe mode: no code).

    Compiled the same way when the learner compiled it; its metrics are built (by one
    evaluation on zeros) when the learner's were, as they are after ``fit``.
    """
    import keras
    import numpy as np

    config = description.get("config")
    if not isinstance(config, str) or len(config) > _MAX_CONFIG_CHARS:
        return opaque({"type": "Model", "repr": "a Keras model whose description is too large to rebuild"})
    try:
        size = _parameter_count(config)
        if size > MAX_MODEL_PARAMETERS:
            return opaque(
                {
                    "type": "Model",
                    "repr": f"a Keras model of {size:,} parameters, more than the grader rebuilds "
                    f"({MAX_MODEL_PARAMETERS:,})",
                }
            )
        model = keras.models.model_from_json(config)
        weights = description.get("weights", [])
        weights = [wire.decode(w) for w in weights] if isinstance(weights, list) else []
        if weights:
            model.set_weights(weights)
        compiled = description.get("compile")
        if isinstance(compiled, str) and len(compiled) < _MAX_CONFIG_CHARS:
            model.compile_from_config(json.loads(compiled))
            if description.get("metrics_built") and len(model.inputs) == 1 and len(model.outputs) == 1:
                x = np.zeros((1, *model.inputs[0].shape[1:]), model.inputs[0].dtype)
                y = np.zeros((1, *model.outputs[0].shape[1:]), "float32")
                model.evaluate(x, y, verbose=0)
    except Exception as exc:  # noqa: BLE001 - custom layers, losses, anything Keras refuses to rebuild
        return opaque({"type": "Model", "repr": f"a Keras model the grader cannot rebuild: {exc}"[:200]})
    return model


def _parameter_count(config: str) -> int:
    """How many weights the model described by ``config`` has, found without allocating them.

    Keras creates no variable value inside a ``StatelessScope`` that does not initialise
    variables on exit, so the model is built there first, only to count (and then
    forgotten); a layer of four million units costs nothing here.
    """
    import math

    import keras
    from keras.src.backend.common import global_state  # the list of variables left uninitialised

    architecture = json.loads(config)
    if isinstance(architecture, dict):
        architecture.pop("compile_config", None)  # the optimizer's variables cannot be deferred
    try:
        with keras.StatelessScope(initialize_variables=False):
            model = keras.models.model_from_json(json.dumps(architecture))
            return sum(math.prod(int(d) for d in w.shape) for w in model.weights)
    finally:
        global_state.set_global_attribute("uninitialized_variables", [])


class RemoteFunction:
    """A learner's function as the checks see it: calls go to the worker, data comes back."""

    def __init__(self, session: _Caller, name: str, params: list | None, target: str | None = None):
        self._session = session
        self._target = target or name
        self.__name__ = self.__qualname__ = name
        if params is not None:
            try:
                self.__signature__ = inspect.Signature(
                    [
                        inspect.Parameter(
                            p["name"],
                            inspect._ParameterKind(p["kind"]),
                            default=wire.decode(p["default"]) if "default" in p else inspect.Parameter.empty,
                        )
                        for p in params
                    ]
                )
            except (TypeError, ValueError, KeyError, wire.WireError):
                pass

    def __repr__(self) -> str:
        return f"<learner's function {self.__name__}>"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        import tensorflow as tf

        encoded = {
            "target": self._target,
            "args": wire.encode(list(args)),
            "kwargs": wire.encode(list(kwargs.items())),
        }
        value = self._session.call({"op": "call", **encoded})
        flat = list(args) + list(kwargs.values())
        wrt = [
            i for i, a in enumerate(flat) if isinstance(a, tf.Tensor | tf.Variable) and a.dtype.is_floating
        ]
        if not (wrt and isinstance(value, tf.Tensor) and value.dtype.is_floating):
            return value
        inputs = [tf.identity(flat[i]) for i in wrt]

        @tf.custom_gradient
        def remote(*_inputs):
            def grad(upstream):
                message = {"op": "vjp", **encoded, "wrt": wrt, "upstream": wire.encode(upstream)}
                grads = self._session.call(message)
                if not isinstance(grads, list) or len(grads) != len(wrt):
                    return [None] * len(wrt)
                grads = [g if isinstance(g, tf.Tensor) else None for g in grads]
                return grads[0] if len(grads) == 1 else grads

            return tf.identity(value), grad

        return remote(*inputs)
