"""Streaming mode: a payload on disk loaded a batch at a time gives what the in-memory path does."""

from __future__ import annotations

import datetime as dt
import json
from contextlib import closing

from tests.conftest import comtrade_body, raw_payload, recorded_records
from tradewatch.pipelines.comtrade import parse_payload
from tradewatch.pipelines.http import Exchange
from tradewatch.schemas import Month, check_trade_rows
from tradewatch.sources.comtrade import load_comtrade_file
from tradewatch.warehouse import Loading, RunIds, connect, load_payload, record_exchanges
from tradewatch.warehouse.bodies import read_body

MONTHS = [Month(2016, m) for m in range(1, 13)]
VINTAGES = (
    "select reporter_code, partner_code, hs_code, flow, period, vintage, net_weight_kg,"
    " quantity, quantity_unit, value_usd, row_index from trade_vintages order by all"
)
QUARANTINE = "select row_index, check_name, column_name, reason from ops.quarantine order by all"
LEDGER = (
    "select period, status, rows_fetched, rows_valid, rows_new, rows_quarantined"
    " from ops.runs order by all"
)


def payload() -> bytes:
    records = [dict(r) for r in recorded_records() if r["period"].startswith("2016")]
    records[2]["netWgt"] = -5.0  # quarantined for its value
    records[5]["cmdDesc"] = 'text with },{"braces": 1} inside'
    records.append(dict(records[0]))  # the same key again, far from the first
    return comtrade_body(records)


def snapshot(path: str) -> dict:
    with closing(connect(path, read_only=True)) as con:
        return {sql: con.execute(sql).fetchall() for sql in (VINTAGES, QUARANTINE, LEDGER)}


def test_streaming_a_file_loads_what_the_in_memory_path_loads(tmp_path):
    body = payload()
    file = tmp_path / "bulk.json"
    file.write_bytes(body)
    streamed = str(tmp_path / "streamed.duckdb")
    loads = load_comtrade_file(file, warehouse=streamed, months=MONTHS, batch_bytes=3000)
    assert sum(load.rows_new for load in loads) > 0

    in_memory = str(tmp_path / "memory.duckdb")
    raw = raw_payload(body, months=[str(m) for m in MONTHS])
    with closing(connect(in_memory)) as con:
        exchange = Exchange(
            "comtrade", "GET", raw.url, 200, {}, {}, body, dt.datetime.now(dt.UTC), 1.0, 1
        )
        record_exchanges(con, [exchange], "run")
        load_payload(
            con,
            Loading(
                "comtrade", RunIds("run"), [m.first_day for m in MONTHS], [], exchange.exchange_id
            ),
            check_trade_rows(parse_payload(raw)),
        )
    got, want = snapshot(streamed), snapshot(in_memory)
    assert got[VINTAGES] == want[VINTAGES]
    assert got[LEDGER] == want[LEDGER]
    # The same rows quarantined for the same reasons (the duplicate pair across batches too).
    assert {(r[0], r[3]) for r in got[QUARANTINE]} == {(r[0], r[3]) for r in want[QUARANTINE]}
    assert any("duplicate" in r[3] for r in got[QUARANTINE])


def test_a_streamed_file_is_kept_byte_for_byte(tmp_path):
    body = payload()
    file = tmp_path / "bulk.json"
    file.write_bytes(body)
    warehouse = str(tmp_path / "w.duckdb")
    load_comtrade_file(file, warehouse=warehouse, months=MONTHS, batch_bytes=3000)
    with closing(connect(warehouse, read_only=True)) as con:
        ((sha, method),) = con.execute("select sha256, method from raw.http_responses").fetchall()
        assert method == "FILE"
        assert read_body(con, sha) == body


