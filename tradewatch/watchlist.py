"""The watchlist (``tradewatch.toml``): which series to follow and how runs behave.

Lookup order: an explicit path, ``TRADEWATCH_WATCHLIST``, ``./tradewatch.toml``, then the
default shipped in the package. Every mistake is reported with the file and line it is on.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .schemas.series import Series

ENV_VAR = "TRADEWATCH_WATCHLIST"
LOCAL_FILE = "tradewatch.toml"
KNOWN_SOURCES = ("comtrade", "gacc")
# What China's customs publishes on its English site: commodities only against the world,
# countries only as all goods (hs "TOTAL").
GACC_COMMODITIES = ("2701", "2601")
_REVERSAL_KEYS = {"theta", "min_trend_months", "low_base_tonnes"}
_SECTIONS = {
    "run": {"window_months"},
    "comtrade": {"api_key_secret"},
    "alerts": {*_REVERSAL_KEYS, "notify_low_base", "notification_block", "webhook_url"},
    "news": {"gdelt", "feeds"},
    "series": {
        "name",
        "reporter",
        "partner",
        "hs",
        "flow",
        "sources",
        "news_terms",
        *_REVERSAL_KEYS,
    },
}
WEBHOOK_ENV = "TRADEWATCH_ALERT_WEBHOOK"


@dataclass(frozen=True)
class AlertSettings:
    """How reversals are judged and where alerts go (the ``[alerts]`` section)."""

    theta: float = 0.10
    min_trend_months: int = 1
    low_base_tonnes: float = 1000.0
    notify_low_base: bool = False
    notification_block: str | None = None
    webhook_url: str | None = None

    def webhook(self) -> str | None:
        """``TRADEWATCH_ALERT_WEBHOOK`` if set, else the watchlist's ``webhook_url``."""
        return (os.environ.get(WEBHOOK_ENV) or "").strip() or self.webhook_url


_HS = re.compile(r"^([0-9]{2}|[0-9]{4}|[0-9]{6}|TOTAL)$")  # ASCII digits only
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class WatchlistError(ValueError):
    """The watchlist is malformed; the message names the file and line."""


@dataclass(frozen=True)
class NewsSettings:
    """Where news reports are looked for (the ``[news]`` section and each series' terms)."""

    gdelt: bool = True
    feeds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Watchlist:
    path: str
    series: tuple[Series, ...]
    window_months: int = 3
    comtrade_api_key_secret: str | None = None
    alerts: AlertSettings = AlertSettings()
    news: NewsSettings = NewsSettings()

    def for_source(self, source: str) -> list[Series]:
        return [s for s in self.series if source in s.sources]


def resolve(path: str | os.PathLike | None = None) -> tuple[str, str]:
    """The watchlist's name and text, by the lookup order above."""
    chosen = path or os.environ.get(ENV_VAR)
    if chosen:
        try:
            return str(chosen), Path(chosen).read_text(encoding="utf-8")
        except OSError as exc:
            raise WatchlistError(f"cannot read watchlist {chosen}: {exc.strerror}") from exc
    local = Path(LOCAL_FILE)
    if local.is_file():
        return str(local), local.read_text(encoding="utf-8")
    default = resources.files(__package__).joinpath(LOCAL_FILE)
    return f"(built-in) {LOCAL_FILE}", default.read_text(encoding="utf-8")


def load(path: str | os.PathLike | None = None) -> Watchlist:
    """Read and check a watchlist; raise ``WatchlistError`` naming the line of the first fault."""
    name, text = resolve(path)
    return parse(text, name)


