"""The DuckDB warehouse: connect, migrate, load, query."""

from .db import (
    DEFAULT_PATH,
    ENV_VAR,
    WarehouseBusy,
    WarehouseError,
    connect,
    lock_wait_seconds,
    migrate,
    resolve_path,
    run_lock,
)
from .load import (
    MonthLoad,
    load_payload,
    record_exchanges,
    record_failure,
    record_if_unchanged,
)
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
    "record_if_unchanged",
    "lock_wait_seconds",
    "resolve_path",
    "run_lock",
    "run_query",
]
