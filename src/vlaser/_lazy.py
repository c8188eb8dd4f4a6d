"""Lazy package attributes (PEP 562): a package's exports are imported on first use.

A package lists each public name with the submodule that defines it::

    __getattr__, __dir__ = lazy_exports(__name__, {"run_scan": "run", "Grid": "grid"})

Then ``vlaser.scan.run_scan`` imports :mod:`vlaser.scan.run` when it is first looked
up, and importing one light submodule (``vlaser.scan.chunks``) does not import the
others. Submodules themselves need no entry (``from vlaser.scan import solvers``
imports the submodule as usual).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Module-level ``__getattr__`` and ``__dir__`` for ``package``.

    Args:
        package: The package's ``__name__``.
        exports: Public name -> submodule (relative to ``package``) that defines it.

    Returns:
        ``(__getattr__, __dir__)``; a name is bound on the package once imported, so
        later lookups are plain attribute reads.
    """

    def __getattr__(name: str) -> Any:  # noqa: N807
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{exports[name]}"), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:  # noqa: N807
        return sorted({*vars(sys.modules[package]), *exports})

    return __getattr__, __dir__


def shadow_submodules(package: str, exports: Mapping[str, str]) -> None:
    """Keep exports that share their submodule's name (``vlaser.laser.scan`` the
    function in ``vlaser/laser/scan.py``) bound to the export, as an eager
    ``from .scan import scan`` in the package would: importing the submodule later
    binds the module object on the package, which this ignores.

    Args:
        package: The package's ``__name__`` (its module class is replaced).
        exports: The names to keep, each -> its submodule (equal names).
    """
    import types

    def prop(name: str, sub: str) -> property:
        def get(_self: types.ModuleType) -> Any:
            return getattr(importlib.import_module(f"{package}.{sub}"), name)

        def put(_self: types.ModuleType, _value: Any) -> None:
            """The import system binds the submodule here: keep the export."""

        return property(get, put)

    attrs = {name: prop(name, sub) for name, sub in exports.items()}
    module = sys.modules[package]
    module.__class__ = type(f"{type(module).__name__}Package", (type(module),), attrs)
