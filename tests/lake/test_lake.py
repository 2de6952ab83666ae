"""tradewatch on DuckLake (catalog in a real PostgreSQL, data as Parquet) answers as on a file."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

COMPARED = {
    "trade_vintages": "select source, reporter_code, partner_code, hs_code, flow,"
    " cast(period as varchar) p, vintage, net_weight_kg, quantity, quantity_unit, value_usd,"
    " sha256, row_index from trade_vintages order by all",
    "trade_monthly": "select source, reporter_code, partner_code, hs_code, flow,"
    " cast(period as varchar) p, net_weight_kg, value_usd, vintage from trade_monthly order by all",
    "alerts": "select alert_id, source, hs_code, partner_code, cast(period as varchar) p,"
    " direction, move_pct, previous_kg, current_kg, trend_months, low_base, status from alerts"
    " order by all",
    "claim_checks": "select article_id, claim_no, cast(period as varchar) p, claimed,"
    " customs_figure, verdict from claim_checks order by all",
    "ledger": "select source, cast(period as varchar) p, status, rows_fetched, rows_valid,"
    " rows_quarantined from ops.runs order by all",
}


def _env(warehouse: str) -> dict:
    """A user's environment: Prefect's defaults, this warehouse."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    clean.update(TRADEWATCH_WAREHOUSE=warehouse, PREFECT_SERVER_ANALYTICS_ENABLED="false")
    return clean


def _tradewatch(warehouse: str, *args: str, timeout: float = 300):
    return subprocess.run(
        [sys.executable, "-m", "tradewatch.cli", *args],
        capture_output=True, text=True, env=_env(warehouse), timeout=timeout,
    )  # fmt: skip


