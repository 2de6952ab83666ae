"""tradewatch: monthly customs statistics into a DuckDB warehouse, with alerts on reversals."""

__version__ = "0.1.0"
