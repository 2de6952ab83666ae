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

from ..errors import ConfigError

PREFIX = "ducklake:"
REMOTE = "s3://"
DATA_PATH_ENV = "TRADEWATCH_DATA_PATH"
READER_ENV = "TRADEWATCH_LAKE_READER"
CATALOG = "lake"
METADATA = f"__ducklake_metadata_{CATALOG}"  # DuckLake's name for the attached catalog


class LakeError(RuntimeError):
    """The lake cannot be reached or is not set up as asked."""


def is_lake(address: str | os.PathLike | None) -> bool:
    return str(address or "").startswith(PREFIX)


def data_location(given: str | os.PathLike | None = None) -> str:
    """Where the lake's Parquet files go, as DuckLake takes it: an absolute directory, or an
    ``s3://bucket/prefix/`` URL (the argument or the environment)."""
    chosen = str(given or os.environ.get(DATA_PATH_ENV) or "")
    if not chosen:
        raise LakeError(f"a DuckLake warehouse needs a data path: --data-path or {DATA_PATH_ENV}")
    if is_remote(chosen):
        return chosen.rstrip("/") + "/"
    return str(Path(chosen).resolve())


def is_remote(location: str) -> bool:
    return location.startswith(REMOTE)


def data_path(given: str | os.PathLike | None = None) -> Path:
    """The data path as a local folder (large bodies, charts and reports go under it); for a
    lake on object storage, charts and reports go to ``./tradewatch.*`` instead."""
    location = data_location(given)
    return Path.cwd() if is_remote(location) else Path(location)


def extension_directory() -> str:
    try:
        import duckdb_ext
    except ImportError:
        raise LakeError(
            "DuckLake needs the lake extra: pip install -e '.[lake]' (DuckDB 1.4 and its "
            "ducklake and postgres extension packages)"
        ) from None
    return str(Path(next(iter(duckdb_ext.__path__))) / "extensions")


def attach(address: str, location: str, read_only: bool, config: dict) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the lake attached as the default catalog (a reader as the role
    ``TRADEWATCH_LAKE_READER`` names, when set)."""
    refuse_inline_password(address)
    if read_only:
        address = as_reader(address)
    con = duckdb.connect(config={**config, "extension_directory": extension_directory()})
    try:
        con.execute("load ducklake")
        con.execute("load postgres_scanner")
        if is_remote(location):
            con.execute("load httpfs")
            con.execute(s3_secret())
        else:
            location += os.sep
        options = [f"data_path '{_quoted(location)}'"]
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


def s3_secret(environ: dict | None = None) -> str:
    """A temporary DuckDB secret for the data path's bucket, from the usual AWS variables:
    ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY`` (and ``AWS_SESSION_TOKEN``), the region
    (``AWS_REGION`` or ``AWS_DEFAULT_REGION``) and, for another S3 service (MinIO, Ceph...),
    ``AWS_ENDPOINT_URL``."""
    env = os.environ if environ is None else environ
    missing = [n for n in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY") if not env.get(n)]
    if missing:
        raise LakeError(f"an s3:// data path needs {' and '.join(missing)} in the environment")
    options = {
        "key_id": env["AWS_ACCESS_KEY_ID"],
        "secret": env["AWS_SECRET_ACCESS_KEY"],
        "region": env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
    }
    if env.get("AWS_SESSION_TOKEN"):
        options["session_token"] = env["AWS_SESSION_TOKEN"]
    endpoint = env.get("AWS_ENDPOINT_URL")
    if endpoint:
        scheme, _, host = endpoint.rstrip("/").partition("://")
        if not host:
            raise LakeError(f"AWS_ENDPOINT_URL={endpoint!r}: expected http(s)://host[:port]")
        options.update(endpoint=host, url_style="path", use_ssl=str(scheme == "https").lower())
    listed = ", ".join(
        f"{name} {value}" if name == "use_ssl" else f"{name} '{_quoted(value)}'"
        for name, value in options.items()
    )
    return f"create or replace secret tradewatch_data (type s3, {listed})"


_KEY_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)
_URI_PASSWORD = re.compile(r"(postgres(?:ql)?://[^/@\s:]*:)([^@\s]*)(@)", re.IGNORECASE)


def redact(address: str) -> str:
    """The address without a password (``password=...`` or ``postgresql://user:...@``)."""
    return _URI_PASSWORD.sub(r"\1***\3", _KEY_PASSWORD.sub(r"\1***", address))


def refuse_inline_password(address: str | os.PathLike | None) -> None:
    """A lake address must not carry its password: DuckDB repeats the address in its errors,
    and flow runs show their parameters. It is refused, and never printed."""
    given = str(address or "")
    if is_lake(given) and redact(given) != given:
        raise ConfigError(
            "the lake address carries a password, which tradewatch refuses (errors, logs and "
            "flow run parameters would show it): put it in PGPASSWORD or ~/.pgpass instead"
        )


def as_reader(address: str) -> str:
    """The address with ``user=`` set to the role ``TRADEWATCH_LAKE_READER`` names, if set:
    the reading commands then reach the catalog as a role that can only read it."""
    role = os.environ.get(READER_ENV, "").strip()
    if not role:
        return address
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$]*", role):
        raise ConfigError(f"{READER_ENV}={role!r} is not a PostgreSQL role name")
    kind, _, dsn = address.removeprefix(PREFIX).partition(":")
    if "://" in dsn:
        raise ConfigError(f"{READER_ENV} needs the lake address as key=value pairs, not a URI")
    words = [w for w in dsn.split() if not w.lower().startswith("user=")]
    return f"{PREFIX}{kind}:{' '.join([*words, f'user={role}'])}"


