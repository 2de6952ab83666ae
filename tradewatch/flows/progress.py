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
    where: str = ""  # what moved, when not one source's month (a chunk of a parallel backfill)

    @property
    def label(self) -> str:
        return self.where or f"{self.source} {self.period:%Y-%m}"


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


class Tally:
    """Counts each (source, month) cell of a run once, and emits a ``ProgressEvent`` for it.

    A source may load a month in several pages (GACC's tables) or note it before loading it:
    only the first outcome counts. Months outside the run's own are not counted.
    """

    def __init__(
        self,
        first: dt.date,
        last: dt.date,
        total: int,
        on_change: Callable[[float], None] | None = None,
    ) -> None:
        self.first, self.last, self.total = first, last, total
        self.done = 0
        self._seen: set[tuple[str, dt.date]] = set()
        self._on_change = on_change

    def advance(self, source: str, period: dt.date, status: str, detail: str = "") -> None:
        if (source, period) in self._seen or not self.first <= period <= self.last:
            return
        self._seen.add((source, period))
        self.done += 1
        emit(ProgressEvent(self.done, self.total, source, period, status, detail))

    def on_loads(self, loads) -> None:
        """An ingest's ``on_loads`` hook: each load's month counts."""
        for load in loads:
            if load.period is not None:
                self.advance(load.source, load.period, load.status, load.message or "")
        if self._on_change is not None:
            self._on_change(100.0 * self.done / max(self.total, 1))
