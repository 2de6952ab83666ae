from contextlib import closing

import pytest

from tradewatch.warehouse import QueryError, QueryRefused, WarehouseError, connect, run_query


@pytest.fixture
def loaded(warehouse_path):
    with closing(connect(warehouse_path)):
        pass
    return warehouse_path


def test_select_returns_columns_and_rows(loaded):
    columns, rows = run_query("select 1 as one, 'a' as letter", loaded)
    assert columns == ["one", "letter"] and rows == [(1, "a")]


@pytest.mark.parametrize(
    "statement",
    [
        "insert into ops.runs (run_id) values ('x')",
        "delete from trade_vintages",
        "create table t as select 1",
        "copy (select 1) to 'out.csv'",
        "attach 'other.duckdb' as other",
    ],
)
def test_statements_that_write_are_refused(loaded, statement):
    with pytest.raises(QueryRefused, match="only reads"):
        run_query(statement, loaded)


def test_sql_errors_are_reported_in_one_line(loaded):
    with pytest.raises(QueryError, match="no_such_table"):
        run_query("select * from no_such_table", loaded)


def test_missing_warehouse_is_a_clear_error(tmp_path):
    with pytest.raises(WarehouseError, match="no warehouse at"):
        run_query("select 1", tmp_path / "none.duckdb")
