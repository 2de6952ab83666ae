"""The registry of sources: each source's pipeline and warehouse parts, put together once.

The only place that knows every source by name: the flows ask it what a monthly run and a
backfill should run (``monthly_runs``, ``backfill_runs``) and ``flows/ingest.py`` runs it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ..pipelines.contract import SourceSpec
from ..schemas import Month
from ..warehouse.news import news_loaded_months
from ..warehouse.status import loaded_series
from .comtrade import COMTRADE, api_key, load_comtrade_file
from .gacc import GACC, GaccAnswer, GaccRequest
from .news import NEWS, news_options

__all__ = [
    "BACKFILL_DEFAULT",
    "COMTRADE",
    "GACC",
    "NAMES",
    "NEWS",
    "GaccAnswer",
    "GaccRequest",
    "Run",
    "backfill_runs",
    "load_comtrade_file",
    "monthly_runs",
    "news_options",
]

NAMES = ("comtrade", "gacc", "news")
# News is backfilled only when asked for (--source news): GDELT allows a request every 5 s.
BACKFILL_DEFAULT = ("comtrade", "gacc")
Secret = Callable[[str], "str | None"]


@dataclass(frozen=True)
class Run:
    """One source's share of a flow run: the spec with its options, and what it is to load."""

    spec: SourceSpec
    series: list = ()
    months: list[Month] = ()
    requests: list[Any] | None = None


def _specs(config, offline: bool, secret: Secret) -> dict[str, SourceSpec]:
    key = api_key(config.comtrade_api_key_secret, offline, secret)
    return {
        "comtrade": replace(COMTRADE, options={"api_key": key}),
        "gacc": GACC,
        "news": replace(NEWS, options=news_options(config, offline)),
    }


def _watched(config, name: str) -> list:
    if name == "news":
        return [s for s in config.series if s.news_terms]
    return list(config.for_source(name))


def monthly_runs(config, target: Month, months: list[Month], *, offline: bool, secret: Secret):
    """A monthly run: Comtrade and GACC for the window, news for the target month."""
    specs = _specs(config, offline, secret)
    runs = [Run(specs["comtrade"], _watched(config, "comtrade"), months)]
    if _watched(config, "gacc"):
        runs.append(Run(specs["gacc"], _watched(config, "gacc"), months))
    if _watched(config, "news"):
        runs.append(Run(specs["news"], _watched(config, "news"), [target]))
    return runs


def backfill_sources(config, chosen: list[str] | None) -> list[str]:
    """The sources a backfill runs: those named (checked), else the default ones watched."""
    picked = list(chosen) if chosen else [s for s in BACKFILL_DEFAULT if config.for_source(s)]
    unknown = sorted(set(picked) - set(NAMES))
    if unknown:
        raise ValueError(f"unknown source {', '.join(unknown)} (known: {', '.join(NAMES)})")
    return picked


def backfill_runs(
    name: str, con, config, months: list[Month], *, force: bool, offline: bool, secret: Secret
) -> tuple[list[Run], list[Month]]:
    """What a backfill runs for one source, and the months it skips as already loaded.

    Comtrade: each series only for the months it still needs, twelve months a call, oldest
    first; GACC: the release pages of every month some series needs; news: month by month.
    """
    spec = _specs(config, offline, secret)[name]
    series = _watched(config, name)
    start, end = months[0].first_day, months[-1].first_day
    if name == "news":
        if not series:
            return [], []
        done = set() if force else news_loaded_months(con, start, end)
        skipped = [m for m in months if m.first_day in done]
        runs = [Run(spec, series, [m]) for m in months if m.first_day not in done]
        return runs, skipped
    groups = pending_months(series, months, loaded_series(con, name, start, end), force)
    todo = sorted({m for needed in groups for m in needed})
    skipped = [m for m in months if m not in todo]
    if name == "gacc":
        wanted = sorted({s for group in groups.values() for s in group}, key=lambda s: s.key)
        return [Run(spec, wanted, todo)], skipped
    requests = sorted(
        (r for needed, group in groups.items() for r in spec.plan(None, group, needed, None, {})),
        key=lambda r: (r.months[0], r.partner, r.hs_codes),
    )
    return [Run(spec, requests=requests)], skipped


def pending_months(
    series: list, months: list[Month], loaded: dict[dt.date, set[str]], force: bool
) -> dict[tuple[Month, ...], list]:
    """Group series by the months each still needs, so every month is fetched once per series."""
    groups: dict[tuple[Month, ...], list] = defaultdict(list)
    for s in series:
        needed = tuple(m for m in months if force or s.key not in loaded.get(m.first_day, set()))
        if needed:
            groups[needed].append(s)
    return dict(groups)