def parse(text: str, name: str = LOCAL_FILE) -> Watchlist:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WatchlistError(f"{name}: {exc}") from exc
    where = _Locator(text, name)
    for section, value in document.items():
        if section not in _SECTIONS:
            raise WatchlistError(f"{where.section(section)}: unknown section [{section}]")
        tables = value if isinstance(value, list) else [value]
        for index, table in enumerate(tables):
            if not isinstance(table, dict):
                raise WatchlistError(f"{where.section(section)}: [{section}] must be a table")
            for key in table:
                if key not in _SECTIONS[section]:
                    known = ", ".join(sorted(_SECTIONS[section]))
                    raise WatchlistError(
                        f"{where.key(section, index, key)}: unknown key {key!r} in [{section}]"
                        f" (known: {known})"
                    )
    run = document.get("run", {})
    window = run.get("window_months", 3)
    if not isinstance(window, int) or isinstance(window, bool) or not 1 <= window <= 24:
        raise WatchlistError(
            f"{where.key('run', 0, 'window_months')}: window_months must be a whole number 1-24"
        )
    secret = document.get("comtrade", {}).get("api_key_secret") or None
    alerts = _alerts(document.get("alerts", {}), where)
    raw_series = document.get("series", [])
    if not isinstance(raw_series, list) or not raw_series:
        raise WatchlistError(f"{name}: no [[series]] to watch")
    series, names = [], set()
    for index, table in enumerate(raw_series):
        s = _series(table, index, where)
        if s.name in names:
            raise WatchlistError(f"{where.key('series', index, 'name')}: duplicate name {s.name!r}")
        names.add(s.name)
        series.append(s)
    return Watchlist(name, tuple(series), window, secret, alerts, _news(document, where))


def _news(document: dict, where: _Locator) -> NewsSettings:
    table = document.get("news", {})

    def fail(key: str, message: str) -> WatchlistError:
        return WatchlistError(f"{where.key('news', 0, key)}: {message}")

    gdelt = table.get("gdelt", True)
    if not isinstance(gdelt, bool):
        raise fail("gdelt", "gdelt must be true or false")
    feeds = table.get("feeds", [])
    if not isinstance(feeds, list) or not all(isinstance(f, str) for f in feeds):
        raise fail("feeds", "feeds must be a list of URLs")
    for feed in feeds:
        if not feed.startswith(("http://", "https://")):
            raise fail("feeds", f"a feed must be an http(s) URL, got {feed!r}")
    return NewsSettings(gdelt, tuple(feeds))


def _reversal_settings(table: dict, fail) -> dict:
    """Check theta, min_trend_months and low_base_tonnes wherever they appear."""
    found = {}
    if "theta" in table:
        theta = table["theta"]
        if isinstance(theta, bool) or not isinstance(theta, int | float) or not 0 < theta < 1:
            raise fail(
                "theta", f"theta must be a fraction between 0 and 1 (0.10 is 10%), got {theta!r}"
            )
        found["theta"] = float(theta)
    if "min_trend_months" in table:
        months = table["min_trend_months"]
        if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 24:
            raise fail("min_trend_months", f"min_trend_months must be 1-24, got {months!r}")
        found["min_trend_months"] = months
    if "low_base_tonnes" in table:
        floor = table["low_base_tonnes"]
        if isinstance(floor, bool) or not isinstance(floor, int | float) or floor < 0:
            raise fail("low_base_tonnes", f"low_base_tonnes must be 0 or more, got {floor!r}")
        found["low_base_tonnes"] = float(floor)
    return found


def _alerts(table: dict, where: _Locator) -> AlertSettings:
    def fail(key: str, message: str) -> WatchlistError:
        return WatchlistError(f"{where.key('alerts', 0, key)}: {message}")

    found = _reversal_settings(table, fail)
    notify_low_base = table.get("notify_low_base", False)
    if not isinstance(notify_low_base, bool):
        raise fail("notify_low_base", "notify_low_base must be true or false")
    found["notify_low_base"] = notify_low_base
    for key in ("notification_block", "webhook_url"):
        value = table.get(key, "")
        if not isinstance(value, str):
            raise fail(key, f"{key} must be a string")
        found[key] = value.strip() or None
    webhook = found["webhook_url"]
    if webhook and not webhook.startswith(("http://", "https://")):
        raise fail("webhook_url", f"webhook_url must be an http(s) URL, got {webhook!r}")
    block = found["notification_block"]
    if block and "/" not in block:
        raise fail(
            "notification_block",
            f"notification_block is 'block-type/name', e.g. 'slack-webhook/alerts', got {block!r}",
        )
    return AlertSettings(**found)


