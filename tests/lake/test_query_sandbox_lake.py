"""`tradewatch query` on a real DuckLake whose catalog is a real PostgreSQL: hostile SQL.

Each statement must be refused or fail, and afterwards the catalog (every table's rows in the
lake's database, the server's roles, databases and settings), the data path and the folders
around it must hash as before. Two walls are tested apart: the allow-list alone (checked as the
server's superuser, the worst case) and the read-only role (``TRADEWATCH_LAKE_READER``).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from .conftest import READER, WRITER
from .test_lake import _env

META = "__ducklake_metadata_lake"
PWNED = "/tmp/tradewatch-pwned"  # what COPY ... TO PROGRAM would create, were it run

HOSTILE = [
    # the PostgreSQL catalog through the postgres extension's table functions
    f"select * from postgres_query('{META}', 'select pg_read_file(''/etc/hostname'')')",
    f"select * from postgres_query('{META}', 'select rolname, rolpassword from pg_authid')",
    f"select * from postgres_query('{META}', 'select * from pg_shadow')",
    f"select * from postgres_query('{META}', 'select pg_ls_dir(''.'')')",
    f"select * from postgres_query('{META}', 'copy (select 1) to program ''touch {PWNED}''')",
    f"select * from postgres_query('{META}', 'create table pwned (a int)')",
    f"select * from postgres_query('{META}', 'delete from ducklake_snapshot')",
    f"select * from POSTGRES_QUERY('{META}', 'select 1')",
    f"select * from \"postgres_query\"('{META}', 'select 1')",
    f"from postgres_query('{META}', 'select 1')",
    f"select (select count(*) from postgres_query('{META}', 'select 1'))",
    f"with x as (select * from postgres_query('{META}', 'select 1')) select * from x",
    f"select * from alerts where exists (from postgres_query('{META}', 'select 1'))",
    f"select * from alerts, lateral (from postgres_query('{META}', 'select 1'))",
    f"select * from postgres_execute('{META}', 'create table pwned (a int)')",
    f"select * from postgres_execute('{META}', 'COMMIT; CREATE TABLE pwned (a int)')",
    f"select * from postgres_execute('{META}', 'copy (select 1) to program ''touch {PWNED}''')",
    f"select * from postgres_execute('{META}', 'alter role tw_reader superuser')",
    "select * from postgres_scan('dbname=postgres', 'pg_catalog', 'pg_authid')",
    "select * from postgres_scan_pushdown('dbname=postgres', 'pg_catalog', 'pg_authid')",
    f"call postgres_execute('{META}', 'create table pwned (a int)')",
    f"explain analyze select * from postgres_execute('{META}', 'create table pwned (a int)')",
    f"summarize select * from postgres_query('{META}', 'select 1')",
    f"describe select * from postgres_query('{META}', 'select 1')",
    f"select * from query('select * from postgres_query(''{META}'', ''select 1'')')",
    # the catalog's tables read directly, by the name DuckDB attached them under
    f"select * from {META}.public.ducklake_metadata",
    f"select * from {META}.pg_catalog.pg_authid",
    f"select * from {META}.ducklake_snapshot",
    f"summarize {META}.public.ducklake_table",
    "select * from memory.main.x",
    # statements: attach, use, copy, detach, load, set
    "attach 'dbname=postgres host=127.0.0.1' as pg (type postgres)",
    "attach 'ducklake:postgres:dbname=postgres' as other",
    f"use {META}",
    f"detach {META}",
    "copy alerts to '/tmp/tradewatch-pwned.csv'",
    f"copy (select 1) to '{PWNED}.parquet'",
    "load postgres_scanner",
    "set enable_external_access = true",
    "create secret pg (type postgres, host '127.0.0.1', user 'tw')",
    # DuckLake's own maintenance and inspection calls
    "call ducklake_expire_snapshots('lake', older_than => now())",
    "call ducklake_cleanup_old_files('lake', cleanup_all => true)",
    "call ducklake_merge_adjacent_files('lake')",
    "select * from ducklake_expire_snapshots('lake', older_than => now())",
    "select * from ducklake_cleanup_old_files('lake', cleanup_all => true)",
    "select * from ducklake_snapshots('lake')",
    "select * from ducklake_table_info('lake')",
    "select * from ducklake_list_files('lake', 'alerts')",
    "call ducklake_set_option('lake', 'data_inlining_row_limit', 10)",
    "select * from ducklake_flush_inlined_data('lake')",
    # the data path's files directly, and the session's secrets and settings
    "select * from read_parquet('{data}/**/*.parquet')",
    "select * from glob('{data}/**')",
    "select * from read_text('/etc/hostname')",
    "select current_setting('allowed_directories')",
    "select * from duckdb_databases()",
    "select * from duckdb_secrets()",
    # several statements, the harmful one second
    f"select 1; select * from postgres_execute('{META}', 'create table pwned (a int)')",
    "select 1 as a; select 2 as b",
]


def _digest_files(*roots: Path) -> str:
    h = hashlib.sha256()
    for root in roots:
        for path in sorted(root.rglob("*")) if root.exists() else ():
            h.update(str(path).encode())
            if path.is_file():
                h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _digest_catalog(postgres, database: str) -> str:
    """Every row of every table in the lake's database, and the server's roles, databases,
    settings and tables elsewhere, read as the test server's superuser."""
    import psycopg

    host, port, user = postgres
    h = hashlib.sha256()
    with closing(psycopg.connect(host=host, port=port, user=user, dbname=database)) as pg:
        tables = pg.execute(
            "select schemaname, tablename from pg_tables"
            " where schemaname not in ('pg_catalog', 'information_schema') order by 1, 2"
        ).fetchall()
        for schema, table in tables:
            h.update(f"{schema}.{table}".encode())
            rows = pg.execute(f'select * from "{schema}"."{table}"').fetchall()
            h.update(repr(sorted(map(repr, rows))).encode())
        for sql in (
            "select rolname, rolsuper, rolcreaterole, rolcreatedb, rolpassword from pg_authid"
            " order by 1",
            "select datname from pg_database order by 1",
            "select name, setting from pg_settings order by 1",
            "select count(*) from pg_class",
        ):
            h.update(repr(pg.execute(sql).fetchall()).encode())
    return h.hexdigest()