def test_a_failure_mid_stream_leaves_the_warehouse_as_it_was(tmp_path):
    body = payload()
    broken = body[: len(body) // 2] + b"not json at all" + body[len(body) // 2 :]
    file = tmp_path / "bulk.json"
    file.write_bytes(broken)
    warehouse = str(tmp_path / "w.duckdb")
    try:
        load_comtrade_file(file, warehouse=warehouse, months=MONTHS, batch_bytes=3000)
    except Exception as exc:
        assert "data" in str(exc) or "JSON" in str(exc) or "shape" in str(exc)
    else:
        raise AssertionError("a broken payload loaded")
    with closing(connect(warehouse, read_only=True)) as con:
        assert con.execute("select count(*) from trade_vintages").fetchall() == [(0,)]
        assert con.execute("select count(*) from ops.runs").fetchall() == [(0,)]
        scratch = "select count(*) from information_schema.tables where table_schema = 'scratch'"
        assert con.execute(scratch).fetchall() == [(0,)]
    assert json.loads(body)  # the unbroken payload is valid: the failure was the damage


def test_load_file_from_the_command_line(tmp_path, capsys):
    from tradewatch.cli import main

    file = tmp_path / "bulk.json"
    file.write_bytes(payload())
    warehouse = str(tmp_path / "w.duckdb")
    assert main(["load-file", str(file), "--batch-mb", "1", "--warehouse", warehouse]) == 0
    lines = capsys.readouterr().out.splitlines()
    out = [line for line in lines if not line.startswith("  ")]
    assert [line[:7] for line in out] == [f"2016-{m:02d}" for m in range(1, 13)]
    quarantined = sum(int(line.split(", ")[-1].split()[0]) for line in out)
    assert quarantined == 3  # the negative weight, and the duplicate pair
    reasons = [line for line in lines if line.startswith("  quarantined ")]
    assert reasons == [
        "  quarantined 2 rows: duplicate of another row with the same key: "
        "source, reporter_code, partner_code, hs_code, flow, period",
        "  quarantined 1 row: net weight must be a non-negative number of kilograms",
    ]


def test_corrupt_records_are_counted_by_reason_in_one_line_each(tmp_path, capsys):
    """No pandera dump, no traceback: one line per reason, the rows in ops.quarantine."""
    from tradewatch.cli import main

    good = {
        "reporterCode": 156, "partnerCode": 408, "cmdCode": "2701", "flowCode": "M",
        "freqCode": "M", "refPeriodId": 20160901, "netWgt": 1.0, "primaryValue": 1.0,
    }  # fmt: skip
    bad = [
        {"cmdCode": "\uff12\uff17\uff10\uff11"}, {"netWgt": True}, {"netWgt": "1e6"},
        {"reporterCode": 156.7}, {"reporterCode": 2**64}, {"refPeriodId": -1},
        {"refPeriodId": 18000101}, {"netWgt": -5}, {"netWgt": -6},
    ]  # fmt: skip
    records = [good] + [{**good, "refPeriodId": 20100101 + 100 * i, **b} for i, b in enumerate(bad)]
    file = tmp_path / "corrupt.json"
    file.write_text(json.dumps({"data": records, "error": ""}))
    warehouse = str(tmp_path / "w.duckdb")
    assert main(["load-file", str(file), "--warehouse", warehouse]) == 4  # months failed
    captured = capsys.readouterr()
    reasons = [line for line in captured.out.splitlines() if line.startswith("  quarantined ")]
    assert reasons[0] == (
        "  quarantined 2 rows: net weight must be a non-negative number of kilograms"
    )
    assert len(reasons) == 8 and sum(int(line.split()[1]) for line in reasons) == 9
    assert "Traceback" not in captured.err and "SchemaError" not in captured.out + captured.err
    with closing(connect(warehouse, read_only=True)) as con:
        assert con.execute("select count(distinct row_index) from ops.quarantine").fetchall() == [
            (9,)
        ]


def test_an_empty_answer_an_error_and_a_relative_path(tmp_path, monkeypatch, capsys):
    """ "data": [] is no data, not a broken file; an error the answer states is its message."""
    from tradewatch.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty.json").write_text('{"count": 0, "data": [], "error": ""}')
    (tmp_path / "err.json").write_text('{"count": 0, "data": null, "error": "Invalid period"}')
    assert main(["load-file", "empty.json", "--warehouse", "w.duckdb"]) == 0
    assert "no rows — the payload holds no data" in capsys.readouterr().out
    assert main(["load-file", "err.json", "--warehouse", "w.duckdb"]) == 1
    assert "Comtrade error: Invalid period" in capsys.readouterr().err