# What a role that may run users' SQL must not be able to do on the catalog's server
_ROLE_POWERS = """
select r.rolname as role,
  r.rolsuper as super, r.rolcreaterole as create_role, r.rolcreatedb as create_db,
  pg_has_role(current_user, 'pg_read_server_files', 'member')
    or pg_has_role(current_user, 'pg_write_server_files', 'member')
    or pg_has_role(current_user, 'pg_execute_server_program', 'member') as server_files,
  has_database_privilege(current_database(), 'CREATE') as create_schema,
  exists (select 1 from pg_namespace n where n.nspname not like 'pg\\_%'
          and n.nspname <> 'information_schema' and has_schema_privilege(n.oid, 'CREATE'))
    as create_table,
  exists (select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema')
          and has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')) as write_table
from pg_roles r where r.rolname = current_user
"""
_POWER_NAMES = (
    "is a superuser",
    "can create roles",
    "can create databases",
    "can read, write or run programs on the server's files",
    "can create schemas in the catalog's database",
    "can create tables in the catalog",
    "can write the catalog's tables",
)


def check_reader(con: duckdb.DuckDBPyConnection) -> None:
    """Refuse to run users' SQL as a role that could change the catalog or its server.

    The query allow-list already keeps ``postgres_query`` out of reach; this is the second wall:
    should a call slip past it, the role it would run as can only read the catalog.
    """
    text = _ROLE_POWERS.replace("'", "''")
    try:
        row = con.execute(f"select * from postgres_query('{METADATA}', '{text}')").fetchone()
    except duckdb.Error as exc:
        reason = str(exc).splitlines()[0]
        raise LakeError(f"cannot read the catalog role's rights: {reason}") from None
    role, *powers = row
    found = [name for name, held in zip(_POWER_NAMES, powers, strict=True) if held]
    if found:
        raise ConfigError(
            f"tradewatch query runs SQL on a lake only as a read-only role; {role!r} "
            f"{' and '.join(found)}: set {READER_ENV} to a role that can only read the catalog "
            "(README: DuckLake on PostgreSQL)"
        )


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


class LakeUnreachable(LakeError):
    """The lake's catalog (its PostgreSQL) cannot be reached now."""


def unreachable(address: str, timeout: int = 5) -> str | None:
    """Why the lake's catalog cannot be reached now, in one line; None when it can."""
    try:
        check_reachable(address, timeout)
    except LakeError as exc:
        return str(exc)
    return None


def check_reachable(address: str, timeout: int = 10) -> None:
    """Reach the lake's catalog once, before a run starts anything, so that a wrong host, port,
    role or password is one line naming the server's reason, not a failed flow's traceback."""
    try:
        import psycopg
    except ImportError:
        raise LakeError("a lake needs psycopg: pip install -e '.[lake]'") from None
    refuse_inline_password(address)
    try:
        with psycopg.connect(catalog_dsn(address), connect_timeout=timeout):
            pass
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split())
        raise LakeUnreachable(
            f"cannot reach the lake's catalog at {redact(address)}: {reason}"
        ) from None


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
    try:
        pg = psycopg.connect(catalog_dsn(address), autocommit=True, application_name=holder)
    except psycopg.OperationalError as exc:
        reason = " ".join(str(exc).split())
        raise LakeUnreachable(
            f"cannot reach the lake's catalog at {redact(address)}: {reason}"
        ) from None
    with pg:
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