@pytest.fixture
def loaded_lake(lake_address, tmp_path, monkeypatch):
    """A lake with a month of the offline story in it; the working directory beside it."""
    done = subprocess.run(
        [sys.executable, "-m", "tradewatch.cli", "run", "--month", "2016-09", "--window", "2",
         "--offline"],
        capture_output=True, text=True, env=_env(lake_address), timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    monkeypatch.chdir(tmp_path)
    return lake_address


def _database(address: str) -> str:
    return next(w.split("=")[-1] for w in address.split() if "dbname=" in w)


def test_no_hostile_statement_changes_the_catalog_the_data_or_any_file(
    loaded_lake, postgres, tmp_path, capsys
):
    from tradewatch.cli import main

    assert len(HOSTILE) >= 40
    data = tmp_path / "lake-data"
    database = _database(loaded_lake)
    catalog, files = _digest_catalog(postgres, database), _digest_files(tmp_path)
    for template in HOSTILE:
        statement = template.replace("{data}", str(data))
        code = main(["query", statement, "--warehouse", loaded_lake])
        reason = capsys.readouterr().err
        assert code != 0, f"ran: {statement!r}"
        assert reason.startswith("tradewatch query: ") and reason.count("\n") == 1, reason
        assert "rights" not in reason, reason  # refused for what it is, not for the role check
        assert _digest_catalog(postgres, database) == catalog, statement
        assert _digest_files(tmp_path) == files, statement
        assert not Path(PWNED).exists(), statement
        assert not list(Path("/tmp").glob("tradewatch-pwned*")), statement
    # and what a reader is there for still works
    assert main(["query", "select count(*) from trade_monthly", "--warehouse", loaded_lake]) == 0
    assert "(1 row)" in capsys.readouterr().out


def test_the_allow_list_alone_refuses_them_even_as_a_superuser(loaded_lake, postgres, tmp_path):
    """The first wall without the second: a read-only connection as the server's superuser
    (tw), where postgres_query would read files and COPY TO PROGRAM would run. Every statement
    is refused before it runs."""
    from tradewatch.warehouse import QueryError, connect
    from tradewatch.warehouse.query import check_read_only

    superuser = loaded_lake.replace(f"user={WRITER}", f"user={postgres[2]}")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("TRADEWATCH_LAKE_READER")
        with closing(connect(superuser, read_only=True)) as con:
            for template in HOSTILE:
                statement = template.replace("{data}", str(tmp_path / "lake-data"))
                with pytest.raises(QueryError, match="refused|Parser Error"):
                    check_read_only(statement, con)


@pytest.mark.parametrize(
    ("role", "says"),
    [("tw", "is a superuser"), (WRITER, "can create tables in the catalog")],
)
def test_query_refuses_to_run_as_a_role_that_can_write_the_catalog(
    loaded_lake, role, says, capsys, monkeypatch
):
    from tradewatch.cli import EXIT_CONFIG, main

    monkeypatch.delenv("TRADEWATCH_LAKE_READER")
    address = loaded_lake.replace(f"user={WRITER}", f"user={role}")
    assert main(["query", "select 1", "--warehouse", address]) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert says in err and "TRADEWATCH_LAKE_READER" in err and err.count("\n") == 1


def test_the_reader_role_cannot_write_even_past_tradewatch(loaded_lake, postgres):
    """The second wall without the first: the reader role itself, through psycopg."""
    import psycopg

    host, port, _ = postgres
    database = _database(loaded_lake)
    with closing(psycopg.connect(host=host, port=port, user=READER, dbname=database)) as pg:
        assert pg.execute("select count(*) from ducklake_snapshot").fetchone()[0] > 0
        pg.rollback()
        for sql in (
            "create table pwned (a int)",
            "delete from ducklake_snapshot",
            "select pg_read_file('/etc/hostname')",
            f"copy (select 1) to program 'touch {PWNED}'",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                pg.execute(sql)
            pg.rollback()
    assert not Path(PWNED).exists()
