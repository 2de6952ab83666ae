"""Package namespaces whose names load on first use (PEP 562): a command that needs one name does
not import what the package's other modules import (pandas, pandera, Prefect)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module


def lazy_names(package: str, homes: Mapping[str, str], namespace: dict) -> Callable[[str], object]:
    """A module `__getattr__` importing the submodule `homes[name]` when `name` is asked."""

    def __getattr__(name: str) -> object:
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f".{homes[name]}", package), name)
        namespace[name] = value
        return value

    return __getattr__
