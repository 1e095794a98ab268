"""What a learner's function calls, for the rules "built from basic ops" and "written here".

Read from the function's bytecode (never run): attribute names (``tf.nn.softmax`` loads
``softmax``), outer names (a global, a closure variable, a module imported inside), and,
in the learner's kernel, the library objects behind outer names (``cce`` imported from
``keras.losses`` is ``categorical_crossentropy``). In the grader a learner's function
carries the grader's own review of the notebook's source instead
(:mod:`losslab.grading.code_review`), which the learner's process cannot forge.

* :func:`names_used` - (attribute names, outer names) of a function and its nested code;
* :func:`expect_from_scratch` - no library version of what is being built, no Keras;
* :func:`expect_own_code` - not the lessons' package helper for the same job.
"""

from __future__ import annotations

import dis
import re
import types
from collections.abc import Callable, Iterable

from losslab.exercises.checks import Mistake

__all__ = ["expect_from_scratch", "expect_own_code", "names_used"]


def names_used(fn: Callable) -> tuple[set[str], set[str]]:
    """(attribute names, outer names) that ``fn``'s code loads, nested functions included.

    ``tf.nn.softmax(x)`` loads the attributes ``nn`` and ``softmax``; a call of the
    learner's own ``softmax`` loads the *outer* name ``softmax`` (a global, a closure
    variable, or a module imported inside the function). Read from the bytecode,
    so the function is not run. In the grader, a learner's function carries the
    grader's own review of the notebook's source (:mod:`losslab.grading.code_review`): its
    helpers and aliases count too.
    """
    review = getattr(fn, "_losslab_review", None)
    codes = list(review.codes) if review is not None else []
    code = getattr(fn, "__code__", None)
    if review is None and isinstance(code, types.CodeType):
        codes.append(code)
    attributes: set[str] = set(review.attributes) if review is not None else set()
    globals_: set[str] = set()
    stack = codes
    while stack:
        current = stack.pop()
        for ins in dis.get_instructions(current):
            if ins.opname in ("LOAD_ATTR", "LOAD_METHOD"):
                attributes.add(str(ins.argval))
            elif ins.opname in ("LOAD_GLOBAL", "LOAD_NAME", "LOAD_DEREF"):
                globals_.add(str(ins.argval))
            elif ins.opname == "IMPORT_NAME":  # `import keras` inside the function
                globals_.add(str(ins.argval).split(".")[0])
            elif ins.opname == "IMPORT_FROM":  # `from losslab.modeling import top_k_labels` inside it
                attributes.add(str(ins.argval))
        stack.extend(c for c in current.co_consts if isinstance(c, types.CodeType))
    return attributes, globals_


_LIBRARIES = ("keras", "tensorflow", "tf_keras", "losslab")


def _imported_names(fn: Callable, outer_names: set[str]) -> set[str]:
    """The library names behind ``fn``'s outer names in the learner's kernel (``cce`` -> ``categorical_crossentropy``).

    ``from keras.losses import categorical_crossentropy as cce`` hides the library call behind a
    global name; its object still tells where it comes from. TensorFlow's exported functions are
    named with a version suffix (``softmax_v2``), dropped here. (The grader reads imports from the
    notebook's source instead: :mod:`losslab.grading.code_review`.)
    """
    namespace = getattr(fn, "__globals__", None)
    if not isinstance(namespace, dict):
        return set()
    found = set()
    for name in outer_names:
        obj = namespace.get(name)
        if obj is None:
            continue
        origin = obj.__name__ if isinstance(obj, types.ModuleType) else getattr(obj, "__module__", None)
        if isinstance(origin, str) and origin.split(".")[0] in _LIBRARIES:
            found.add(re.sub(r"_v\d+$", "", str(getattr(obj, "__name__", name)).split(".")[-1]))
    return found


def _names_read_from_code(fn: Callable, what: str) -> tuple[set[str], set[str]]:
    """:func:`names_used` plus imported library names, or a Mistake saying why the code cannot be read."""
    review = getattr(fn, "_losslab_review", None)
    if review is not None and review.unjudgeable:
        raise Mistake(review.unjudgeable)
    if (review is None or not review.codes) and not isinstance(getattr(fn, "__code__", None), types.CodeType):
        raise Mistake(
            f"the grader cannot read the code of {what} (it is not a plain `def` in the graded cells), "
            "so it cannot tell what it calls"
        )
    attributes, globals_ = names_used(fn)
    if review is None:
        attributes |= _imported_names(fn, globals_)
    return attributes, globals_


def expect_from_scratch(
    fn: Callable, forbidden: Iterable[str], what: str, lesson_versions: Iterable[str] = ()
) -> None:
    """``fn`` must not call the library functions it is meant to build (by attribute name), nor Keras.

    Example: ``forbidden={"softmax", "log_softmax", "reduce_logsumexp"}`` refuses
    ``tf.nn.softmax(x)`` and ``tf.math.reduce_logsumexp(x)`` but allows a call of the
    learner's own ``softmax`` function. ``lesson_versions`` are the package's versions
    the lessons use (``keras_zlpr_loss``...): refused by any name, imported or attribute.
    """
    attributes, globals_ = _names_read_from_code(fn, what)
    library = sorted(attributes & set(forbidden)) + (["keras"] if "keras" in globals_ else [])
    lesson = sorted((attributes | globals_) & set(lesson_versions))
    calls = [f"the library's {', '.join(f'`{u}`' for u in library)}"] if library else []
    calls += [f"the lesson's {', '.join(f'`{u}`' for u in lesson)} (Keras inside)"] if lesson else []
    if calls:
        raise Mistake(
            f"{what} calls {' and '.join(calls)}: the exercise is to build it from basic TensorFlow ops "
            "(tf.exp, tf.math.log, tf.reduce_sum, tf.where, ...), not to wrap the library version"
        )


def expect_own_code(fn: Callable, lesson_helpers: Iterable[str], what: str) -> None:
    """``fn`` must not call the package helpers a lesson used for the same job (by any name)."""
    # In the learner's kernel a helper bound to the graded name is the package's own function (the grader
    # reads the cells instead, and refuses a name not bound by a plain `def`).
    reviewed = getattr(fn, "_losslab_review", None) is not None
    if not reviewed and str(getattr(fn, "__module__", "")).startswith("losslab."):
        raise Mistake(f"{what} is the package's `{getattr(fn, '__name__', fn)}`, not a function written here")
    attributes, globals_ = _names_read_from_code(fn, what)
    used = sorted((attributes | globals_) & set(lesson_helpers))
    if used:
        raise Mistake(
            f"{what} calls the lesson's {', '.join(f'`{u}`' for u in used)}: that helper is what this "
            "exercise asks you to write, so write it here (NumPy and scikit-learn are fine)"
        )
