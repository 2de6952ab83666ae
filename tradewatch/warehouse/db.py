"""Open the DuckDB warehouse, apply migrations in order and (re)create the views."""

from __future__ import annotations

import hashlib
import os
import time
from functools import cache
from importlib import resources
from pathlib import Path

import duckdb

DEFAULT_PATH = "tradewatch.duckdb"
ENV_VAR = "TRADEWATCH_WAREHOUSE"


class WarehouseError(RuntimeError):
    """The warehouse cannot be opened or used as asked."""


class WarehouseBusy(WarehouseError):
    """Another process holds the warehouse's write lock."""


def resolve_path(path: str | os.PathLike | None = None) -> Path:
    """``--warehouse PATH``, else ``TRADEWATCH_WAREHOUSE``, else ``./tradewatch.duckdb``."""
    return Path(path or os.environ.get(ENV_VAR) or DEFAULT_PATH)


@cache
def sql(name: str) -> str:
    """The text of ``warehouse/sql/<name>.sql``."""
    return resources.files(__package__).joinpath("sql", f"{name}.sql").read_text("utf-8")


def _ordered(folder: str) -> list[tuple[str, str]]:
    files = resources.files(__package__).joinpath(folder)
    return sorted(
        (entry.name, entry.read_text("utf-8"))
        for entry in files.iterdir()
        if entry.name.endswith(".sql")
    )


def connect(
    path: str | os.PathLike | None = None, *, read_only: bool = False, wait_seconds: float = 30.0
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; a writer migrates it. Waits (bounded) while another process writes."""
    target = resolve_path(path)
    if read_only and not target.exists():
        raise WarehouseError(f"no warehouse at {target}: load one first with `tradewatch run`")
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            con = duckdb.connect(str(target), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise WarehouseError(f"cannot open {target}: {exc}") from exc
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"{target} is in use by another tradewatch process "
                    f"(waited {wait_seconds:.0f}s): {str(exc).splitlines()[0]}"
                ) from exc
            time.sleep(0.2)
    if not read_only:
        try:
            migrate(con)
        except Exception:
            con.close()
            raise
    return con


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply pending migrations, each in its own transaction, then recreate every view."""
    con.execute("create schema if not exists ops")
    con.execute(
        "create table if not exists ops.schema_migrations ("
        " version integer primary key, name varchar not null,"
        " sha256 varchar not null, applied_at timestamptz not null)"
    )
    applied = {
        row[0]: row[1]
        for row in con.execute("select version, sha256 from ops.schema_migrations").fetchall()
    }
    done = []
    for name, text in _ordered("migrations"):
        version = int(name.split("_", 1)[0])
        digest = hashlib.sha256(text.encode()).hexdigest()
        if version in applied:
            if applied[version] != digest:
                raise WarehouseError(f"migration {name} changed after it was applied")
            continue
        con.begin()
        try:
            con.execute(text)
            con.execute(
                "insert into ops.schema_migrations values (?, ?, ?, now())",
                [version, name, digest],
            )
            con.commit()
        except Exception:
            con.rollback()
            raise
        done.append(name)
    con.begin()
    for _name, text in _ordered("views"):
        con.execute(text)
    con.commit()
    return done
