"""Open the DuckDB warehouse, apply migrations in order and (re)create the views."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from functools import cache
from importlib import metadata, resources
from pathlib import Path

import duckdb

from ..errors import memory_limit
from . import lake

DEFAULT_PATH = "tradewatch.duckdb"
ENV_VAR = "TRADEWATCH_WAREHOUSE"


class WarehouseError(RuntimeError):
    """The warehouse cannot be opened or used as asked."""


class WarehouseBusy(WarehouseError):
    """Another process holds the warehouse's write lock."""


class WarehouseUnreachable(WarehouseBusy):
    """A lake's catalog (its PostgreSQL) cannot be reached: like a busy file, nothing can be
    written now; the run's months fail in a line each, and the next run loads them."""


def resolve_path(path: str | os.PathLike | None = None) -> Path:
    """``--warehouse PATH``, else ``TRADEWATCH_WAREHOUSE``, else ``./tradewatch.duckdb``."""
    return Path(address(path))


def address(path: str | os.PathLike | None = None) -> str:
    """The warehouse as given: a file path, or a ``ducklake:postgres:...`` address."""
    if isinstance(path, Warehouse):
        return path.address
    return str(path or os.environ.get(ENV_VAR) or DEFAULT_PATH)


def beside(path: str | os.PathLike | None, suffix: str) -> Path:
    """A file or folder that belongs to the warehouse: ``<file><suffix>`` beside a DuckDB
    file (``.lock``, ``.bodies``, ``.charts``, ``.reports``); under the data path for a lake."""
    given = address(path)
    if lake.is_lake(given):
        return lake.data_path() / f"tradewatch{suffix}"
    target = Path(given).resolve()
    return target.with_name(target.name + suffix)


@cache
def sql(name: str) -> str:
    """The text of ``warehouse/sql/<name>.sql``."""
    return resources.files(__package__).joinpath("sql", f"{name}.sql").read_text("utf-8")


def run_sql(
    con: duckdb.DuckDBPyConnection, name: str, params: dict | None = None
) -> duckdb.DuckDBPyConnection:
    """Run ``sql/<name>.sql`` with the parameters it mentions (DuckDB rejects extra ones)."""
    text = sql(name)
    return con.execute(text, {k: v for k, v in (params or {}).items() if f"${k}" in text})


def read(
    path: str | os.PathLike | None, name: str, params: dict | None = None
) -> tuple[list[str], list[tuple]]:
    """The column names and rows of ``sql/<name>.sql``, on a short read-only connection."""
    with closing(connect(path, read_only=True)) as con:
        result = run_sql(con, name, params)
        return [d[0] for d in result.description], result.fetchall()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Commit the block's writes together, or roll all of them back on any exception."""
    con.begin()
    try:
        yield
        con.commit()  # a commit that fails (disk full, out of memory) is rolled back too
    except BaseException as exc:
        try:
            con.rollback()
        except duckdb.Error as also:  # the transaction may have ended with the failure
            exc.add_note(f"(rollback: {also})")
        raise


def migration_text(name: str) -> str:
    """The text of ``warehouse/migrations/<name>``."""
    return resources.files(__package__).joinpath("migrations", name).read_text("utf-8")


def view_text(name: str) -> str:
    """The text of ``warehouse/views/<name>``."""
    return resources.files(__package__).joinpath("views", name).read_text("utf-8")


def _ordered(folder: str) -> list[tuple[str, str]]:
    files = resources.files(__package__).joinpath(folder)
    return sorted(
        (entry.name, entry.read_text("utf-8"))
        for entry in files.iterdir()
        if entry.name.endswith(".sql")
    )


# No extension is installed or loaded behind a statement's back (the machines may be offline).
# tradewatch_bodies when every body is kept inside the warehouse (a lake on object storage)
INLINE = "inline"
NO_AUTOLOAD = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


