"""The DuckDB warehouse: connect, migrate, load, query.

Names load on first use (PEP 562): reading commands (``query``, ``status``, ``alerts``) import
DuckDB and this package's connection code only, not the loaders' pandas and pandera.
"""

from importlib import import_module

_HOMES = {
    "DEFAULT_PATH": "db",
    "ENV_VAR": "db",
    "WarehouseBusy": "db",
    "WarehouseError": "db",
    "connect": "db",
    "lock_wait_seconds": "db",
    "migrate": "db",
    "resolve_path": "db",
    "run_lock": "db",
    "MonthLoad": "load",
    "load_payload": "load",
    "record_exchanges": "load",
    "record_failure": "load",
    "record_if_unchanged": "load",
    "QueryError": "query",
    "QueryRefused": "query",
    "run_query": "query",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_HOMES[name]}", __name__), name)
    globals()[name] = value
    return value
