"""What a source is: one typed class with defaults, found through entry points.

A source subclasses ``Source`` and says only what is its own — its client, how to fetch one
request, how to check the answer, how the checked rows load — and inherits what most sources do
alike: which watched series are its own, what a monthly run and a backfill ask of it, what is
already loaded, its display name. The ingest engine (``flows/ingest.py``) runs any source the
same way: fetch (I/O) → keep every byte → check (pure) → load (one transaction) → ledger.

Sources are found, not listed: every entry point of the group ``tradewatch.sources`` names a
``Source`` subclass (tradewatch's own in its ``pyproject.toml``), so another installed package
adds one with no edit in tradewatch. This module imports nothing heavy: the watchlist, the
command line and ``status`` read the registry without pandas; a source's module imports its
parsers and loaders inside its methods.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

if TYPE_CHECKING:
    import duckdb
    import httpx

    from ..pipelines.contract import Note, Refused
    from ..pipelines.http import ExchangeLog
    from ..schemas import Month
    from ..warehouse.load import MonthLoad, RunIds
    from ..watchlist import Series, Watchlist

GROUP = "tradewatch.sources"
# codes of the country table that stand for several countries (the EU): a source must say it
# sums or publishes them (``Source.aggregates``)
AGGREGATES = frozenset({97})

RequestT = TypeVar("RequestT")
RawT = TypeVar("RawT")
CheckedT = TypeVar("CheckedT")
# ``note(months, message, status="failed", series_keys=None, exchange_id=None)``: a ledger row
# for months a source knows the answer to while planning (failed, not published, unavailable)
NoteFn = Callable[..., None]
# a Prefect Secret's value by its block name (a source's key named in the watchlist)
SecretFn = Callable[[str], "str | None"]


class OneMonth:
    """A request for one ``month`` and the watched ``series`` it serves (a dataclass's
    fields): the months it stands for and the series keys its ledger rows name."""

    month: Month
    series: tuple[Series, ...]

    @property
    def months(self) -> list[Month]:
        return [self.month]

    def series_keys(self) -> list[str]:
        return sorted(s.key for s in self.series)


class Source(Generic[RequestT, RawT, CheckedT]):
    """One source of trade figures, as the ingest engine and the flows run it.

    Override ``client``, ``fetch``, ``check``, ``load`` and ``months`` (what every source has of
    its own); ``plan`` for a source whose requests are not simply its months; the class
    attributes for what differs in kind. ``options`` are this run's settings (an API key, feeds).
    """

    name: ClassVar[str]
    # how charts, the briefing and status name it
    title: ClassVar[str]
    # the watchlist's series name it in ``sources = [...]`` (False: news, run for series' terms)
    watches_series: ClassVar[bool] = True
    # a watched series that names no source is this one's (``sources`` left out)
    default_for_series: ClassVar[bool] = False
    # a backfill without --source runs it (False: asked for by name only)
    backfill_by_default: ClassVar[bool] = True
    # a monthly run asks it for the whole window (False: the target month only)
    monthly_window: ClassVar[bool] = True
    # an answer whose bytes were loaded before adds ledger rows only (False: load it again,
    # for sources whose months are only known once the answer is parsed)
    skip_unchanged: ClassVar[bool] = True
    # its ledger is one row per month written by ``finish`` once every request ran
    ledger_at_end: ClassVar[bool] = False
    # its own section of the watchlist, ``[<name>]``: a ``watchlist.Section`` model, or
    # "module:Class" naming one (imported when a watchlist is checked, so that reading commands
    # that read a checked watchlist back import no pydantic), or None
    settings: ClassVar[type | str | None] = None
    # its own tables: SQL of "create table if not exists" statements, run with the warehouse's
    # migrations (a source installed later gets them at the next writer's connection)
    tables: ClassVar[str | None] = None
    # the currency of the values it publishes (another than USD: the ECB's rates read them)
    currency: ClassVar[str] = "USD"
    # the lengths of product codes it publishes (HS 2/4/6; Comext's CN8 has 8)
    product_digits: ClassVar[tuple[int, ...]] = (2, 4, 6)
    # the one reporter whose trade it publishes (a national customs), None: any
    reporter: ClassVar[int | None] = None
    # aggregates of countries (``AGGREGATES``) it accepts as reporter or partner
    aggregates: ClassVar[frozenset[int]] = frozenset()
    # the module holding its parsers and loaders (``fetch``, ``check``, ``load`` functions the
    # defaults below call), imported with the first request so the registry stays light
    parts: ClassVar[str | None] = None

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        self.options: Mapping[str, Any] = dict(options or {})

    @classmethod
    def configured(cls, config: Watchlist, *, offline: bool, secret: SecretFn) -> Source:
        """The source with this run's options (read from the watchlist, the environment or a
        Prefect Secret); by default whether it runs offline."""
        return cls({"offline": offline})

    @classmethod
    def settings_model(cls) -> type | None:
        """The model of the source's watchlist section (``settings``, imported if named)."""
        if not isinstance(cls.settings, str):
            return cls.settings
        from importlib import import_module

        module, _, name = cls.settings.partition(":")
        return getattr(import_module(module), name)

    def __repr__(self) -> str:  # how task run names and logs show it
        return self.name

    # -- the engine's parts -----------------------------------------------------------------

    def client(self, log: ExchangeLog, offline: bool) -> httpx.Client:
        """The source's HTTP client: live and polite, or answering from recordings."""
        raise NotImplementedError(f"{type(self).__name__}.client")

    def plan(
        self, client: Any, series: Sequence[Series], months: Sequence[Month], note: NoteFn
    ) -> Sequence[RequestT]:
        """The requests for watched series and months; by default one a month. It may read
        index pages (their bytes are kept like any other) and ``note`` months it knows."""
        return list(months)

    def fetch(self, client: Any, request: RequestT) -> RawT | Refused:
        """One request's bytes (I/O only); the answer carries its ``exchange_id``."""
        return self._part("fetch")(client, request)

    def check(self, raw: RawT) -> CheckedT | Refused:
        """The raw answer parsed and checked against the source's schema (pure)."""
        return self._part("check")(raw)

    def load(
        self,
        con: duckdb.DuckDBPyConnection,
        raw: RawT,
        checked: CheckedT,
        run: RunIds,
    ) -> list[MonthLoad]:
        """The checked rows into the warehouse, in one transaction, with their ledger rows."""
        return self._part("load")(con, raw, checked, run)

    def _part(self, name: str) -> Callable[..., Any]:
        """A function of the source's ``parts`` module (imported now, on first use)."""
        if self.parts is None:
            raise NotImplementedError(f"{type(self).__name__}.{name}")
        from importlib import import_module

        return getattr(import_module(self.parts), name)

    def months(self, request: RequestT) -> Sequence[Month]:
        """The months a request stands for (its ledger rows, when it fails)."""
        return list(getattr(request, "months", [request]))

    def label(self, request: RequestT) -> str:
        """A request as a log line names it."""
        return f"{self.name} {request}"

    def refuse(
        self,
        con: duckdb.DuckDBPyConnection,
        request: RequestT,
        refused: Refused,
        run: RunIds,
        months: Sequence[Month],
    ) -> None:
        """Record an answer that is not kept (by default the log line says it; nothing more)."""

    def finish(
        self,
        con: duckdb.DuckDBPyConnection,
        outcomes: list[tuple[RequestT, Any]],
        notes: list[Note],
        months: Sequence[Month],
        run: RunIds,
    ) -> tuple[list[MonthLoad], Mapping[str, int]]:
        """For ``ledger_at_end`` sources: the months' ledger rows once every request ran, and
        counters to add to the run's summary."""
        raise NotImplementedError(f"{type(self).__name__}.finish")

    # -- what the flows ask of it -----------------------------------------------------------

    @classmethod
    def watched(cls, config: Watchlist) -> list[Series]:
        """The watched series that are this source's to load."""
        return [s for s in config.series if cls.name in s.sources]

    @classmethod
    def status_keys(cls, config: Watchlist) -> set[str] | None:
        """What ``status`` holds a month against: the watched series' keys (loaded when every
        one is), an empty set where a month is one outcome (news), None when nothing is
        watched."""
        series = cls.watched(config)
        if not series:
            return None
        return {s.key for s in series} if cls.watches_series else set()

    @classmethod
    def series_problem(cls, series: Series) -> str | None:
        """Why a series cannot name this source (the watchlist reports it with its line): by
        default, a product code longer than the source publishes (``product_digits``), another
        reporter than its own (``reporter``) or an aggregate of countries it does not sum
        (``aggregates``). A source's own rules call this first."""
        from ..schemas.countries import country_name

        digits = len(series.hs_code) if series.hs_code != "TOTAL" else 0
        if digits > max(cls.product_digits):
            return (
                f"{cls.name} publishes product codes of up to {max(cls.product_digits)} digits, "
                f"not {series.hs_code!r}"
            )
        if cls.reporter is not None and series.reporter != cls.reporter:
            return (
                f"{cls.name} publishes one reporter's trade, {country_name(cls.reporter)}'s "
                f"({cls.reporter}), not {country_name(series.reporter)}'s"
            )
        for role, code in (("reporter", series.reporter), ("partner", series.partner)):
            if code in AGGREGATES and code not in cls.aggregates:
                return f"{cls.name} has no {role} {country_name(code)} ({code})"
        return None

    def monthly_runs(self, config: Watchlist, target: Month, months: Sequence[Month]) -> list[Run]:
        """A monthly run's share: the window (or the target month) for its watched series."""
        series = self.watched(config)
        if not series:
            return []
        return [Run(self, series, list(months) if self.monthly_window else [target])]

    def loaded(
        self, con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date
    ) -> dict[dt.date, set[str]]:
        """The series keys loaded for each month from ``start`` to ``end`` (from the ledger)."""
        from ..warehouse.status import loaded_series

        return loaded_series(con, self.name, start, end)

    def backfill_runs(
        self,
        con: duckdb.DuckDBPyConnection,
        config: Watchlist,
        months: Sequence[Month],
        force: bool,
    ) -> tuple[list[Run], list[Month]]:
        """A backfill's share, and the months skipped as already loaded: by default one run
        for the months some watched series still needs, with those series."""
        series = self.watched(config)
        if not series:
            return [], list(months)
        loaded = self.loaded(con, months[0].first_day, months[-1].first_day)
        groups = pending_months(series, months, loaded, force)
        todo = sorted({m for needed in groups for m in needed})
        skipped = [m for m in months if m not in todo]
        if not todo:
            return [], skipped
        wanted = sorted({s for group in groups.values() for s in group}, key=lambda s: s.key)
        return [Run(self, wanted, todo)], skipped


