"""Lazy re-exports for the sub-packages' ``__init__`` (PEP 562): a short import surface that costs nothing.

``from losslab.modeling import fit`` imports :mod:`losslab.modeling.training` when the
name is first asked for, not every module of the package, so importing one module of a
package never drags in TensorFlow through its siblings.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping

__all__ = ["lazy_exports"]


def lazy_exports(package: str, exports: Mapping[str, str]) -> tuple[Callable, Callable]:
    """``(__getattr__, __dir__)`` for ``package``, resolving each name in ``exports`` from its module.

    Args:
        package: the package's ``__name__``.
        exports: public name -> module of the package defining it (the module itself when they match).
    """

    def getattr_(name: str):
        try:
            module_name = exports[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        module = importlib.import_module(f"{package}.{module_name}")
        value = module if module_name == name else getattr(module, name)
        setattr(sys.modules[package], name, value)
        return value

    def dir_() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(exports))

    return getattr_, dir_
