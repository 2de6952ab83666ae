"""The contract between sources and the warehouse.

Names load on first use (PEP 562), so that a command needing only ``Month`` does not import
pandas and pandera.
"""

from ..lazy import lazy_names

_HOMES = {
    "Month": "series",
    "Series": "series",
    "series_key": "series",
    "previous_month": "series",
    "TRADE_COLUMNS": "trade",
    "TRADE_KEY": "trade",
    "TradeMonthly": "trade",
    "ValidationResult": "trade",
    "check_trade_rows": "trade",
    "country_by_name": "countries",
    "country_code": "countries",
    "country_name": "countries",
    "find_countries": "countries",
}

__all__ = sorted(_HOMES)


__getattr__ = lazy_names(__name__, _HOMES, globals())
