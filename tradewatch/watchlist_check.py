"""The watchlist's shape as pydantic models, and the checks that name the file and line of each
fault; ``watchlist.load`` imports this module only when a watchlist's text is new to it."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, field_validator

from .schemas.series import Series
from .watchlist import BLOCK_NAME, LOCAL_FILE, AlertSettings, Watchlist, WatchlistError

__all__ = ["BLOCK_NAME", "Section", "parse"]


# -- the file's shape, as pydantic models: strict types (true is not 1, 5 is not "5") ------------

_OWN_SECTIONS = ("run", "alerts", "series")
_HTTP_URL = r"^(https?://\S+)?$"
_Fraction = Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)]
_Months = Annotated[int, Field(ge=1, le=24)]
_Tonnes = Annotated[float, Field(ge=0, allow_inf_nan=False)]
_Country = int | Annotated[str, Field(min_length=1)]


class Section(BaseModel):
    """A table of the watchlist: every key typed, unknown keys refused. A source's own section
    (``[<source>]``) is such a model, named by its ``settings``; a key's ``description`` is
    what error messages say it must be."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


_Table = Section


class KeyedSection(Section):
    """A source's section whose only key names the Prefect Secret holding its API key."""

    api_key_secret: Annotated[
        str,
        Field(
            pattern=BLOCK_NAME,
            description="the name of a Prefect Secret block (lower-case letters, digits, dashes)",
        ),
    ] = ""


class _Run(_Table):
    window_months: _Months = 3


class _Alerts(_Table):
    theta: _Fraction = 0.10
    min_trend_months: _Months = 1
    low_base_tonnes: _Tonnes = 1000.0
    rule: Literal["seasonal", "simple"] = "seasonal"
    band_k: Annotated[float, Field(ge=1, le=10)] = 2.25
    min_history_months: Annotated[int, Field(ge=6, le=120)] = 12
    notify_low_base: bool = False
    notification_block: Annotated[str, Field(pattern=r"^\s*([^/\s]+/[^/\s]+)?\s*$")] = ""
    webhook_url: Annotated[str, Field(pattern=_HTTP_URL)] = ""
    notify: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9+.-]*://\S+$")]] = []


class _Series(_Table):
    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    reporter: _Country
    partner: _Country
    hs: Annotated[
        str, Field(pattern=r"^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{8}|[0-9]{10}|TOTAL)$")
    ]  # ASCII
    flow: Literal["M", "X"] = "M"
    # the registered sources that load series (``Source.watches_series``): not news
    # left out: the source that loads series by default (``Source.default_for_series``)
    sources: Annotated[list[str], Field(min_length=1)] | None = None
    news_terms: list[Annotated[str, Field(pattern=r"\S")]] = []
    mirror: bool = False
    theta: _Fraction | None = None
    min_trend_months: _Months | None = None
    low_base_tonnes: _Tonnes | None = None

    @field_validator("sources")
    @classmethod
    def _registered(cls, names: list[str] | None) -> list[str] | None:
        known = series_sources()
        if names is None:
            return None
        unknown = [name for name in names if name not in known]
        if unknown:
            raise ValueError(
                f"must be a non-empty list of: {', '.join(known)}; not "
                f"{', '.join(map(repr, unknown))} (no source of that name is installed)"
            )
        return names

    @field_validator("reporter", "partner")
    @classmethod
    def _m49(cls, code: int | str) -> int:
        if isinstance(code, str):
            # "PRK" or "North Korea", through the same country table as the parsers
            from .schemas.countries import country_code  # pycountry only when names are used

            code = country_code(code)
        if not 0 <= code <= 999:
            raise ValueError(f"must be a UN M49 country code (0-999), got {code!r}")
        return code


@cache
def _sections() -> dict[str, type[BaseModel]]:
    """Every section a watchlist may have: tradewatch's own and each registered source's."""
    from .sources.base import source_classes

    own = {"run": _Run, "alerts": _Alerts}
    for name, cls in source_classes().items():
        if (model := cls.settings_model()) is not None:
            own[name] = model
    return {**own, "series": _Series}


@cache
def _document() -> type[BaseModel]:
    fields: dict[str, Any] = {
        name: (model, model()) for name, model in _sections().items() if name != "series"
    }
    fields["series"] = (Annotated[list[_Series], Field(min_length=1)], ...)
    return create_model("_Document", __base__=_Table, **fields)


# What each key must be, for messages a person can act on (pydantic's name the pattern).
_MUST = {
    "window_months": "a whole number 1-24",
    "theta": "a fraction between 0 and 1 (0.10 is 10%)",
    "min_trend_months": "1-24 (a whole number of months)",
    "low_base_tonnes": "0 or more",
    "rule": "'seasonal' (judged against the season and the series' noise) or 'simple'",
    "band_k": "a number from 1 to 10 (robust standard deviations)",
    "min_history_months": "a whole number of months, 6-120",
    "notify_low_base": "true or false",
    "notification_block": "'block-type/name', e.g. 'slack-webhook/alerts'",
    "webhook_url": "an http(s) URL",
    "notify": 'a list of apprise URLs, e.g. ["json://host/path", "mailto://user:pass@host"]',
    "name": "lower-case letters, digits and dashes",
    "reporter": "a UN M49 country code (0-999), an ISO code or a country's name",
    "partner": "a UN M49 country code (0-999), an ISO code or a country's name",
    "hs": "an HS code of 2, 4 or 6 digits, 8 or 10 (CN8, HTS10) or TOTAL, as a string",
    "flow": "'M' (imports) or 'X' (exports)",
    "news_terms": 'a list of words, e.g. ["coal", "North Korea"]',
    "mirror": "true or false",
}


