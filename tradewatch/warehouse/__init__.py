"""The DuckDB warehouse: connect, migrate, load, query."""

from .db import (
    DEFAULT_PATH,
    ENV_VAR,
    WarehouseBusy,
    WarehouseError,
    connect,
    migrate,
    resolve_path,
)
from .load import MonthLoad, load_payload, record_exchanges, record_failure
from .query import QueryError, QueryRefused, run_query

__all__ = [
    "DEFAULT_PATH",
    "ENV_VAR",
    "MonthLoad",
    "QueryError",
    "QueryRefused",
    "WarehouseBusy",
    "WarehouseError",
    "connect",
    "load_payload",
    "migrate",
    "record_exchanges",
    "record_failure",
    "resolve_path",
    "run_query",
]
