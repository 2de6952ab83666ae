import subprocess
import sys
from contextlib import closing, contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import use_comtrade_client
from tradewatch import sources as registry
from tradewatch.flows import IngestFailed, backfill, progress
from tradewatch.pipelines.comtrade.replay import replay
from tradewatch.pipelines.http import RetryPolicy, make_client
from tradewatch.warehouse import WarehouseBusy, connect

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture(autouse=True)
def north_korea_only(monkeypatch, prk_watchlist):
    """These tests count North Korea's two Comtrade series: the watchlist holds just those."""
    monkeypatch.setenv("TRADEWATCH_WATCHLIST", prk_watchlist)


COAL_ONLY = '[[series]]\nname = "coal"\nreporter = 156\npartner = 408\nhs = "2701"\n'
BOTH = COAL_ONLY + '[[series]]\nname = "iron"\nreporter = 156\npartner = 408\nhs = "2601"\n'


def query(path, sql):
    with closing(connect(path, read_only=True)) as con:
        return con.execute(sql).fetchall()


def canonical(path):
    """Every table, less what differs between any two runs: ids, run ids and timestamps."""
    sql = {
        "vintages": "select source, reporter_code, partner_code, hs_code, flow, period, vintage,"
        " net_weight_kg, quantity, quantity_unit, value_usd, sha256, row_index"
        " from trade_vintages",
        "quarantine": "select source, sha256, row_index, check_name, column_name, failure_case,"
        " reason, original::varchar, period from ops.quarantine",
        "bodies": "select sha256, body from raw.http_bodies",
        "exchanges": "select distinct url, status, sha256 from raw.http_responses",
        "months": "select source, period, last_status, series_loaded from ops.month_status",
        "trade_monthly": "select source, hs_code, period, net_weight_kg, value_usd, vintage"
        " from trade_monthly",
        "alerts": "select alert_id, source, hs_code, period, direction, move_pct, status, notify"
        " from alerts",
    }
    return {name: sorted(map(repr, query(path, text))) for name, text in sql.items()}


def watchlist_file(tmp_path, text):
    path = tmp_path / "watchlist.toml"
    path.write_text(text)
    return str(path)


def test_backfill_loads_every_month_once_then_skips_them(warehouse_path):
    events = []
    with progress.listening(events.append):
        summary = backfill("2015-01", "2017-12", offline=True, warehouse=warehouse_path)
    assert (summary["rows_new"], summary["skipped"], summary["failed"]) == (72, 0, [])
    assert [e.done for e in events] == list(range(1, 37))
    assert query(warehouse_path, "select count(distinct period) from trade_monthly") == [(36,)]
    # 36 months of two commodities in three calls of twelve months each.
    assert query(warehouse_path, "select count(*) from raw.http_responses") == [(3,)]

    again = backfill("2015-01", "2017-12", offline=True, warehouse=warehouse_path)
    assert (again["skipped"], again["rows_fetched"]) == (36, 0)
    assert query(warehouse_path, "select count(*) from raw.http_responses") == [(3,)]


def test_a_series_added_later_is_fetched_alone(warehouse_path, tmp_path):
    backfill(
        "2016-01",
        "2016-06",
        offline=True,
        warehouse=warehouse_path,
        watchlist=watchlist_file(tmp_path, COAL_ONLY),
    )
    summary = backfill(
        "2016-01",
        "2016-06",
        offline=True,
        warehouse=warehouse_path,
        watchlist=watchlist_file(tmp_path, BOTH),
    )
    assert summary["rows_new"] == 6
    urls = query(warehouse_path, "select url from raw.http_responses order by fetched_at")
    assert "cmdCode=2701&" in urls[0][0]
    assert "cmdCode=2601&" in urls[1][0] and len(urls) == 2


def test_force_fetches_again_and_changes_no_data(warehouse_path):
    backfill("2016-01", "2016-03", offline=True, warehouse=warehouse_path)
    before = canonical(warehouse_path)
    summary = backfill("2016-01", "2016-03", offline=True, warehouse=warehouse_path, force=True)
    assert (summary["skipped"], summary["rows_fetched"], summary["rows_new"]) == (0, 6, 0)
    assert canonical(warehouse_path) == before
    assert query(warehouse_path, "select count(*) from raw.http_responses") == [(2,)]


def test_a_failing_month_does_not_stop_the_others(warehouse_path, monkeypatch):
    def handler(request):
        if "2016" in request.url.params["period"]:
            return httpx.Response(400, text="period not available")
        return replay(request)

    comtrade = registry.source_class("comtrade")
    original = comtrade.client
    use_comtrade_client(
        monkeypatch,
        lambda log, offline: make_client(
            "comtrade", log, transport=httpx.MockTransport(handler), min_interval=0
        ),
    )
    with pytest.raises(
        IngestFailed,
        match=r"backfill: 12 months failed: comtrade 2016-01, comtrade 2016-02, "
        r".*comtrade 2016-12: .*400",
    ):
        backfill("2015-01", "2017-12", warehouse=warehouse_path)
    loaded = query(warehouse_path, "select year(period), count(*) from trade_monthly group by 1")
    assert sorted(loaded) == [(2015, 24), (2017, 24)]
    # Once the source answers again, a rerun loads just the failed year.
    monkeypatch.setattr(comtrade, "client", original)
    summary = backfill("2015-01", "2017-12", offline=True, warehouse=warehouse_path)
    assert (summary["skipped"], summary["rows_new"]) == (24, 24)


