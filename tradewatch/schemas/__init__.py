"""The contract between sources and the warehouse."""

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
    "series_key",
]
