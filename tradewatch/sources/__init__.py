"""The sources tradewatch runs, found through the ``tradewatch.sources`` entry points.

The flows ask this registry what a monthly run and a backfill should run (``monthly_runs``,
``backfill_runs``) and hand each ``Run`` to the engine (``flows/ingest.py``); nothing outside a
source's own package names it. ``base.Source`` is the interface a source implements.
"""

from __future__ import annotations

from collections.abc import Sequence

from .base import (
    GROUP,
    RegistryError,
    Run,
    SecretFn,
    Source,
    pending_months,
    source_class,
    source_classes,
    source_names,
    title,
)

__all__ = [
    "GROUP",
    "RegistryError",
    "Run",
    "Source",
    "backfill_runs",
    "backfill_sources",
    "monthly_runs",
    "pending_months",
    "source_class",
    "source_classes",
    "source_names",
    "title",
]


def monthly_runs(config, target, months, *, offline: bool, secret: SecretFn) -> list[Run]:
    """A monthly run: every registered source's share (by default the window for its series)."""
    return [
        run
        for cls in source_classes().values()
        for run in cls.configured(config, offline=offline, secret=secret).monthly_runs(
            config, target, months
        )
    ]


def backfill_sources(config, chosen: Sequence[str] | None) -> list[str]:
    """The sources a backfill runs: those named (checked), else every source that backfills by
    default and has a watched series."""
    classes = source_classes()
    if chosen:
        unknown = sorted(set(chosen) - set(classes))
        if unknown:
            import difflib

            near = difflib.get_close_matches(unknown[0], list(classes), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise ValueError(
                f"unknown source {', '.join(unknown)} (known: {', '.join(classes)}){hint}"
            )
        return list(dict.fromkeys(chosen))
    return [
        name for name, cls in classes.items() if cls.backfill_by_default and cls.watched(config)
    ]


def backfill_runs(
    name: str, con, config, months, *, force: bool, offline: bool, secret: SecretFn
) -> tuple[list[Run], list]:
    """What a backfill runs for one source, and the months it skips as already loaded."""
    source = source_class(name).configured(config, offline=offline, secret=secret)
    return source.backfill_runs(con, config, months, force)