def _series(table: dict, index: int, where: _Locator) -> Series:
    def fail(key: str, message: str) -> WatchlistError:
        return WatchlistError(f"{where.key('series', index, key)}: {message}")

    for key in ("name", "reporter", "partner", "hs"):
        if key not in table:
            raise WatchlistError(f"{where.section('series', index)}: series is missing {key!r}")
    name = table["name"]
    if not isinstance(name, str) or not _NAME.match(name):
        raise fail("name", f"name must be lower-case letters, digits and dashes, got {name!r}")
    codes = {}
    for key in ("reporter", "partner"):
        code = table[key]
        if isinstance(code, str):
            # "PRK" or "North Korea", through the same country table as the parsers
            from .schemas.countries import country_code  # pycountry only when names are used

            try:
                code = country_code(code)
            except ValueError as exc:
                raise fail(key, str(exc)) from None
        if not isinstance(code, int) or isinstance(code, bool) or not 0 <= code <= 999:
            raise fail(key, f"{key} must be a UN M49 country code (0-999), got {code!r}")
        codes[key] = code
    hs = table["hs"]
    if not isinstance(hs, str) or not _HS.match(hs):
        raise fail(
            "hs", f"hs must be an HS code of 2, 4 or 6 digits (or TOTAL) as a string, got {hs!r}"
        )
    flow = table.get("flow", "M")
    if flow not in ("M", "X"):
        raise fail("flow", f"flow must be 'M' (imports) or 'X' (exports), got {flow!r}")
    sources = table.get("sources", ["comtrade"])
    if not isinstance(sources, list) or not sources:
        raise fail("sources", "sources must be a non-empty list")
    for source in sources:
        if source not in KNOWN_SOURCES:
            raise fail("sources", f"unknown source {source!r} (known: {', '.join(KNOWN_SOURCES)})")
    if "gacc" in sources and hs != "TOTAL":
        if codes["partner"] != 0 or hs not in GACC_COMMODITIES:
            raise fail(
                "sources",
                "gacc publishes commodities only against the world (partner 0, hs "
                f"{' or '.join(GACC_COMMODITIES)}) and countries only as hs TOTAL",
            )
    reversal = _reversal_settings(table, fail)
    terms = table.get("news_terms", [])
    if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
        raise fail("news_terms", 'news_terms must be a list of words, e.g. ["coal", "North Korea"]')
    return Series(
        name,
        codes["reporter"],
        codes["partner"],
        hs,
        flow,
        tuple(sources),
        news_terms=tuple(t.strip() for t in terms),
        **reversal,
    )


class _Locator:
    """Finds the line a section or key is on, for error messages (tomllib gives no positions)."""

    _HEADER = re.compile(r"^\s*\[(\[)?\s*([A-Za-z0-9_.-]+)\s*\]")
    _KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")

    def __init__(self, text: str, name: str) -> None:
        self.name = name
        self._sections: dict[tuple[str, int], int] = {}
        self._keys: dict[tuple[str, int, str], int] = {}
        counts: dict[str, int] = {}
        current = ("", 0)
        for number, line in enumerate(text.splitlines(), start=1):
            header = self._HEADER.match(line)
            if header:
                section = header.group(2)
                index = counts.get(section, 0)
                counts[section] = index + 1
                current = (section, index)
                self._sections.setdefault(current, number)
                continue
            key = self._KEY.match(line)
            if key:
                self._keys.setdefault((*current, key.group(1)), number)

    def section(self, section: str, index: int = 0) -> str:
        line = self._sections.get((section, index))
        return f"{self.name}, line {line}" if line else self.name

    def key(self, section: str, index: int, key: str) -> str:
        line = self._keys.get((section, index, key)) or self._sections.get((section, index))
        return f"{self.name}, line {line}" if line else self.name
