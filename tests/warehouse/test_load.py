import datetime as dt
from contextlib import closing

import duckdb
import pytest

from tests.conftest import comtrade_body, raw_payload, recorded_records
from tradewatch.pipelines.comtrade import parse_payload
from tradewatch.pipelines.http import Exchange
from tradewatch.schemas import check_trade_rows
from tradewatch.warehouse import Loading, RunIds, connect, load_payload, migrate, record_exchanges
from tradewatch.warehouse import load as load_module

TABLES = ["trade_vintages", "ops.quarantine", "ops.runs", "raw.http_responses", "raw.http_bodies"]


def exchange(body: bytes, exchange_id: str) -> Exchange:
    return Exchange(
        source="comtrade",
        method="GET",
        url="https://comtradeapi.un.org/x",
        status=200,
        request_headers={},
        response_headers={"content-type": "application/json"},
        body=body,
        fetched_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        elapsed_ms=1.0,
        attempt=1,
        exchange_id=exchange_id,
    )


def months_records(*periods):
    return [r for r in recorded_records() if r["period"] in periods]


def load(con, body, exchange_id, months=("2016-08", "2016-09"), run_id="run-1"):
    record_exchanges(con, [exchange(body, exchange_id)], run_id)
    raw = raw_payload(body, months=months, exchange_id=exchange_id)
    return load_payload(
        con,
        Loading(
            "comtrade",
            RunIds(run_id),
            [m.first_day for m in raw.request.months],
            raw.request.series_keys(),
            exchange_id,
        ),
        check_trade_rows(parse_payload(raw)),
    )


def snapshot(con, tables=TABLES):
    return {t: sorted(map(str, con.execute(f"select * from {t}").fetchall())) for t in tables}


@pytest.fixture
def con(warehouse_path):
    with closing(connect(warehouse_path)) as connection:
        yield connection


def test_migrations_are_recorded_and_applied_once(con):
    applied = con.execute("select version, name from ops.schema_migrations order by version")
    assert applied.fetchall() == [
        (1, "001_initial.sql"),
        (2, "002_series_in_ledger.sql"),
        (3, "003_alerts.sql"),
        (4, "004_gacc.sql"),
        (5, "005_news.sql"),
        (6, "006_body_files.sql"),
        (7, "007_vintages_without_index.sql"),
        (8, "008_claim_readings.sql"),
        (9, "009_names.sql"),
        (10, "010_values_and_rates.sql"),
        (11, "011_mirror_alerts.sql"),
        (12, "012_claim_series.sql"),
        (13, "013_seasonal_alerts.sql"),
    ]
    assert migrate(con) == []


def test_an_older_warehouse_is_upgraded_in_place(warehouse_path, monkeypatch):
    from tradewatch.warehouse import db

    real = db._ordered
    monkeypatch.setattr(
        db,
        "_ordered",
        lambda folder: (
            [f for f in real(folder) if f[0].startswith("001")] if folder == "migrations" else []
        ),
    )
    monkeypatch.setattr(db, "schema_digest", lambda: "the older code's")
    with closing(connect(warehouse_path)) as old:
        old.execute(
            "insert into ops.runs (run_id, source, period, status, rows_fetched, rows_valid,"
            " rows_new, rows_quarantined, recorded_at)"
            " values ('r', 'comtrade', '2016-09-01', 'loaded', 2, 2, 2, 0, now())"
        )
    monkeypatch.undo()
    with closing(connect(warehouse_path)) as new:
        rows = new.execute("select status, series_keys from ops.runs").fetchall()
    assert rows == [("loaded", None)]


def test_same_payload_twice_changes_no_data(con):
    body = comtrade_body(months_records("201608", "201609"))
    first = load(con, body, "e1")
    assert [(m.status, m.rows_new) for m in first] == [("loaded", 2), ("loaded", 2)]
    data_tables = ["trade_vintages", "ops.quarantine", "raw.http_bodies"]
    before = snapshot(con, data_tables)
    second = load(con, body, "e2", run_id="run-2")
    assert [m.rows_new for m in second] == [0, 0]
    assert snapshot(con, data_tables) == before
    assert con.execute("select count(*) from raw.http_responses").fetchall() == [(2,)]
    assert con.execute("select count(*) from ops.runs").fetchall() == [(4,)]


