"""What the command line prints: tables, summary lines and a run's progress.

Kept apart from ``cli.py`` (which declares the commands and calls the library) so that every
command prints the same way; imports neither Prefect nor pandas (the progress bar's rich and
Prefect's console handler load only while a run shows its progress).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager


def print_reasons(reasons: dict[str, int]) -> None:
    """One line per reason rows were quarantined for; the rows themselves are in the warehouse."""
    if not reasons:
        return
    for reason, rows in sorted(reasons.items(), key=lambda item: (-item[1], item[0])):
        print(f"  quarantined {rows} row{'s' if rows != 1 else ''}: {reason}")
    print(
        "  each row, its value and the record as published: "
        'tradewatch query "select * from ops.quarantine order by quarantined_at desc"'
    )


def unavailable(by_reason: dict[str, list[str]]) -> str:
    """Months a source never publishes, in the words ``status`` uses: "not available"."""
    return "".join(
        f"; not available ({reason}): {labels(names)}" for reason, names in by_reason.items()
    )


def labels(names: list[str], most: int = 6) -> str:
    """A short list as it is; a long one as its count, first and last."""
    if not names:
        return "none"
    if len(names) <= most:
        return ", ".join(names)
    return f"{len(names)} months ({names[0]} ... {names[-1]})"


def format_rows(columns: Sequence[str], rows: Sequence[tuple], fmt: str) -> str:
    """Rows as an aligned table (numbers grouped by thousands), CSV or JSON records."""
    if fmt == "json":
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        return json.dumps(records, default=json_value, indent=1) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        return out.getvalue()
    cells = [[cell(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    numeric = [
        all(isinstance(row[i], int | float) or row[i] is None for row in rows)
        for i in range(len(columns))
    ]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    body = [line(columns), line(["-" * w for w in widths])] + [line(r) for r in cells]
    body.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(body) + "\n"


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, int):
        return str(value) if abs(value) < 10000 else f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def json_value(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


class QuietCompletions(logging.Filter):
    """A task run that ended ``Completed()`` is no news on the console: a backfill printed a
    hundred such lines around its months. Failures, warnings and the tasks' own lines stay."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.name == "prefect.task_runs"
            and record.levelno == logging.INFO
            and record.getMessage().startswith("Finished in state Completed(")
        )


@contextmanager
def logs_above(printer: ProgressPrinter) -> Iterator[None]:
    """Prefect's console logs in the block: without task runs' ``Completed()`` lines and, while
    the bar is live, printed through the bar's console (above it, never through it). Only the
    console handlers change; the logs reach the Prefect API as ever."""
    from prefect.logging.handlers import PrefectConsoleHandler

    swapped, quiet = [], QuietCompletions()
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    consoles = {
        handler
        for logger in loggers
        for handler in getattr(logger, "handlers", [])
        if isinstance(handler, PrefectConsoleHandler)
    }
    for handler in consoles:
        handler.addFilter(quiet)
        if printer.console is not None:
            swapped.append((handler, handler.console))
            handler.console = printer.console
    try:
        yield
    finally:
        for handler, console in swapped:
            handler.console = console
        for handler in consoles:
            handler.removeFilter(quiet)


class ProgressPrinter:
    """A live bar with elapsed time and ETA on a terminal (rich), logs above it; one plain line
    per month otherwise (cron, CI, a pipe)."""

    def __init__(self, terminal) -> None:
        self._terminal = terminal
        self._progress = None
        self._task = None

    @property
    def console(self):
        return self._progress.console if self._progress is not None else None

    def __enter__(self) -> ProgressPrinter:
        if self._terminal is not None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description:<32}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(file=self._terminal, force_terminal=True),
            )
            self._progress.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()

    def __call__(self, event) -> None:
        if self._progress is None:
            detail = f" ({event.detail})" if event.detail else ""
            # flushed: on a pipe each month's line comes out when it happens, not after the flow
            print(f"[{event.done}/{event.total}] {event.label}: {event.status}{detail}", flush=True)
            return
        if self._task is None:
            self._task = self._progress.add_task("", total=event.total)
        self._progress.update(
            self._task,
            completed=event.done,
            total=event.total,
            description=f"{event.label} {event.status}",
        )
        if event.status in {"failed", "crashed"}:
            self._progress.console.print(f"{event.label}: {event.status} ({event.detail})")


@contextmanager
def showing_progress() -> Iterator[None]:
    """Progress of the run in the block: a bar on a terminal's stderr, else lines on stdout."""
    from .flows import progress

    terminal = sys.stderr if sys.stderr.isatty() else None
    with ProgressPrinter(terminal) as printer, progress.listening(printer), logs_above(printer):
        yield