def _start(warehouse: str, *args: str) -> subprocess.Popen:
    """``tradewatch ARGS`` in the background, output kept for the failure message."""
    return subprocess.Popen(
        [sys.executable, "-m", "tradewatch.cli", *args],
        env=_env(warehouse), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def _answers(warehouse: str, queries: dict[str, str] = COMPARED) -> dict:
    out = {}
    for name, sql in queries.items():
        done = _tradewatch(warehouse, "query", sql, "--format", "json")
        assert done.returncode == 0, done.stderr
        out[name] = json.loads(done.stdout)
    return out


SEPTEMBER_2016 = ("run", "--month", "2016-09", "--offline")  # brings the month's news too


def _load(warehouse: str, *commands: tuple[str, ...]) -> None:
    """Run each tradewatch command on the warehouse; each must succeed, without a traceback."""
    for args in commands:
        done = _tradewatch(warehouse, *args)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Traceback" not in done.stderr


def test_the_offline_years_load_into_the_lake_as_into_a_file(lake_address, tmp_path):
    file = str(tmp_path / "w.duckdb")
    for warehouse in (file, lake_address):
        _load(warehouse, ("backfill", "2015-01", "2017-12", "--offline"), SEPTEMBER_2016)
    on_file, on_lake = _answers(file), _answers(lake_address)
    assert len(on_file["trade_vintages"]) > 100 and on_file["claim_checks"]
    for name in COMPARED:
        assert on_lake[name] == on_file[name], name
    assert (tmp_path / "lake-data" / "tradewatch.reports" / "report-2016-09.html").exists()


def test_query_on_the_lake_reads_and_cannot_write(lake_address, tmp_path):
    assert _tradewatch(lake_address, "backfill", "2016-08", "2016-09", "--offline").returncode == 0
    done = _tradewatch(lake_address, "query", "select count(*) n from trade_monthly", "--format",
                       "csv")  # fmt: skip
    assert done.returncode == 0 and done.stdout.splitlines() == ["n", "6"], done.stderr
    for hostile in (
        "insert into alerts select * from alerts",
        "explain analyze copy trade_monthly to 'x.csv'",
        f"select * from read_csv('{tmp_path / 'secret.csv'}')",
    ):
        (tmp_path / "secret.csv").write_text("a\n1\n")
        refused = _tradewatch(lake_address, "query", hostile)
        assert refused.returncode != 0, hostile
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize("missing", ["data path", "extension"])
def test_a_lake_without_its_data_path_is_one_clear_line(lake_address, missing, monkeypatch):
    if missing == "data path":
        monkeypatch.delenv("TRADEWATCH_DATA_PATH")
        done = _tradewatch(lake_address, "status")
        assert done.returncode != 0
        assert "needs a data path: --data-path or TRADEWATCH_DATA_PATH" in done.stderr
    else:
        done = _tradewatch("ducklake:postgres:dbname=nope host=127.0.0.1 port=1 user=tw", "status")
        assert done.returncode != 0 and "cannot open the lake" in done.stderr
        assert "Traceback" not in done.stderr


def test_a_reader_during_a_backfill_never_waits_fails_or_sees_half_a_month(lake_address):
    """On a lake, readers never wait for a writer: a query loop while the years load."""
    import time

    from tradewatch.warehouse import connect

    assert _tradewatch(lake_address, "backfill", "2015-01", "2015-01", "--offline").returncode == 0
    writer = _start(lake_address, "backfill", "2015-02", "2017-12", "--offline")
    reads, slowest = 0, 0.0
    while writer.poll() is None:
        started = time.monotonic()
        with connect(lake_address, read_only=True) as con:  # raises if it had to wait and failed
            per_load = con.execute(
                "select period, partner_code, count(*) from trade_vintages group by all"
            ).fetchall()
        slowest = max(slowest, time.monotonic() - started)
        reads += 1
        # each request's month is whole or absent: the world's coal (one series), North Korea's
        # coal and iron ore (two series, one request)
        assert all(count == {0: 1, 408: 2}[partner] for _, partner, count in per_load), per_load
    output = writer.communicate()[0]
    assert writer.returncode == 0, output
    assert reads >= 3, "the backfill ended before the reader could look"
    with connect(lake_address, read_only=True) as con:
        assert con.execute("select count(distinct period) from trade_vintages").fetchall() == [
            (36,)
        ]
    assert slowest < 10.0  # no reader waited for the writer (the run lock is not taken by reads)


def test_kill_9_of_a_writer_leaves_no_partial_month_and_a_rerun_completes(lake_address):
    import signal
    import time

    from tradewatch.warehouse import connect
    from tradewatch.warehouse.lake import LakeError

    writer = _start(lake_address, "backfill", "2015-01", "2017-12", "--offline")
    loaded = []
    deadline = time.monotonic() + 120
    while writer.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
        try:
            with connect(lake_address, read_only=True) as con:
                loaded = con.execute("select distinct period from trade_vintages").fetchall()
        except LakeError as exc:  # the writer has not created the lake yet
            assert "no lake there yet" in str(exc)
            continue
        if len(loaded) >= 3:
            break
    assert writer.poll() is None, "the backfill ended before it could be killed"
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    with connect(lake_address, read_only=True) as con:
        per_load = con.execute(
            "select period, partner_code, count(*) from trade_vintages group by all"
        ).fetchall()
    assert per_load and all(count == {0: 1, 408: 2}[p] for _, p, count in per_load), per_load
    again = _tradewatch(lake_address, "backfill", "2015-01", "2017-12", "--offline")
    assert again.returncode == 0, again.stdout + again.stderr
    with connect(lake_address, read_only=True) as con:
        assert con.execute("select count(*) from trade_vintages").fetchall() == [(108,)]
        assert con.execute(
            "select count(*) from (select source, reporter_code, partner_code, hs_code, flow,"
            " period, vintage from trade_vintages group by all having count(*) > 1)"
        ).fetchall() == [(0,)]  # nothing loaded twice


def test_three_writers_at_once_give_the_warehouse_one_gives(lake_address, tmp_path):
    """Three backfills of different years start together on one lake: none waits for another's
    run (a lake has no run lock; writes take turns through the catalog's advisory lock), and
    the result is what one backfill of the three years gives on a file."""
    writers = [
        _start(lake_address, "backfill", f"{year}-01", f"{year}-12", "--offline")
        for year in (2015, 2016, 2017)
    ]
    for writer in writers:
        output = writer.communicate(timeout=600)[0]
        assert writer.returncode == 0, output
    file = str(tmp_path / "one.duckdb")
    assert _tradewatch(file, "backfill", "2015-01", "2017-12", "--offline").returncode == 0
    on_lake, on_file = _answers(lake_address), _answers(file)
    for name in ("trade_vintages", "trade_monthly"):
        assert on_lake[name] == on_file[name], name

    # the same turns raised (an alert keeps the figures of when it was raised, so how long the
    # trend had lasted depends on which years were in when it was: identity is compared)
    def raised(answers):
        return [
            (a["alert_id"], a["p"], a["direction"])
            for a in answers["alerts"]
            if a["status"] == "raised"
        ]

    assert raised(on_lake) == raised(on_file) and raised(on_file)


@pytest.mark.parametrize("wrong", ["port", "role"])
def test_a_run_on_an_unreachable_lake_is_one_line_before_anything_starts(
    lake_address, postgres, wrong
):
    """A wrong port or role: the catalog is reached once before Prefect starts, so the reason is
    one line (it was ~41 with a traceback from inside the flow)."""
    host, port, _ = postgres
    address = (
        lake_address.replace(f"port={port}", "port=1")
        if wrong == "port"
        else lake_address.replace("user=tw_writer", "user=nobody")
    )
    done = _tradewatch(address, "backfill", "2016-01", "2016-02", "--offline", timeout=60)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "Flow run" not in done.stdout + done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("tradewatch backfill: cannot reach the lake's catalog at")
    assert ("port=1" in line) if wrong == "port" else ('role "nobody"' in line)
