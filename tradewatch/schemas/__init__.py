"""The contract between sources and the warehouse."""

from .countries import country_by_name, country_code, country_name, find_countries
from .series import Month, Series, series_key
from .trade import TRADE_COLUMNS, TRADE_KEY, TradeMonthly, ValidationResult, check_trade_rows

__all__ = [
    "TRADE_COLUMNS",
    "TRADE_KEY",
    "Month",
    "Series",
    "TradeMonthly",
    "ValidationResult",
    "check_trade_rows",
    "country_by_name",
    "country_code",
    "country_name",
    "find_countries",
    "series_key",
]
