"""Progress of a long run, for whoever listens: the CLI's bar, a Prefect artifact, the log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class ProgressEvent:
    """One month of one source finished (or was found already done)."""

    done: int
    total: int
    source: str
    period: dt.date
    status: str
    detail: str = ""


Listener = Callable[[ProgressEvent], None]
_listeners: list[Listener] = []


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Call ``listener`` for every progress event emitted inside the block."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def emit(event: ProgressEvent) -> None:
    for listener in list(_listeners):
        listener(event)