def test_a_revised_value_adds_a_vintage_and_becomes_latest(con):
    records = months_records("201608", "201609")
    load(con, comtrade_body(records), "e1")
    revised = [dict(r) for r in records]
    for r in revised:
        if r["period"] == "201609" and r["cmdCode"] == "2701":
            r["netWgt"] = 1_800_000_000.0
    loads = load(con, comtrade_body(revised), "e2", run_id="run-2")
    assert [m.rows_new for m in loads] == [0, 1]
    vintages = con.execute(
        "select vintage, net_weight_kg, exchange_id from trade_vintages "
        "where hs_code = '2701' and period = '2016-09-01' order by vintage"
    ).fetchall()
    assert vintages == [(1, 1_798_000_000.0, "e1"), (2, 1_800_000_000.0, "e2")]
    latest = con.execute(
        "select net_weight_kg, vintage from trade_monthly "
        "where hs_code = '2701' and period = '2016-09-01'"
    ).fetchall()
    assert latest == [(1_800_000_000.0, 2)]


def test_every_figure_traces_to_the_stored_bytes(con):
    body = comtrade_body(months_records("201609"))
    load(con, body, "e1", months=("2016-09",))
    traced = con.execute(
        "select b.body from trade_monthly t "
        "join raw.http_responses r using (exchange_id) join raw.http_bodies b using (sha256) "
        "where t.hs_code = '2701' and t.period = '2016-09-01'"
    ).fetchall()
    assert traced == [(body,)]


def test_bad_rows_are_quarantined_once_while_good_rows_load(con):
    records = [dict(r) for r in months_records("201608", "201609")]
    records[0]["netWgt"] = -5
    records[3]["primaryValue"] = "not reported"
    body = comtrade_body(records)
    loads = load(con, body, "e1")
    assert [(m.rows_valid, m.rows_quarantined) for m in loads] == [(1, 1), (1, 1)]
    kept = con.execute(
        "select row_index, check_name, reason from ops.quarantine order by row_index"
    ).fetchall()
    assert [(i, c) for i, c, _ in kept] == [(0, "greater_than_or_equal_to(0)"), (3, "is_number")]
    load(con, body, "e2", run_id="run-2")
    assert con.execute("select count(*) from ops.quarantine").fetchall() == [(2,)]


def test_a_month_with_no_rows_is_not_published(con):
    loads = load(con, comtrade_body([]), "e1", months=("2030-01",))
    assert [(m.status, m.rows_fetched) for m in loads] == [("not_published", 0)]


def test_a_crash_mid_load_leaves_the_warehouse_as_it_was(con, monkeypatch):
    load(con, comtrade_body(months_records("201608")), "e1", months=("2016-08",))
    record_exchanges(con, [exchange(b"{}", "e2")], "run-2")
    before = snapshot(con)

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(load_module, "_insert_ledger", crash)
    body = comtrade_body(months_records("201608", "201609"))
    raw = raw_payload(body, months=("2016-08", "2016-09"), exchange_id="e2")
    with pytest.raises(RuntimeError, match="power cut"):
        load_payload(
            con,
            Loading(
                "comtrade",
                RunIds("run-2"),
                [m.first_day for m in raw.request.months],
                raw.request.series_keys(),
                "e2",
            ),
            check_trade_rows(parse_payload(raw)),
        )
    assert snapshot(con) == before


def test_a_second_writer_waits_then_gets_a_clear_message(warehouse_path):
    import subprocess
    import sys

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ok', flush=True); "
            "time.sleep(30)",
            warehouse_path,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        from tradewatch.warehouse import WarehouseBusy

        # the message names the real holder: its pid and command line
        with pytest.raises(WarehouseBusy, match=rf"held by process {holder.pid} \(.*python"):
            connect(warehouse_path, wait_seconds=0.5)
    finally:
        holder.kill()
        holder.wait()
    with closing(connect(warehouse_path)) as con:
        assert con.execute("select 1").fetchall() == [(1,)]


def test_file_is_a_real_duckdb_database(warehouse_path):
    with closing(connect(warehouse_path)):
        pass
    with closing(duckdb.connect(warehouse_path, read_only=True)) as raw_con:
        tables = {
            r[0] for r in raw_con.execute("select table_name from duckdb_tables()").fetchall()
        }
    assert {"trade_vintages", "runs", "quarantine", "http_responses", "http_bodies"} <= tables


