"""The lake tests: a real PostgreSQL 15 server on 127.0.0.1 for DuckLake's catalog.

They run in the lake environment (``pip install -e '.[dev,lake]'``, DuckDB 1.4 with the packaged
extensions): elsewhere they are skipped, saying so. Where they run, a PostgreSQL that cannot
start is a failure with the reason, never a skip.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("TRADEWATCH_PG_BIN", "/usr/lib/postgresql/15/bin"))

try:
    import duckdb_ext  # noqa: F401 - the lake extra's extension packages
except ImportError:
    LAKE = False
else:
    LAKE = True


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    reason = "a lake test: run it in the lake environment (pip install -e '.[dev,lake]')"
    for item in items:
        if not LAKE and here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.skip(reason=reason))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(*command: str) -> subprocess.CompletedProcess:
    """PostgreSQL's tools refuse to run as root: run them as the postgres user when root."""
    if os.geteuid() == 0:
        command = ("su", "postgres", "-s", "/bin/sh", "-c", " ".join(map(_shell, command)))
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def _shell(word: str) -> str:
    return "'" + word.replace("'", "'\\''") + "'"


@contextmanager
def running_postgres() -> Iterator[tuple[str, int, str, Path]]:
    """A PostgreSQL server of our own, with the lake's roles: (host, port, superuser, data
    folder); stopped at the end of the block."""
    if not (PG_BIN / "initdb").exists():
        pytest.fail(f"PostgreSQL 15 not found at {PG_BIN} (set TRADEWATCH_PG_BIN)")
    # not under pytest's tmp folder: it is root's alone, and the server runs as postgres
    root = Path(tempfile.mkdtemp(prefix="tradewatch-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    data, port = root / "data", _free_port()
    steps = [
        (str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "tw"),
        pg_start(data, port),
    ]
    for step in steps:
        done = _as_postgres(*step)
        if done.returncode != 0:
            log = (root / "log").read_text() if (root / "log").exists() else ""
            pytest.fail(f"PostgreSQL did not start: {done.stderr or done.stdout}{log}")
    roles = _as_postgres(
        str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "tw", "-d", "postgres",
        "-v", "ON_ERROR_STOP=1", "-c", ROLES,
    )  # fmt: skip
    if roles.returncode != 0:
        pytest.fail(f"could not create the lake's roles: {roles.stderr}")
    try:
        yield "127.0.0.1", port, "tw", data
    finally:
        _as_postgres(*pg_stop(data))
        shutil.rmtree(root, ignore_errors=True)


def pg_start(data: Path, port: int) -> tuple[str, ...]:
    return (
        str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(data.parent / "log"), "-w",
        "-o", f"-p {port} -k {data.parent} -c listen_addresses=127.0.0.1 -c fsync=off", "start",
    )  # fmt: skip


def pg_stop(data: Path) -> tuple[str, ...]:
    return (str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")


@pytest.fixture(scope="session")
def postgres():
    """The session's PostgreSQL server: (host, port, user)."""
    with running_postgres() as (host, port, user, _):
        yield host, port, user


# As the README's recipe: a writer that owns the lake's database and a reader that can only read
# its tables, neither a superuser (the test server's own superuser, tw, only sets them up).
ROLES = "create role tw_writer login; create role tw_reader login;"
WRITER, READER = "tw_writer", "tw_reader"


def create_lake_database(host: str, port: int, name: str) -> None:
    """A catalog database owned by the writer, whose tables the reader may select."""
    steps = [
        (str(PG_BIN / "createdb"), "-h", host, "-p", str(port), "-U", "tw", "-O", WRITER, name),
        (str(PG_BIN / "psql"), "-h", host, "-p", str(port), "-U", "tw", "-d", name,
         "-v", "ON_ERROR_STOP=1", "-c",
         f"alter default privileges for role {WRITER} in schema public"
         f" grant select on tables to {READER}"),
    ]  # fmt: skip
    for step in steps:
        done = _as_postgres(*step)
        assert done.returncode == 0, done.stderr


@pytest.fixture
def lake_address(postgres, tmp_path, monkeypatch) -> str:
    """A new, empty lake: its own catalog database and data path, written as the writer role
    and read (TRADEWATCH_LAKE_READER) as the reader."""
    host, port, _ = postgres
    name = f"lake_{tmp_path.name.lower().replace('-', '_')}"[:60]
    create_lake_database(host, port, name)
    monkeypatch.setenv("TRADEWATCH_DATA_PATH", str(tmp_path / "lake-data"))
    monkeypatch.setenv("TRADEWATCH_LAKE_READER", READER)
    return f"ducklake:postgres:dbname={name} host={host} port={port} user={WRITER}"
