import datetime as dt
from contextlib import closing

import pytest

from tests.conftest import comtrade_body, raw_payload, recorded_records
from tests.warehouse.test_load import exchange
from tradewatch.pipelines.comtrade import parse_payload
from tradewatch.schemas import check_trade_rows
from tradewatch.warehouse import (
    Loading,
    RunIds,
    connect,
    load_payload,
    record_exchanges,
    record_failure,
)
from tradewatch.warehouse.status import status_grid

COAL, IRON = "156-408-2701-M", "156-408-2601-M"
D = dt.date


def load(con, records, months, exchange_id, hs=("2601", "2701")):
    body = comtrade_body(records)
    record_exchanges(con, [exchange(body, exchange_id)], "run")
    raw = raw_payload(body, months=months, hs=hs, exchange_id=exchange_id)
    load_payload(
        con,
        Loading(
            "comtrade",
            RunIds("run"),
            [m.first_day for m in raw.request.months],
            raw.request.series_keys(),
            exchange_id,
        ),
        check_trade_rows(parse_payload(raw)),
    )


@pytest.fixture
def con(warehouse_path):
    with closing(connect(warehouse_path)) as connection:
        yield connection


def test_each_state_of_the_grid(con):
    records = [dict(r) for r in recorded_records() if r["period"] in ("201601", "201602")]
    records[0]["netWgt"] = -1  # 2016-01 iron ore: quarantined
    load(con, records, ("2016-01", "2016-02"), "e1")
    load(con, [], ("2016-03", "2016-05"), "e2")
    record_failure(
        con, Loading("comtrade", RunIds("run"), [D(2016, 4, 1)]), "HTTP 503 after 4 attempts"
    )
    months = [D(2016, m, 1) for m in range(1, 7)]
    cells = status_grid(con, months, {"comtrade": {COAL, IRON}}, window_start=D(2016, 5, 1))
    assert [(c.period.month, c.state, c.detail) for c in cells] == [
        (1, "partial", f"not loaded: {IRON}"),
        (2, "loaded", ""),
        (3, "missing", "no data published for this month yet; past the window"),
        (4, "failed", "HTTP 503 after 4 attempts"),
        (5, "not yet published", ""),
        (6, "never run", ""),
    ]
    assert cells[0].rows_quarantined == 1


def test_a_month_loaded_before_a_series_was_added_is_partial_for_the_new_list(con):
    coal = [r for r in recorded_records() if r["period"] == "201601" and r["cmdCode"] == "2701"]
    load(con, coal, ("2016-01",), "e1", hs=("2701",))
    (only_coal,) = status_grid(con, [D(2016, 1, 1)], {"comtrade": {COAL}}, D(2020, 1, 1))
    (both,) = status_grid(con, [D(2016, 1, 1)], {"comtrade": {COAL, IRON}}, D(2020, 1, 1))
    assert only_coal.state == "loaded"
    assert (both.state, both.detail) == ("partial", f"not loaded: {IRON}")


def test_a_later_failure_does_not_hide_data_already_loaded(con):
    load(con, [r for r in recorded_records() if r["period"] == "201601"], ("2016-01",), "e1")
    record_failure(con, Loading("comtrade", RunIds("run2"), [D(2016, 1, 1)]), "timeout")
    (cell,) = status_grid(con, [D(2016, 1, 1)], {"comtrade": {COAL, IRON}}, D(2020, 1, 1))
    assert (cell.state, cell.detail) == ("loaded", "last run failed: timeout")