@dataclass(frozen=True)
class Run:
    """One source's share of a flow run: the configured source and what it is to load (its
    series and months, which it plans into requests, or the requests themselves)."""

    source: Source
    series: list = field(default_factory=list)
    months: list = field(default_factory=list)
    requests: list | None = None


def pending_months(
    series: Sequence[Series],
    months: Sequence[Month],
    loaded: Mapping[dt.date, set[str]],
    force: bool,
) -> dict[tuple[Month, ...], list]:
    """Group series by the months each still needs, so every month is fetched once per series."""
    groups: dict[tuple[Month, ...], list] = defaultdict(list)
    for s in series:
        needed = tuple(m for m in months if force or s.key not in loaded.get(m.first_day, set()))
        if needed:
            groups[needed].append(s)
    return dict(groups)


def recorded_only(
    months: Sequence[Month],
    recorded: Sequence[Month],
    note: NoteFn,
    message: str,
    series_keys: Sequence[str] = (),
) -> list[Month]:
    """Offline, the months a source's recordings hold; the others noted ``unavailable`` with
    ``message`` (the months are no failure: there is nothing to replay)."""
    held = set(recorded)
    missing = [m for m in months if m not in held]
    if missing:
        note(missing, message, "unavailable", sorted(series_keys))
    return [m for m in months if m in held]


