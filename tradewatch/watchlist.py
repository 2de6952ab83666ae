"""The watchlist (``tradewatch.toml``): which series to follow and how runs behave.

Lookup order: an explicit path, ``TRADEWATCH_WATCHLIST``, ``./tradewatch.toml``, then the
default shipped in the package. The file is checked by pydantic models (``watchlist_check``:
every key typed, unknown keys refused, codes by pattern); every mistake is reported with the file
and line it is on. A watchlist checked once is kept, as checked, in the user's cache (keyed by
its text, tradewatch's version and the installed sources), so that reading commands such as
``status`` read it back without importing pydantic.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

from .schemas.series import Series

ENV_VAR = "TRADEWATCH_WATCHLIST"
LOCAL_FILE = "tradewatch.toml"
WEBHOOK_ENV = "TRADEWATCH_ALERT_WEBHOOK"
CACHE_ENV = "TRADEWATCH_CACHE_DIR"
BLOCK_NAME = r"^([a-z0-9][a-z0-9-]*)?$"  # a Prefect block's name; empty means unset
# Checked by pydantic, imported on first use (PEP 562): ``Section``, ``parse`` and the rest.
_CHECK_NAMES = ("Section", "parse", "series_sources", "default_sources")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlertSettings:
    """How reversals are judged and where alerts go (the ``[alerts]`` section)."""

    theta: float = 0.10
    min_trend_months: int = 1
    low_base_tonnes: float = 1000.0
    rule: str = "seasonal"  # or "simple": a move of theta against the last one (README)
    band_k: float = 2.25  # the seasonal band, in robust standard deviations of past surprises
    min_history_months: int = 12  # past surprises a series needs before the seasonal rule
    notify_low_base: bool = False
    notification_block: str | None = None
    webhook_url: str | None = None
    notify: tuple[str, ...] = ()  # apprise URLs: "json://host/path", "mailto://...", ...

    def webhook(self) -> str | None:
        """``TRADEWATCH_ALERT_WEBHOOK`` if set, else the watchlist's ``webhook_url``."""
        return (os.environ.get(WEBHOOK_ENV) or "").strip() or self.webhook_url


class WatchlistError(ValueError):
    """The watchlist is malformed; the message names the file and line."""


@dataclass(frozen=True)
class Watchlist:
    path: str
    series: tuple[Series, ...]
    window_months: int = 3
    alerts: AlertSettings = AlertSettings()
    # each source's own section (``[<source>]``), checked by the model the source declares
    sources: Mapping[str, Any] = field(default_factory=dict)

    def for_source(self, source: str) -> list[Series]:
        return [s for s in self.series if source in s.sources]

    def settings_for(self, source: str) -> Any:
        """A source's section as checked by its ``settings`` model (its defaults if absent)."""
        from .sources.base import source_class

        model = source_class(source).settings_model()
        section = self.sources.get(source)
        if isinstance(section, dict):  # read back from the cache: checked, as plain values
            return model.model_validate(section, strict=False) if model is not None else None
        if section is not None:
            return section
        return model() if model is not None else None


def resolve(path: str | os.PathLike | None = None) -> tuple[str, str]:
    """The watchlist's name and text, by the lookup order above."""
    chosen = path or os.environ.get(ENV_VAR)
    if chosen:
        name, read = str(chosen), Path(chosen).read_bytes
    elif Path(LOCAL_FILE).is_file():
        name, read = LOCAL_FILE, Path(LOCAL_FILE).read_bytes
    else:
        default = resources.files(__package__).joinpath(LOCAL_FILE)
        name, read = f"(built-in) {LOCAL_FILE}", default.read_bytes
    try:
        data = read()
    except OSError as exc:
        raise WatchlistError(f"cannot read watchlist {name}: {exc.strerror}") from exc
    try:
        return name, data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise WatchlistError(
            f"{name}, line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); "
            "save the watchlist as UTF-8"
        ) from None


def load(path: str | os.PathLike | None = None) -> Watchlist:
    """Read and check a watchlist; raise ``WatchlistError`` naming the line of each fault."""
    name, text = resolve(path)
    kept = _cache_file(name, text)
    if kept is not None and kept.is_file():
        try:
            return _from_json(json.loads(kept.read_text("utf-8")))
        except (OSError, ValueError, TypeError, KeyError) as exc:  # a damaged copy: check again
            log.debug("watchlist cache %s unreadable (%s): checking the file again", kept, exc)
    from .watchlist_check import parse

    config = parse(text, name)
    if kept is not None:
        _keep(kept, config)
    return config


def _cache_file(name: str, text: str) -> Path | None:
    """Where this text's checked watchlist is kept; None when there is no cache folder."""
    from . import __version__
    from .sources.base import source_classes

    root = os.environ.get(CACHE_ENV) or os.environ.get("XDG_CACHE_HOME")
    root = Path(root) if root else Path.home() / ".cache"
    if os.environ.get(CACHE_ENV) is None:
        root = root / "tradewatch"
    registry = [
        (n, c.__module__, c.__qualname__, str(c.settings), c.watches_series, c.default_for_series)
        for n, c in source_classes().items()
    ]
    check = Path(__file__).with_name("watchlist_check.py").stat()
    key = json.dumps([__version__, name, text, registry, check.st_size, check.st_mtime_ns])
    return root / "watchlists" / f"{hashlib.sha256(key.encode()).hexdigest()}.json"


def _keep(path: Path, config: Watchlist) -> None:
    """Write the checked watchlist beside the others (atomically); a cache that cannot be
    written costs the next command pydantic's import, nothing else."""
    data = {
        "path": config.path,
        "series": [asdict(s) for s in config.series],
        "window_months": config.window_months,
        "alerts": asdict(config.alerts),
        "sources": {n: s.model_dump(mode="json") for n, s in config.sources.items()},
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(data), "utf-8")
        partial.replace(path)
    except OSError as exc:
        log.debug("watchlist cache not written to %s: %s", path, exc)


def _from_json(data: dict) -> Watchlist:
    def tuples(cls, values: dict):
        return cls(
            **{f.name: _tuple_if_list(values[f.name]) for f in fields(cls) if f.name in values}
        )

    return Watchlist(
        data["path"],
        tuple(tuples(Series, s) for s in data["series"]),
        data["window_months"],
        tuples(AlertSettings, data["alerts"]),
        data["sources"],
    )


def _tuple_if_list(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def __getattr__(name: str) -> Any:
    if name in _CHECK_NAMES:
        from . import watchlist_check

        return getattr(watchlist_check, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
