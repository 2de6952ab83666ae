"""The DuckDB warehouse: connect, migrate, load, query.

Names load on first use (PEP 562): reading commands (``query``, ``status``, ``alerts``) import
DuckDB and this package's connection code only, not the loaders' pandas and pandera.
"""

from ..lazy import lazy_names

_HOMES = {
    "DEFAULT_PATH": "db",
    "ENV_VAR": "db",
    "Warehouse": "db",
    "WarehouseBusy": "db",
    "WarehouseError": "db",
    "WarehouseUnreachable": "db",
    "connect": "db",
    "lock_wait_seconds": "db",
    "migrate": "db",
    "resolve_path": "db",
    "run_lock": "db",
    "write_turn": "db",
    "Loading": "load",
    "MonthLoad": "load",
    "load_payload": "load",
    "record_exchanges": "load",
    "record_failure": "load",
    "record_if_unchanged": "load",
    "RunIds": "load",
    "QueryError": "query",
    "QueryRefused": "query",
    "run_query": "query",
}

__all__ = sorted(_HOMES)


__getattr__ = lazy_names(__name__, _HOMES, globals())
