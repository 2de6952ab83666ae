"""`tradewatch export` and `query --out`: files that read back equal to the warehouse."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from contextlib import closing

import duckdb
import pandas as pd
import pytest

from tests.conftest import comtrade_body, recorded_records
from tradewatch.cli import main
from tradewatch.sources.comtrade import load_comtrade_file
from tradewatch.warehouse import connect
from tradewatch.warehouse.names import sync_watched_series


@pytest.fixture
def warehouse(tmp_path) -> str:
    path = str(tmp_path / "w.duckdb")
    payload = tmp_path / "payload.json"
    payload.write_bytes(comtrade_body(recorded_records()))
    load_comtrade_file(payload, warehouse=path)
    with closing(connect(path)) as con:
        sync_watched_series(con, [("coal-chn-prk", 156, 408, "2701", "M")])
    return path


def _plain(value) -> str:
    """A value as text: nulls alike, dates and timestamps as UTC instants."""
    if (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and value != value)
    ):
        return "null"
    if isinstance(value, dt.date | pd.Timestamp):
        stamp = pd.Timestamp(value)
        return (stamp.tz_convert("UTC") if stamp.tzinfo else stamp).isoformat()
    return str(value)


def _digest(path: str) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def test_export_writes_parquet_that_duckdb_and_pandas_read_back_equal(warehouse, tmp_path, capsys):
    before = _digest(warehouse)
    out = tmp_path / "export"
    assert main(["export", "--to", str(out), "--warehouse", warehouse]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["relations"]["trade_vintages"] == 96
    assert {"trade_monthly_named", "alerts_named", "ops.runs", "ref.countries"} <= set(
        manifest["relations"]
    )
    assert "raw.http_bodies" not in manifest["relations"]  # the bytes stay in the warehouse
    with closing(connect(warehouse, read_only=True, allow_files=[out])) as con:
        for name, rows in manifest["relations"].items():
            file = str(out / f"{name}.parquet")
            relation = ".".join(f'"{part}"' for part in name.split("."))
            differ = con.execute(
                f"select count(*) from ((select * from {relation} except all"
                f" select * from read_parquet('{file}'))"
                f" union all (select * from read_parquet('{file}') except all"
                f" select * from {relation}))"
            ).fetchall()
            assert (
                differ == [(0,)]
                and rows == con.execute(f"select count(*) from {relation}").fetchall()[0][0]
            ), name
        named = con.execute("select * from trade_monthly_named order by all").df()
    back = pd.read_parquet(out / "trade_monthly_named.parquet")
    assert list(back.columns) == list(named.columns) and len(back) == len(named) == 96
    for column in back.columns:  # value by value, whatever dtype each reader chose
        assert sorted(map(_plain, back[column])) == sorted(map(_plain, named[column])), column
    assert _digest(warehouse) == before  # exporting changes nothing


def test_export_of_named_tables_as_csv_and_an_unknown_name(warehouse, tmp_path, capsys):
    out = tmp_path / "csv"
    assert main(
        ["export", "--to", str(out), "--format", "csv", "--tables", "ops.runs", "--warehouse",
         warehouse]
    ) == 0  # fmt: skip
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "ops.runs.csv"]
    assert main(["export", "--to", str(out), "--tables", "nope", "--warehouse", warehouse]) == 1
    assert "no relation nope to export" in capsys.readouterr().err


def test_query_out_writes_csv_and_parquet_and_nothing_else(warehouse, tmp_path, capsys):
    sql = "select period, net_weight_kg from trade_monthly where hs_code = '2701' order by period"
    csv_file, parquet_file = tmp_path / "coal.csv", tmp_path / "coal.parquet"
    assert main(["query", sql, "--out", str(csv_file), "--warehouse", warehouse]) == 0
    assert main(["query", sql, "--out", str(parquet_file), "--warehouse", warehouse]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{csv_file}: 48 rows",
        f"{parquet_file}: 48 rows",
    ]
    assert csv_file.read_text().splitlines()[0] == "period,net_weight_kg"
    assert duckdb.sql(f"select count(*) from '{parquet_file}'").fetchall() == [(48,)]
    before = _digest(warehouse)
    hostile = [
        "select 1) to 'elsewhere.csv' (format csv); --",
        "copy trade_monthly to 'elsewhere.csv'",
        "select 1; select 2",
        "explain analyze select 1",
        "select * from read_csv('" + str(csv_file) + "')",  # reading files needs --allow-files
    ]
    for sql in hostile:
        assert main(["query", sql, "--out", str(tmp_path / "x.csv"), "--warehouse", warehouse]) == 1
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "elsewhere.csv").exists()
    assert main(["query", sql, "--out", str(tmp_path / "x.json"), "--warehouse", warehouse]) == 1
    assert _digest(warehouse) == before


def test_query_out_replaces_the_users_own_earlier_output(warehouse, tmp_path, capsys):
    """Run again, the same --out is rewritten (DuckDB stages tmp_<name> beside it first);
    nothing else beside it is written."""
    out = tmp_path / "coal.csv"
    for year in (2016, 2017):
        sql = f"select period from trade_monthly where year(period) = {year} and hs_code = '2701'"
        assert main(["query", sql, "--out", str(out), "--warehouse", warehouse]) == 0, (
            capsys.readouterr().err
        )
        assert str(year) in out.read_text().splitlines()[1]
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".csv") == ["coal.csv"]
