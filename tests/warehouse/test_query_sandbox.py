"""`tradewatch query` against hostile SQL: nothing it runs can change a file anywhere."""

import hashlib
import os
from contextlib import closing
from pathlib import Path

import duckdb
import pytest

from tradewatch.cli import main
from tradewatch.warehouse import QueryRefused, connect, run_query

# Each one must be refused or fail; none may write, attach, install or read outside the sandbox.
HOSTILE = [
    # EXPLAIN ANALYZE runs what it explains
    "explain analyze copy (select 'x' as y) to 'other.duckdb' (format csv)",
    "explain analyze copy alerts to 'x.parquet'",
    "explain analyze install httpfs",
    "explain analyze attach 'other.duckdb' as o",
    "explain analyze create table t as select 1",
    "explain analyze insert into ops.runs (run_id) values ('x')",
    "explain analyze delete from trade_vintages",
    "explain analyse copy (select 1) to 'a.csv'",
    "EXPLAIN ANALYZE COPY (SELECT 1) TO 'b.csv'",
    "ExPlAiN AnAlYzE cOpY (select 1) tO 'c.csv'",
    "explain /* hidden */ analyze /* more */ copy (select 1) to 'd.csv'",
    "explain -- line comment\n analyze copy (select 1) to 'e.csv'",
    "explain (analyze) copy (select 1) to 'f.csv'",
    "explain (analyze, format json) copy (select 1) to 'g.csv'",
    "explain copy (select 1) to 'h.csv'",
    "explain export database 'exported'",
    "explain analyze export database 'exported'",
    "explain analyze load httpfs",
    "explain analyze set enable_external_access = true",
    "explain analyze checkpoint",
    # writes and state changes
    "copy (select 1) to 'out.csv'",
    "copy alerts to 'alerts.parquet' (format parquet)",
    "COPY alerts TO 'other.duckdb'",
    "copy ops.runs from 'runs.csv'",
    "export database 'exported'",
    "import database 'exported'",
    "attach 'other.duckdb' as other",
    "attach ':memory:' as m",
    "attach 'new.duckdb'",
    "detach other",
    "install httpfs",
    "force install httpfs",
    "load httpfs",
    "load '/tmp/evil.duckdb_extension'",
    "set enable_external_access = true",
    "reset enable_external_access",
    "set lock_configuration = false",
    "set allowed_directories = ['/']",
    "pragma enable_profiling",
    "set profiling_output = 'profile.json'",
    "create table t as select 1",
    "create temp table t as select 1",
    "create view v as select 1",
    "create macro m(x) as x",
    "create secret s (type s3, key_id 'a', secret 'b')",
    "insert into ops.runs (run_id) values ('x')",
    "update alerts set status = 'x'",
    "delete from trade_vintages",
    "drop table trade_vintages",
    "alter table alerts add column x int",
    "truncate trade_vintages",
    "vacuum",
    "checkpoint",
    "begin transaction",
    "use memory",
    "call pragma_version()",
    "prepare p as copy (select 1) to 'p.csv'",
    # several statements, the harmful one second
    "select 1; copy (select 1) to 'two.csv'",
    "select 1; explain analyze copy (select 1) to 'three.csv'",
    "select 1;\n/* */ attach 'other.duckdb' as o",
    # queries that try to reach outside the warehouse
    "select * from read_csv('/etc/passwd')",
    "select * from read_text('other.duckdb')",
    "select * from read_blob('../../etc/hostname')",
    "select * from glob('/*')",
    "select * from 'other.duckdb'",
    "select * from read_parquet('https://example.com/x.parquet')",
    "select * from query('copy (select 1) to ''q.csv''')",
    "select * from sniff_csv('/etc/passwd')",
    "with x as (select 1) select * from read_csv('/etc/hosts')",
]