def connect(
    path: str | os.PathLike | None = None,
    *,
    read_only: bool = False,
    wait_seconds: float = 30.0,
    allow_files: Sequence[str | os.PathLike] = (),
    allow_paths: Sequence[str | os.PathLike] = (),
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; a writer migrates it. Waits (bounded) while another process writes.

    A read-only connection is sandboxed (see ``sandbox``): SQL run on it reaches no file but
    the warehouse and the folders of ``allow_files``.
    """
    if lake.is_lake(address(path)):
        con = _connect_lake(address(path), read_only)
        try:
            if read_only and not _migrated(con):
                raise lake.LakeError(
                    f"no lake there yet at {lake.redact(address(path))}: it is being created, "
                    "or was never loaded (load one first with `tradewatch run`)"
                )
            _settle(con, read_only, [*allow_files, lake.data_location()], allow_paths)
        except Exception:
            con.close()
            raise
        return con
    target = resolve_path(path)
    if read_only and not target.exists():
        raise WarehouseError(f"no warehouse at {target}: load one first with `tradewatch run`")
    if not read_only and not target.exists():
        _create(target)
    deadline, pause = time.monotonic() + wait_seconds, 0.1
    while True:
        try:
            con = duckdb.connect(str(target), read_only=read_only, config=NO_AUTOLOAD)
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise WarehouseError(f"cannot open {target}: {exc}") from exc
            if time.monotonic() >= deadline:
                # DuckDB's own hint ("you would be able to open this database in read-only
                # mode") is no advice for a run that has to write: say what frees the file.
                raise WarehouseBusy(
                    f"{target} is held by {lock_holder(str(exc))} "
                    + (f"(waited {wait_seconds:.0f}s); " if wait_seconds else "(still); ")
                    + "close that connection, or open the file read-only only for each query "
                    "(README: From a notebook)"
                ) from None
            time.sleep(min(pause, max(deadline - time.monotonic(), 0.05)))
            pause = min(pause * 1.5, 2.0)  # back off: a reader may hold the file for minutes
    try:
        _settle(con, read_only, allow_files, allow_paths)
    except Exception:
        con.close()
        raise
    return con


def _create(target: Path) -> None:
    """A new warehouse file, made whole before it has its name: built and migrated under a
    temporary name, then linked into place only if no one else made it meanwhile. A kill while
    creating leaves a temporary file (removed by the next run), never a half-made warehouse."""
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.with_name(f".{target.name}.creating-{os.getpid()}")
    try:
        with closing(duckdb.connect(str(building), config=NO_AUTOLOAD)) as con:
            migrate(con)
        try:
            os.link(building, target)  # fails if it exists: never replaces a warehouse
        except FileExistsError:
            pass
    finally:
        for leftover in (building, Path(f"{building}.wal")):
            leftover.unlink(missing_ok=True)


def _settle(con, read_only: bool, allow_files, allow_paths) -> None:
    """A new connection's limits, then the sandbox for a reader or the migrations for a writer."""
    limit = memory_limit()
    if limit:
        con.execute(f"set memory_limit = '{limit}'")
    if read_only:
        sandbox(con, allow_files, allow_paths)
    else:
        migrate(con)


def _connect_lake(given: str, read_only: bool) -> duckdb.DuckDBPyConnection:
    """The lake attached as the default catalog; large bodies under its data path, or inside
    the lake (as Parquet with the rest) when the data path is object storage. A catalog that
    cannot be reached is ``WarehouseUnreachable``, in one line."""
    location = lake.data_location()
    if not lake.is_remote(location):
        Path(location).mkdir(parents=True, exist_ok=True)
    try:
        con = lake.attach(given, location, read_only, NO_AUTOLOAD)
    except duckdb.Error:
        reason = lake.unreachable(given)
        if reason:
            raise WarehouseUnreachable(reason) from None
        raise
    bodies = INLINE if lake.is_remote(location) else str(Path(location) / "tradewatch.bodies")
    con.execute("set variable tradewatch_bodies = ?", [bodies])
    return con


def lock_holder(message: str) -> str:
    """The process DuckDB names in a lock error, with its command line where it can be read."""
    found = re.search(r"\(PID (\d+)\)", message)
    if not found:
        return "another process"
    pid = found.group(1)
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        command = " ".join(" ".join(a.decode(errors="replace").split()) for a in argv if a)
    except OSError:
        command = ""
    return f"process {pid}" + (f" ({command[:200]})" if command else "")


def sandbox(
    con: duckdb.DuckDBPyConnection,
    allow_files: Sequence[str | os.PathLike] = (),
    allow_paths: Sequence[str | os.PathLike] = (),
) -> None:
    """Cut the connection off from the file system and the network, for good.

    External access off (no file read or written, nothing attached, installed or loaded) except
    the folders of ``allow_files`` and the files ``allow_paths`` (an export's own output), then
    the configuration locked so no statement can undo it.
    """
    for setting, paths, suffix in (
        ("allowed_directories", allow_files, os.sep),
        ("allowed_paths", allow_paths, ""),
    ):
        # absolute, and relative to here: DuckDB 1.4 compares a relative path in the SQL as
        # written, where 2.0 resolves it first
        resolved = list(
            dict.fromkeys(form + suffix for path in paths for form in _path_forms(path))
        )
        if resolved:
            listed = ", ".join("'" + path.replace("'", "''") + "'" for path in resolved)
            con.execute(f"set {setting} = [{listed}]")
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")


def _path_forms(path: Path | str) -> list[str]:
    if lake.is_remote(str(path)):  # a bucket's prefix, as DuckDB compares it
        return [str(path).rstrip("/")]
    absolute = Path(path).resolve()
    relative = os.path.relpath(absolute)
    return [str(absolute), *([relative] if not relative.startswith("..") else [])]


@cache
def schema_digest() -> str:
    """One hash of every migration and view this code would apply."""
    texts = [text for folder in ("migrations", "views") for _, text in _ordered(folder)]
    # ref.countries is filled from the country table: a new one (or pycountry) refills it
    texts.append(resources.files("tradewatch.schemas").joinpath("countries.py").read_text("utf-8"))
    texts.append(metadata.version("pycountry"))
    texts += source_tables()
    return hashlib.sha256("\0".join(texts).encode()).hexdigest()


def source_tables() -> list[str]:
    """The installed sources' own tables (``Source.tables``), created with the views."""
    from ..sources.base import source_classes

    return [cls.tables for cls in source_classes().values() if cls.tables]


def _migrated(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the first migration finished: ``ops.schema_state`` is written in the same
    transaction as the views, after every migration committed. A reader of a lake that its
    first writer is still creating would otherwise see some tables and not others."""
    return con.execute(
        "select count(*) from duckdb_tables() where database_name = current_database()"
        " and schema_name = 'ops' and table_name = 'schema_state'"
    ).fetchall() == [(1,)]


def _up_to_date(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        rows = con.execute("select digest from ops.schema_state").fetchall()
    except duckdb.CatalogException:
        return False
    return rows == [(schema_digest(),)]


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply pending migrations, each in its own transaction, then recreate every view.

    Once per warehouse and code: ``ops.schema_state`` keeps the digest of what was applied, so
    a writer connecting again finds it current with one query instead of recreating the views.
    """
    if _up_to_date(con):
        return []
    on_lake = con.execute(
        "select type from duckdb_databases() where database_name = current_database()"
    ).fetchall() == [("ducklake",)]
    con.execute("create schema if not exists ops")
    con.execute(
        "create table if not exists ops.schema_migrations ("
        f" version integer{'' if on_lake else ' primary key'}, name varchar not null,"
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
            con.execute(lake.for_lake(text) if on_lake else text)
            con.execute(
                "insert into ops.schema_migrations values (?, ?, ?, now())",
                [version, name, digest],
            )
            con.commit()
        except Exception:
            con.rollback()
            raise
        done.append(name)
    from ..schemas.countries import country_table  # pycountry: only when migrating

    con.begin()
    for text in source_tables():  # "create table if not exists": a source's own, kept
        con.execute(lake.for_lake(text) if on_lake else text)
    for _name, text in _ordered("views"):
        con.execute(text)
    has_countries = con.execute(
        "select count(*) from duckdb_tables()"
        " where database_name = current_database()"
        " and schema_name = 'ref' and table_name = 'countries'"
    ).fetchall()
    if has_countries == [(1,)]:  # code older than migration 009 (in tests) has no such table
        con.execute("delete from ref.countries")
        con.executemany("insert into ref.countries values (?, ?, ?)", country_table())
    con.execute("create table if not exists ops.schema_state (digest varchar not null)")
    con.execute("delete from ops.schema_state")
    con.execute("insert into ops.schema_state values (?)", [schema_digest()])
    con.commit()
    return done


LOCK_WAIT_ENV = "TRADEWATCH_LOCK_WAIT"
DEFAULT_LOCK_WAIT = 300.0


def lock_wait_seconds(value: float | None = None) -> float:
    """How long a run waits for another run's lock: the argument, ``$TRADEWATCH_LOCK_WAIT``, 300."""
    if value is not None:
        return value
    raw = os.environ.get(LOCK_WAIT_ENV)
    try:
        return float(raw) if raw else DEFAULT_LOCK_WAIT
    except ValueError as exc:
        raise WarehouseError(f"{LOCK_WAIT_ENV} must be a number of seconds, got {raw!r}") from exc


def prefect_servers(parent: int) -> list[int]:
    """The temporary Prefect servers a process started (its children running Prefect's server),
    where the operating system lets us see them (/proc)."""
    found = []
    for child in _children(parent):
        try:
            argv = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if b"prefect" in argv and (b"server" in argv or b"uvicorn" in argv):
            found.append(child)
    return found


def _children(parent: int) -> list[int]:
    try:
        tasks = Path(f"/proc/{parent}/task").iterdir()
        return [int(p) for t in tasks for p in (t / "children").read_text().split()]
    except OSError:
        return []


def clean_after(previous_holder: str, target: Path) -> None:
    """What a run killed outright (kill -9) left behind: the temporary Prefect server it started,
    still running with no parent, half-written body files and a load's staged Parquet files.
    Called holding the run lock, so no other run is writing either."""
    holder = re.search(r"\(pid (\d+)", previous_holder)
    if holder and not Path(f"/proc/{holder.group(1)}").exists():
        for pid in re.findall(r"server pid (\d+)", previous_holder):
            try:
                argv = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue  # gone already
            if b"prefect" in argv:
                try:
                    os.kill(int(pid), signal.SIGTERM)
                except OSError:
                    pass
    bodies = Path(f"{target}.bodies")
    for stale in bodies.glob(".incoming.*") if bodies.is_dir() else ():
        stale.unlink(missing_ok=True)
    staging = Path(f"{target}.staging")
    for stale in staging.glob("load-*") if staging.is_dir() else ():
        shutil.rmtree(stale, ignore_errors=True)  # a load-file's workers' rows, the load killed
    for stale in Path(target).parent.glob(f".{Path(target).name}.creating-*"):
        stale.unlink(missing_ok=True)  # a warehouse whose creation was killed


def try_lock(handle) -> bool:
    """Take the operating system's exclusive lock on the open file, without waiting.

    ``fcntl`` on POSIX, ``msvcrt`` on Windows, imported here so the package imports (and every
    reading command works) on either; the lock dies with the process however it dies.
    """
    if os.name == "nt":
        import msvcrt

        handle.seek(0)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder(handle) -> str:
    """Who holds the lock: the run that wrote its name into the file, or say we do not know."""
    try:
        handle.seek(0)
        written = handle.read().strip()
    except OSError:  # Windows: the holder's locked byte cannot be read
        written = ""
    return written or "another process (it left no name: not a tradewatch run, or one starting)"


@contextmanager
def write_turn(
    path: str | os.PathLike | None, wait_seconds: float, holder: str = "tradewatch"
) -> Iterator[None]:
    """A lake's writer lock for one write (see ``lake.writer_lock``); nothing for a file, whose
    writers already take turns through DuckDB's own lock and the run lock."""
    given = address(path)
    if not lake.is_lake(given):
        yield
        return
    try:
        with lake.writer_lock(given, wait_seconds, f"{holder} (pid {os.getpid()})"):
            yield
    except lake.LakeBusy as exc:  # only taking the lock raises it
        raise WarehouseBusy(str(exc)) from None
    except lake.LakeUnreachable as exc:
        raise WarehouseUnreachable(str(exc)) from None


@contextmanager
def run_lock(
    path: str | os.PathLike | None = None,
    *,
    wait_seconds: float | None = None,
    holder: str = "tradewatch",
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the warehouse's run lock (``<warehouse>.lock``) for a whole run.

    DuckDB's own lock is held only while a load writes, so two runs could interleave; this lock
    makes a second run wait (bounded) for the first, then fail with a message naming it. The
    operating system releases it when the process dies, however it dies. A lake has none: its
    runs go on together and take turns per write (``write_turn``), on every machine.
    """
    if lake.is_lake(address(path)):
        yield
        return
    target = Path(address(path)) if not lake.is_lake(address(path)) else beside(path, "")
    lock_path = beside(path, ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    wait = lock_wait_seconds(wait_seconds)
    handle = open(lock_path, "a+", encoding="utf-8")  # held open for the whole run
    try:
        deadline, told = time.monotonic() + wait, False
        while True:
            if try_lock(handle):
                break
            other = _holder(handle)
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"{target} is being written by {other}; waited {wait:.0f}s "
                    f"(set --wait or {LOCK_WAIT_ENV} to wait longer)"
                ) from None
            if on_wait and not told:
                on_wait(f"waiting for {other} to finish with {target}")
                told = True
            time.sleep(0.5)
        handle.seek(0)
        previous = handle.read()
        clean_after(previous, target)
        handle.seek(0)
        handle.truncate()
        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        servers = "".join(f", server pid {pid}" for pid in prefect_servers(os.getpid()))
        handle.write(f"{holder} (pid {os.getpid()}, since {stamp}{servers})")
        handle.flush()
        yield
    finally:
        handle.close()


# One writer at a time inside this process; DuckDB's file lock (or a lake's advisory lock)
# covers other processes.
_PROCESS_WRITER = threading.Lock()


_HELD: dict[str, bool] = {}  # addresses whose last write found the file held past its wait


class Warehouse:
    """One warehouse — a DuckDB file or a DuckLake — and every way into it.

    Built once from an address (the command line's ``--warehouse``, a flow's parameter); the
    flows, loaders, alerts, report and charts take the object: its readers (sandboxed,
    read-only), its writer (one at a time in this process, taking the lake's turn, waiting up
    to ``write_wait`` for another process), the run lock, and the files that belong beside it.
    """

    def __init__(
        self, where: str | os.PathLike | None = None, *, write_wait: float | None = None
    ) -> None:
        self.address = address(where)
        self.write_wait = write_wait

    @classmethod
    def of(cls, given: Warehouse | str | os.PathLike | None) -> Warehouse:
        """``given`` if it is one already, else the warehouse at that address."""
        return given if isinstance(given, Warehouse) else cls(given)

    def __repr__(self) -> str:
        return f"Warehouse({lake.redact(self.address)!r})"

    def __str__(self) -> str:
        return lake.redact(self.address)

    def beside(self, suffix: str) -> Path:
        """A file or folder that belongs to it (``.bodies``, ``.charts``, ``.reports``)."""
        return beside(self.address, suffix)

    @contextmanager
    def reader(self, **sandbox) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only, sandboxed connection for the block (``allow_files``, ``allow_paths``)."""
        with closing(connect(self.address, read_only=True, **sandbox)) as con:
            yield con

    @contextmanager
    def writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A writer connection held only for the block, one writer at a time in this process.

        Another process holding the file (a reader in a notebook) is waited for, with backoff,
        up to ``write_wait`` (``--wait``, else ``TRADEWATCH_LOCK_WAIT``, else 300 s); then the
        write fails with a message naming that process.
        """
        # Once a write has waited its whole time in vain, the next ones try once until one
        # gets through: a reader held all run long costs the run one wait, not one per write.
        wait = 0.0 if _HELD.get(self.address) else lock_wait_seconds(self.write_wait)
        with _PROCESS_WRITER:
            try:
                with write_turn(self.address, wait):
                    con = connect(self.address, wait_seconds=wait)
                    _HELD.pop(self.address, None)
                    with closing(con):
                        try:
                            yield con
                        except Exception as exc:
                            # a lake's catalog lost in the middle of a write: say so in a line
                            lost = None
                            if lake.is_lake(self.address) and not isinstance(exc, WarehouseBusy):
                                lost = lake.unreachable(self.address)
                            if lost:
                                raise WarehouseUnreachable(lost) from exc
                            raise
            except WarehouseBusy:
                _HELD[self.address] = True
                raise

    def run_lock(self, **options):
        """The whole run's lock (``run_lock``'s options; a lake has none)."""
        return run_lock(self.address, **options)