def test_a_second_run_on_the_same_warehouse_waits_then_fails_clearly(warehouse_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from tradewatch.warehouse import run_lock\n"
            "with run_lock(sys.argv[1], holder='backfill 2015-01..2017-12'):\n"
            "    print('locked', flush=True); time.sleep(60)\n",
            warehouse_path,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(
            WarehouseBusy, match=r"being written by backfill 2015-01..2017-12 \(pid"
        ):
            backfill("2016-01", "2016-02", offline=True, warehouse=warehouse_path, lock_wait=1)
    finally:
        holder.kill()
        holder.wait()
    summary = backfill("2016-01", "2016-02", offline=True, warehouse=warehouse_path, lock_wait=1)
    assert summary["rows_new"] == 4


def test_unknown_source_is_refused(warehouse_path):
    with pytest.raises(ValueError, match="unknown source wto"):
        backfill("2016-01", "2016-02", sources=["wto"], offline=True, warehouse=warehouse_path)


@contextmanager
def a_reader(path):
    """A notebook's read-only connection to ``path``, open in another process for the block."""
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, duckdb\n"
            "con = duckdb.connect(sys.argv[1], read_only=True)\n"
            "print('open', flush=True)\n"
            "time.sleep(60)\n",
            path,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "open"
        yield reader
    finally:
        reader.kill()
        reader.wait()


def test_a_reader_holding_the_file_for_a_minute_does_not_break_a_backfill(warehouse_path):
    """A notebook's read-only connection open for 60 s: the backfill waits, then loads it all."""
    connect(warehouse_path).close()
    with a_reader(warehouse_path):
        summary = backfill("2016-01", "2016-12", offline=True, warehouse=warehouse_path)
    assert summary["failed"] == []
    with closing(connect(warehouse_path)) as con:
        loaded = con.execute(
            "select count(distinct period) from ops.runs where source = 'comtrade'"
            " and status = 'loaded'"
        ).fetchall()
    assert loaded == [(12,)]


def test_without_a_network_each_request_fails_in_one_line_naming_the_host(
    warehouse_path, monkeypatch, caplog
):
    """A live run with no DNS: the months fail with the host and the way out (--offline), and
    nothing is logged as an error with a traceback (it was ~213 lines of httpx's internals)."""

    def no_dns(request):
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)

    use_comtrade_client(
        monkeypatch,
        lambda log, offline: make_client(
            "comtrade", log, transport=httpx.MockTransport(no_dns), min_interval=0,
            retry=RetryPolicy(attempts=1),
        ),
    )  # fmt: skip
    with pytest.raises(IngestFailed) as failed:
        backfill("2016-01", "2016-03", warehouse=warehouse_path)
    assert "cannot look up comtradeapi.un.org (no network, or no DNS)" in str(failed.value)
    assert "add --offline" in str(failed.value)
    errors = [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    assert not errors and not any(r.exc_info for r in caplog.records if r.exc_info)


def test_a_reader_held_past_the_wait_fails_those_months_only_and_loses_no_byte(
    warehouse_path, caplog
):
    """A notebook's read-only connection held past ``--wait``: the run is not stopped with a
    traceback (it was exit 3 with Prefect's), the months it could not write fail naming the
    holder and what frees the file (not DuckDB's "open it read-only" hint), the alerts are
    named as not judged, and every fetched byte waits beside the file for the next run."""
    connect(warehouse_path).close()
    with a_reader(warehouse_path) as reader:
        with pytest.raises(IngestFailed) as failed:
            backfill("2016-01", "2016-03", offline=True, warehouse=warehouse_path, lock_wait=1)
    message = str(failed.value)
    assert message.startswith("backfill: 3 months failed: comtrade 2016-01, comtrade 2016-02")
    assert f"held by process {reader.pid}" in message and "From a notebook" in message
    assert "read-only mode" not in message  # DuckDB's hint is not our user's way out
    assert "not done: alerts:" in message
    errors = [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    assert not errors and not any(r.exc_info for r in caplog.records)
    kept = Path(f"{warehouse_path}.unsaved")
    assert list(kept.glob("*.jsonl")), "the fetched bytes were not kept"
    assert query(warehouse_path, "select count(*) from raw.http_responses") == [(0,)]

    summary = backfill("2016-01", "2016-03", offline=True, warehouse=warehouse_path)
    assert summary["failed"] == [] and summary["rows_new"] == 6
    assert not kept.exists()  # stored, then removed
    # the first run's exchanges are in the warehouse under that run, besides the second's
    runs = query(warehouse_path, "select count(distinct run_id) from raw.http_responses")
    assert runs == [(2,)]
