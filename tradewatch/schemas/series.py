"""Value types every layer shares: a month and a watched series."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, written ``YYYY-MM``."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1900 <= self.year <= 2999:
            raise ValueError(f"not a month: {self.year:04d}-{self.month:02d}")

    @classmethod
    def parse(cls, text: str) -> Month:
        """Parse ``YYYY-MM``; raise ValueError with the offending text otherwise."""
        match = _MONTH.match(text.strip())
        if not match:
            raise ValueError(f"expected a month as YYYY-MM, got {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def yyyymm(self) -> str:
        return f"{self.year:04d}{self.month:02d}"

    def shift(self, months: int) -> Month:
        index = self.year * 12 + (self.month - 1) + months
        return Month(index // 12, index % 12 + 1)

    def window(self, size: int) -> list[Month]:
        """The ``size`` months ending with this one, oldest first."""
        return [self.shift(-k) for k in range(size - 1, -1, -1)]

    @staticmethod
    def span(start: Month, end: Month) -> list[Month]:
        """Every month from ``start`` to ``end`` inclusive, oldest first."""
        if end < start:
            raise ValueError(f"range ends ({end}) before it starts ({start})")
        months, current = [], start
        while current <= end:
            months.append(current)
            current = current.shift(1)
        return months


@dataclass(frozen=True)
class Series:
    """One watched trade flow: reporter imports (or exports) of a commodity from a partner."""

    name: str
    reporter: int
    partner: int
    hs_code: str
    flow: str = "M"
    sources: tuple[str, ...] = ()  # the registered sources that load it
    # Reversal settings for this series; None means the watchlist's [alerts] default.
    theta: float | None = None
    min_trend_months: int | None = None
    low_base_tonnes: float | None = None
    # Words a news report about this series contains; "a|b" means either (GDELT and feeds).
    news_terms: tuple[str, ...] = ()
    # mirror_gap alerts for this series' trade against what its partner reports (mirror_flows)
    mirror: bool = False

    @property
    def key(self) -> str:
        """``reporter-partner-hs-flow``, as the ledger records it."""
        return series_key(self.reporter, self.partner, self.hs_code, self.flow)


def series_key(reporter: int, partner: int, hs_code: str, flow: str) -> str:
    return f"{reporter}-{partner}-{hs_code}-{flow}"


def previous_month(today: dt.date | None = None) -> Month:
    """The calendar month before ``today`` (UTC)."""
    today = today or dt.datetime.now(dt.UTC).date()
    return Month.of(today).shift(-1)