class RegistryError(RuntimeError):
    """An entry point of ``tradewatch.sources`` does not name a usable source."""


@dataclass(frozen=True)
class _EntryPoint:
    name: str
    value: str

    def load(self) -> Any:
        from importlib import import_module

        module, _, attribute = self.value.partition(":")
        found = import_module(module.strip())
        for part in filter(None, attribute.strip().split(".")):
            found = getattr(found, part)
        return found


@cache
def _entry_points() -> tuple[_EntryPoint, ...]:
    """The group's entry points, read once a process.

    What ``importlib.metadata.entry_points(group=...)`` returns for packages installed in
    folders on ``sys.path`` (``*.dist-info`` and ``*.egg-info``, the first of a name winning),
    read without it: importing it and scanning every package's metadata would cost the reading
    commands a fifth of their time.
    """
    import os
    import sys

    found, seen = [], set()
    for folder in sys.path:
        try:
            entries = sorted(os.scandir(folder or "."), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            stem, dot, kind = entry.name.rpartition(".")
            if not dot or kind not in ("dist-info", "egg-info"):
                continue
            package = stem.split("-")[0].lower().replace("_", "-").replace(".", "-")
            if package in seen:
                continue
            seen.add(package)
            try:
                with open(os.path.join(entry.path, "entry_points.txt"), encoding="utf-8") as f:
                    text = f.read()
            except OSError:
                continue
            found += _group_entries(text)
    return tuple(found)


def _group_entries(text: str) -> list[_EntryPoint]:
    """The ``tradewatch.sources`` entries of an ``entry_points.txt`` (an INI file)."""
    entries, inside = [], False
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            inside = line[1:-1].strip() == GROUP
        elif inside and "=" in line and not line.startswith(("#", ";")):
            name, _, value = line.partition("=")
            entries.append(_EntryPoint(name.strip(), value.strip()))
    return entries


def source_names() -> tuple[str, ...]:
    """Every registered source's name, without importing any (entry point names only)."""
    return tuple(dict.fromkeys(ep.name for ep in _entry_points()))


@cache
def source_classes() -> dict[str, type[Source]]:
    """Every registered source, by name: the entry points of ``tradewatch.sources``."""
    found: dict[str, type[Source]] = {}
    for ep in _entry_points():
        if ep.name in found:
            continue  # the same name twice (an editable install seen twice): the first wins
        try:
            cls = ep.load()
        except Exception as exc:
            raise RegistryError(f"source {ep.name!r} ({ep.value}) cannot be loaded: {exc}") from exc
        if not (isinstance(cls, type) and issubclass(cls, Source)):
            raise RegistryError(f"source {ep.name!r} ({ep.value}) is not a Source subclass")
        if getattr(cls, "name", None) != ep.name:
            raise RegistryError(
                f"source {ep.name!r} ({ep.value}) calls itself {getattr(cls, 'name', None)!r}"
            )
        found[ep.name] = cls
    return found


def source_class(name: str) -> type[Source]:
    """The registered source called ``name``; an unknown name is a ``KeyError`` naming them."""
    classes = source_classes()
    if name not in classes:
        raise KeyError(f"unknown source {name!r} (known: {', '.join(classes)})")
    return classes[name]


def title(name: str) -> str:
    """A source's display name ("UN Comtrade"), or its name for one no longer registered."""
    cls = source_classes().get(name)
    return getattr(cls, "title", name) if cls else name