def insert_every_vintage_twice(monkeypatch):
    """A faulty insert: after the load's own, every vintage of the table once more."""
    insert = load_module._insert_vintages

    def insert_twice(con, params):
        inserted = insert(con, params)
        con.execute("insert into trade_vintages by name select * from trade_vintages")
        return inserted

    monkeypatch.setattr(load_module, "_insert_vintages", insert_twice)


def test_a_load_that_would_duplicate_a_vintage_is_rolled_back(con, monkeypatch):
    from tradewatch.warehouse.db import WarehouseError

    insert_every_vintage_twice(monkeypatch)
    with pytest.raises(WarehouseError, match="duplicate vintages"):
        load(con, comtrade_body(months_records("201609")), "e1")
    assert con.execute("select count(*) from trade_vintages").fetchall() == [(0,)]
    assert con.execute("select count(*) from ops.runs").fetchall() == [(0,)]


def test_a_current_warehouse_is_not_migrated_again(warehouse_path, monkeypatch):
    from tradewatch.warehouse import db

    connect(warehouse_path).close()

    def must_not_run(folder):
        raise AssertionError(f"{folder} applied again on a current warehouse")

    monkeypatch.setattr(db, "_ordered", must_not_run)
    with closing(connect(warehouse_path)) as con:
        assert con.execute("select digest from ops.schema_state").fetchall() == [
            (db.schema_digest(),)
        ]


def test_a_new_warehouse_appears_whole_or_not_at_all(tmp_path):
    """Created under a temporary name and linked into place: a kill while creating leaves a
    temporary file (the next run removes it), never a file DuckDB cannot open."""
    from tradewatch.warehouse import run_lock

    target = tmp_path / "w.duckdb"
    stale = tmp_path / ".w.duckdb.creating-12345"  # what a killed creation leaves
    stale.write_bytes(b"half")
    with closing(connect(target)) as con:
        assert con.execute("select count(*) from ops.schema_migrations").fetchall()[0][0] >= 9
    assert sorted(p.name for p in tmp_path.iterdir()) == [".w.duckdb.creating-12345", "w.duckdb"]
    with run_lock(target, wait_seconds=1):
        pass
    assert not stale.exists()


def test_the_duplicate_vintage_test_runs_where_the_months_held_vintages_and_rolls_back(
    con, monkeypatch
):
    """A streamed load's keys are checked over all its batches at once: into months with no
    vintage yet, its rows cannot make a duplicate there and the data test is not run; into
    months that held vintages it is, and a duplicate it finds rolls the whole load back."""
    from tradewatch.warehouse.db import WarehouseError

    checks = []
    check = load_module._check_vintages_unique
    monkeypatch.setattr(
        load_module, "_check_vintages_unique", lambda *a: checks.append(a[1:]) or check(*a)
    )

    def streamed(records, exchange_id, run_id):
        body = comtrade_body(records)
        record_exchanges(con, [exchange(body, exchange_id)], run_id)
        raw = raw_payload(body, months=("2016-08", "2016-09"), exchange_id=exchange_id)
        checked = check_trade_rows(parse_payload(raw))
        half = len(checked.valid) // 2
        empty = checked.quarantine.iloc[:0]
        batches = [
            type(checked)(checked.valid.iloc[:half], checked.quarantine),
            type(checked)(checked.valid.iloc[half:], empty),
        ]
        months = [m.first_day for m in raw.request.months]
        loading = Loading("comtrade", RunIds(run_id), months, exchange_id=exchange_id)
        return load_module.load_payload_batches(con, loading, batches)

    records = months_records("201608", "201609")
    assert records
    assert sum(m.rows_new for m in streamed(records, "ex-1", "run-1")) == len(records)
    assert checks == []  # fresh months, keys unique over the whole load
    revised = [dict(r, netWgt=r["netWgt"] + 1) for r in records]
    assert sum(m.rows_new for m in streamed(revised, "ex-2", "run-2")) == len(records)
    assert len(checks) == 1  # the months held vintages: tested, and none found
    before = snapshot(con, ["trade_vintages", "ops.runs"])
    insert_every_vintage_twice(monkeypatch)
    again = [dict(r, netWgt=r["netWgt"] + 2) for r in records]
    with pytest.raises(WarehouseError, match="duplicate vintages would be written"):
        streamed(again, "ex-3", "run-3")
    assert snapshot(con, ["trade_vintages", "ops.runs"]) == before
