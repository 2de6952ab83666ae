"""DuckLake: the warehouse as a catalog in PostgreSQL and Parquet files under a data path.

Chosen by the address: ``ducklake:postgres:dbname=lake host=... user=...`` (``--warehouse`` or
``TRADEWATCH_WAREHOUSE``) with ``TRADEWATCH_DATA_PATH`` naming where the files go. The
extensions come from the ``duckdb-ext-*`` packages of the ``lake`` extra (DuckDB 1.4): nothing is
downloaded. DuckLake has no PRIMARY KEY, UNIQUE, index or sequence; the migrations' key
constraints are dropped on the way in (``for_lake``) and uniqueness is kept as on the file by
the loaders' own set-based statements (anti-joins, MERGE) and the duplicate_vintages data test.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

PREFIX = "ducklake:"
DATA_PATH_ENV = "TRADEWATCH_DATA_PATH"
CATALOG = "lake"


class LakeError(RuntimeError):
    """The lake cannot be reached or is not set up as asked."""


def is_lake(address: str | os.PathLike | None) -> bool:
    return str(address or "").startswith(PREFIX)


def data_path(given: str | os.PathLike | None = None) -> Path:
    """Where the lake's Parquet files (and large bodies) go: the argument or the environment."""
    chosen = given or os.environ.get(DATA_PATH_ENV)
    if not chosen:
        raise LakeError(f"a DuckLake warehouse needs a data path: --data-path or {DATA_PATH_ENV}")
    return Path(chosen).resolve()


def extension_directory() -> str:
    try:
        import duckdb_ext
    except ImportError:
        raise LakeError(
            "DuckLake needs the lake extra: pip install -e '.[lake]' (DuckDB 1.4 and its "
            "ducklake and postgres extension packages)"
        ) from None
    return str(Path(next(iter(duckdb_ext.__path__))) / "extensions")


def attach(address: str, path: Path, read_only: bool, config: dict) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the lake attached as the default catalog."""
    con = duckdb.connect(config={**config, "extension_directory": extension_directory()})
    try:
        con.execute("load ducklake")
        con.execute("load postgres_scanner")
        options = [f"data_path '{_quoted(str(path) + os.sep)}'"]
        if read_only:
            options.append("read_only")
        con.execute(f"attach '{_quoted(address)}' as {CATALOG} ({', '.join(options)})")
        con.execute(f"use {CATALOG}")
    except duckdb.Error as exc:
        con.close()
        reason = str(exc).splitlines()[0]
        if read_only and "creating a new DuckLake is explicitly disabled" in reason:
            reason = "no lake there yet: load one first with `tradewatch run`"
        raise LakeError(f"cannot open the lake {redact(address)}: {reason}") from None
    return con


def redact(address: str) -> str:
    """The address without a password."""
    return re.sub(r"(password\s*=\s*)\S+", r"\1***", address)


def _quoted(text: str) -> str:
    return text.replace("'", "''")


_TABLE_KEY = re.compile(r",\s*(?:primary\s+key|unique)\s*\([^)]*\)", re.IGNORECASE)
_COLUMN_KEY = re.compile(r"\s+primary\s+key\b(?!\s*\()", re.IGNORECASE)


def for_lake(text: str) -> str:
    """A migration as DuckLake takes it: key constraints (which it does not support) dropped."""
    return _COLUMN_KEY.sub("", _TABLE_KEY.sub("", text))


WRITER_LOCK = "tradewatch: one writer at a time"


def catalog_dsn(address: str) -> str:
    """The libpq string of the lake's PostgreSQL catalog."""
    kind, _, dsn = address.removeprefix(PREFIX).partition(":")
    if kind != "postgres":
        raise LakeError(f"tradewatch's lakes keep their catalog in PostgreSQL, not {kind!r}")
    return dsn


@contextmanager
def writer_lock(address: str, wait_seconds: float, holder: str) -> Iterator[None]:
    """One writer at a time, across every machine: a PostgreSQL advisory lock in the catalog.

    Held for one write (a load, a ledger row, the alerts), not for a whole run, so runs on many
    machines fetch, parse and check at once and take turns only to write; readers never wait.
    PostgreSQL drops the lock with the connection, so a writer killed outright releases it.
    """
    try:
        import psycopg
    except ImportError:
        raise LakeError("a lake's writer lock needs psycopg: pip install -e '.[lake]'") from None
    with psycopg.connect(catalog_dsn(address), autocommit=True, application_name=holder) as pg:
        deadline, pause = time.monotonic() + wait_seconds, 0.05
        while True:
            row = pg.execute(
                "select pg_try_advisory_lock(hashtextextended(%s, 0))", [WRITER_LOCK]
            ).fetchone()
            if row and row[0]:
                break
            if time.monotonic() >= deadline:
                raise LakeBusy(
                    f"the lake is being written by {_lock_holder(pg)}; waited "
                    f"{wait_seconds:.0f}s (set --wait or TRADEWATCH_LOCK_WAIT to wait longer)"
                )
            time.sleep(pause)
            pause = min(pause * 1.5, 1.0)
        yield  # the lock goes with the connection


def _lock_holder(pg) -> str:
    row = pg.execute(
        "select a.application_name, a.client_addr, a.pid from pg_locks l"
        " join pg_stat_activity a using (pid)"
        " where l.locktype = 'advisory' and l.granted and a.pid <> pg_backend_pid() limit 1"
    ).fetchone()
    return f"{row[0] or 'another writer'} (catalog backend {row[2]})" if row else "another writer"


class LakeBusy(LakeError):
    """Another writer held the lake past the wait."""