def parse(text: str, name: str = LOCAL_FILE) -> Watchlist:
    text = text.removeprefix("\ufeff")  # a byte-order mark, as some editors on Windows write
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WatchlistError(f"{name}: {exc}") from exc
    where = _Locator(text, name)
    try:
        checked = _document().model_validate(document)
    except ValidationError as exc:
        raise WatchlistError(_describe(exc, document, where)) from None
    series, names = [], set()
    for index, table in enumerate(checked.series):
        if table.name in names:
            raise WatchlistError(
                f"{where.key('series', index, 'name')}: duplicate name {table.name!r}"
            )
        names.add(table.name)
        series.append(_series(table, index, where))
    alerts = checked.alerts
    return Watchlist(
        name,
        tuple(series),
        checked.run.window_months,
        AlertSettings(
            theta=alerts.theta,
            min_trend_months=alerts.min_trend_months,
            low_base_tonnes=alerts.low_base_tonnes,
            rule=alerts.rule,
            band_k=alerts.band_k,
            min_history_months=alerts.min_history_months,
            notify_low_base=alerts.notify_low_base,
            notification_block=alerts.notification_block.strip() or None,
            webhook_url=alerts.webhook_url.strip() or None,
            notify=tuple(alerts.notify),
        ),
        {name: getattr(checked, name) for name in _sections() if name not in _OWN_SECTIONS},
    )


def series_sources() -> tuple[str, ...]:
    """The registered sources a series may name in ``sources``, in registration order."""
    from .sources.base import source_classes  # light: the sources' modules import no pandas

    return tuple(name for name, cls in source_classes().items() if cls.watches_series)


def default_sources() -> tuple[str, ...]:
    """What a series that names no source is loaded by."""
    from .sources.base import source_classes

    return tuple(name for name, cls in source_classes().items() if cls.default_for_series)


def _series(table: _Series, index: int, where: _Locator) -> Series:
    series = Series(
        table.name,
        table.reporter,
        table.partner,
        table.hs,
        table.flow,
        tuple(table.sources) if table.sources is not None else default_sources(),
        theta=table.theta,
        min_trend_months=table.min_trend_months,
        low_base_tonnes=table.low_base_tonnes,
        news_terms=tuple(t.strip() for t in table.news_terms),
        mirror=table.mirror,
    )
    from .sources.base import source_class

    for name in series.sources:  # each source's own rules for the series it loads
        problem = source_class(name).series_problem(series)
        if problem:
            raise WatchlistError(f"{where.key('series', index, 'sources')}: {problem}")
    return series


def _describe(error: ValidationError, document: dict, where: _Locator) -> str:
    """One line per fault, each naming its file and line; the first fault's line first."""
    lines, seen = [], set()
    for item in error.errors():
        loc = item["loc"]
        section = loc[0]
        index = loc[1] if section == "series" and len(loc) > 1 and isinstance(loc[1], int) else 0
        rest = loc[2:] if section == "series" else loc[1:]
        key = rest[0] if rest and isinstance(rest[0], str) else None
        if (section, index, key) in seen:
            continue  # a union's members each complain; one line per key is enough
        seen.add((section, index, key))
        lines.append(_fault(item, section, index, key, document, where))
    return "\n".join(lines)


def _fault(item: dict, section, index: int, key, document: dict, where: _Locator) -> str:
    kind, value = item["type"], item.get("input")
    if key is None:
        if kind == "extra_forbidden":
            known = ", ".join(f"[[{s}]]" if s == "series" else f"[{s}]" for s in _sections())
            return f"{where.section(section)}: unknown section [{section}] (known: {known})"
        if section == "series" and kind in ("missing", "too_short", "list_type"):
            return f"{where.name}: no [[series]] to watch (each is a [[series]] table)"
        if kind == "missing":
            return f"{where.section(section, index)}: series is missing {item['loc'][-1]!r}"
        if isinstance(document.get(section), list):
            table = f"[{section}] is one table: write [{section}], not [[{section}]]"
            return f"{where.section(section)}: {table}"
        return f"{where.section(section, index)}: [{section}] must be a table"
    at = where.key(section, index, key)
    if kind == "extra_forbidden":
        known = ", ".join(sorted(_sections()[section].model_fields))
        return f"{at}: unknown key {key!r} in [{section}] (known: {known})"
    if kind == "missing":
        return f"{where.section(section, index)}: series is missing {key!r}"
    if kind == "value_error":
        reason = str(item["ctx"]["error"])
        if reason.startswith("must be"):
            return f"{at}: {key} {reason}"
        return f"{at}: {reason}"
    shown = str(value).lower() if isinstance(value, bool) else repr(value)  # as TOML writes it
    described = _sections()[section].model_fields.get(key) if section in _sections() else None
    must = (described.description if described else None) or _MUST.get(key, item["msg"])
    if key == "sources":  # the registry says which
        must = f"a non-empty list of: {', '.join(series_sources())}"
    return f"{at}: {key} must be {must}, got {shown}"


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