def tree_digest(*roots: Path) -> dict[str, str]:
    """Every file under the roots with the hash of its bytes."""
    return {
        str(path): hashlib.sha256(path.read_bytes()).hexdigest()
        for root in roots
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def victims(tmp_path, monkeypatch):
    """A warehouse, another DuckDB file beside it, and the working directory is their folder."""
    warehouse = tmp_path / "warehouse.duckdb"
    with closing(connect(warehouse)):
        pass
    with closing(duckdb.connect(str(tmp_path / "other.duckdb"))) as other:
        other.execute("create table kept as select 42 as answer")
    (tmp_path / "runs.csv").write_text("run_id\nx\n")
    monkeypatch.chdir(tmp_path)
    return warehouse


def test_no_hostile_statement_changes_any_file(victims, tmp_path, capsys):
    assert len(HOSTILE) >= 60
    before = tree_digest(tmp_path)
    home = Path.home() / ".duckdb"
    home_before = tree_digest(home) if home.exists() else {}
    for statement in HOSTILE:
        code = main(["query", statement, "--warehouse", str(victims)])
        reason = capsys.readouterr().err
        assert code != 0, f"ran: {statement!r}"
        assert reason.startswith("tradewatch query: ") and reason.count("\n") == 1, reason
    assert tree_digest(tmp_path) == before
    assert (tree_digest(home) if home.exists() else {}) == home_before


@pytest.mark.parametrize(
    "statement",
    [
        "explain analyze copy (select 1) to 'x.csv'",
        "explain (analyze) install httpfs",
        "/* a comment */ explain analyze create table t as select 1",
    ],
)
def test_explain_analyze_of_anything_but_a_query_is_refused_by_the_parser(victims, statement):
    with pytest.raises(QueryRefused, match="only reads"):
        run_query(statement, victims)


@pytest.mark.parametrize(
    "statement",
    [
        "explain select 1",
        "explain analyze select count(*) from trade_vintages",
        "EXPLAIN (FORMAT json) select 1",
        "/* comment */ explain /* x */ analyze select 1",
        "with x as (select 1 as a) select a from x",
        "from alerts",
    ],
)
def test_queries_and_their_plans_run(victims, statement):
    columns, _ = run_query(statement, victims)
    assert columns


def test_files_are_readable_only_inside_allowed_folders(victims, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "figures.csv").write_text("month,tonnes\n2016-09,1798000\n")
    sql = f"select tonnes from read_csv('{shared / 'figures.csv'}')"
    with pytest.raises(QueryRefused, match=r"read_csv\(\) is not one .*--allow-files"):
        run_query(sql, victims)
    assert run_query(sql, victims, allow_files=[shared])[1] == [(1798000,)]
    outside = f"select * from read_text('{tmp_path / 'runs.csv'}')"
    with pytest.raises(Exception, match="disabled by configuration"):
        run_query(outside, victims, allow_files=[shared])
    # a folder whose name merely starts like the allowed one is outside it
    (tmp_path / "shared-not").mkdir()
    (tmp_path / "shared-not" / "x.csv").write_text("a\n1\n")
    with pytest.raises(Exception, match="disabled by configuration"):
        run_query(
            f"select * from read_csv('{tmp_path / 'shared-not' / 'x.csv'}')",
            victims,
            allow_files=[shared],
        )


def test_query_command_reads_allowed_files(victims, tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.csv").write_text("a\n7\n")
    code = main(
        [
            "query",
            "select a from read_csv('in/a.csv')",
            "--warehouse",
            str(victims),
            "--allow-files",
            str(tmp_path / "in"),
            "--format",
            "csv",
        ]
    )
    assert code == 0 and capsys.readouterr().out.splitlines()[-1] == "7"
    assert os.getcwd() == str(tmp_path)


# Queries the parser calls SELECT that reach beyond the warehouse's relations: the allow-list
# refuses each before it runs (the sandbox alone let several of them answer).
BEYOND_THE_ALLOW_LIST = [
    ("select current_setting('allowed_directories')", "current_setting"),
    ("select getvariable('tradewatch_bodies')", "getvariable"),
    ("select * from duckdb_settings()", "duckdb_settings"),
    ("select * from duckdb_databases()", "duckdb_databases"),
    ("select * from duckdb_secrets()", "duckdb_secrets"),
    ("select * from which_secret('s3://x/y', 's3')", "which_secret"),
    ("select * from duckdb_extensions()", "duckdb_extensions"),
    ("select * from query('select 1')", "query"),
    ("select * from query_table('alerts')", "query_table"),
    ("select * from json_execute_serialized_sql(json_serialize_sql('select 1'))", "json_exec"),
    ("select * from postgres_query('x', 'select 1')", "postgres_query"),
    ("select * from postgres_execute('x', 'select 1')", "postgres_execute"),
    ("select * from ducklake_snapshots('lake')", "ducklake_snapshots"),
    ("select * from POSTGRES_QUERY('x', 'select 1')", "postgres_query"),
    ("select * from \"postgres_query\"('x', 'select 1')", "postgres_query"),
    ("select nextval('s')", "nextval"),
    ("with a as (select * from query('select 1')) select * from a", "query"),
    ("select (select count(*) from duckdb_settings())", "duckdb_settings"),
    ("select * from alerts where exists (from query('select 1'))", "query"),
    ("select * from 'other.duckdb'", "names a file"),
    ('select * from "/etc/passwd"', "names a file"),
    ("select * from (pivot alerts on status using count(*))", "refused"),
    ("explain analyze select * from query('select 1')", "query"),
    ("summarize select * from duckdb_settings()", "duckdb_settings"),
    ("describe select current_setting('threads')", "current_setting"),
]


@pytest.mark.parametrize(("statement", "named"), BEYOND_THE_ALLOW_LIST)
def test_calls_outside_the_allow_list_are_refused_by_name(victims, statement, named):
    with pytest.raises(QueryRefused, match="refused: ") as refused:
        run_query(statement, victims)
    assert named.split("_exec")[0] in str(refused.value)


def test_several_statements_in_one_string_are_refused_even_if_each_reads(victims, capsys):
    code = main(["query", "select 1 as a; select 2 as b", "--warehouse", str(victims)])
    assert code != 0
    assert "one statement at a time" in capsys.readouterr().err


def test_the_readmes_queries_pass_the_allow_list(victims):
    """Every query the README shows runs (on an empty warehouse: no rows, but no refusal)."""
    import re

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    shown = re.findall(r'tradewatch query "([^"]+)"', readme)
    shown = [sql for sql in shown if sql not in ("SQL", "select 1")]
    assert len(shown) >= 6
    for sql in shown:
        columns, _ = run_query(sql, victims)
        assert columns, sql


@pytest.mark.parametrize(
    "statement",
    [
        "select period, lag(net_weight_kg) over (partition by hs_code order by period) as prev,"
        " row_number() over () n, ntile(4) over (order by period) q from trade_monthly",
        "select list_transform([1, 2], lambda x: x * 2), {'a': 1}.a, 'x' || 'y', 'ab' like 'a%',"
        " strftime(now(), '%Y'), regexp_extract('a1', '\\d'), round(2.5) :: int",
        "select * from range(3) r(x) join generate_series(1, 2) g(y) on x = y",
        "select table_name from information_schema.tables order by 1",
        "select * from duckdb_tables() where schema_name = 'ops'",
        "describe alerts",
        "summarize trade_monthly",
        "select * from unnest([1, 2]) as t(x)",
        "values (1, 'a'), (2, 'b')",
        "select quantile_cont(x, 0.5), median(x), arg_max(x, x), string_agg(x::varchar, ',')"
        " from range(10) t(x)",
    ],
)
def test_ordinary_analysis_passes_the_allow_list(victims, statement):
    columns, _ = run_query(statement, victims)
    assert columns
