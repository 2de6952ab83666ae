"""A payload on disk read by several processes: the same rows, row numbers and errors as the
streamed reader in one process, on payloads written here from the recorded 2016 records.

The worker processes are forked: in a process running other threads (a test session with
Prefect's harness) that is not safe, so the end-to-end runs here are in a fresh interpreter.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from tests.conftest import comtrade_body, recorded_records
from tradewatch.pipelines.comtrade import bulk
from tradewatch.pipelines.comtrade.parse import iter_payload_frames
from tradewatch.schemas import check_trade_rows

URL = "file:///payload.json"


def records() -> list[dict]:
    rows = [dict(r) for r in recorded_records() if r["period"].startswith("2016")]
    rows[2]["netWgt"] = -5.0  # quarantined for its value
    rows[7]["netWgt"] = "1,000"  # its range takes the as-published path
    return rows


def written(tmp_path, body: bytes):
    path = tmp_path / "payload.json"
    path.write_bytes(body)
    return path


def serial(body: bytes) -> list:
    return [check_trade_rows(f) for f in iter_payload_frames(URL, io.BytesIO(body))]


def joined(results) -> tuple[pd.DataFrame, pd.DataFrame]:
    results = list(results)
    valid = pd.concat([r.valid for r in results])
    quarantine = pd.concat([r.quarantine for r in results], ignore_index=True)
    quarantine = quarantine.astype({"row_index": "int64"})  # an empty batch's is object
    return valid, quarantine.sort_values(["row_index", "check_name"], ignore_index=True)


def test_the_ranges_cover_every_record_once_cut_between_records(tmp_path):
    body = comtrade_body(records())
    path = written(tmp_path, body)
    plan = bulk.plan(path, batch_bytes=2000)
    assert plan is not None and len(plan.ranges) > 3
    assert plan.head.endswith(b'"data": [') and plan.tail == b', "error": ""}'
    pieces = [body[start:end] for start, end in plan.ranges]
    assert all(p.startswith(b"{") and p.endswith(b"}") for p in pieces)
    assert json.loads(b"[" + b", ".join(pieces) + b"]") == records()
    ends = [end for _, end in plan.ranges[:-1]]
    starts = [start for start, _ in plan.ranges[1:]]
    assert [body[e:s] for e, s in zip(ends, starts, strict=True)] == [b", "] * len(ends)


def test_each_range_read_and_shifted_gives_the_streamed_rows_and_quarantine(tmp_path):
    body = comtrade_body(records())
    path = written(tmp_path, body)
    plan = bulk.plan(path, batch_bytes=2000)
    results, offset = [], 0
    for start, end in plan.ranges:
        count, checked = bulk.read_range(str(path), start, end, check_trade_rows)
        results.append(bulk.shifted(checked, offset))
        offset += count
    assert offset == len(records())
    valid, quarantine = joined(results)
    want_valid, want_quarantine = joined(serial(body))
    pd.testing.assert_frame_equal(valid, want_valid)
    pd.testing.assert_frame_equal(quarantine, want_quarantine, check_dtype=False)
    assert set(quarantine["row_index"]) == {2, 7}


def test_a_cut_inside_a_text_does_not_decode(tmp_path):
    rows = records()
    rows[4]["cmdDesc"] = "x" * 1500 + "}, {" + "y" * 200  # a boundary the plan cannot tell
    body = comtrade_body(rows)
    path = written(tmp_path, body)
    plan = bulk.plan(path, batch_bytes=1000)
    text_at = body.index(b"}, {y")
    inside = [(s, e) for s, e in plan.ranges if e == text_at + 1]
    assert inside, "the plan should have cut inside the text"
    assert any(bulk.read_range(str(path), s, e, check_trade_rows) is None for s, e in inside)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html><body>Service unavailable</body></html>",
        b'{"elapsedTime": "0 secs", "count": 0, "data": [], "error": ""}',
        comtrade_body(records()[:2]),  # one batch
        b'{"data": [{"a": 1}, {"b": 2}] , "more": [1, 2]}',  # the array does not end the file
    ],
    ids=["empty", "html", "no-data", "one-batch", "more-after"],
)
def test_what_is_not_a_plain_array_of_batches_is_read_in_one_process(tmp_path, body):
    assert bulk.plan(written(tmp_path, body), batch_bytes=10**6) is None


def test_a_reader_gives_its_prefix_then_the_rest():
    reader = bulk._Prefixed(b"head[", io.BytesIO(b"{1}, {2}]}"))
    assert reader.read(3) == b"hea" and reader.read(4) == b"d[{1" and reader.read() == b"}, {2}]}"
    assert bulk._Prefixed(b"ab", io.BytesIO(b"cd")).read() == b"abcd"
    assert bulk._Prefixed(b"", io.BytesIO(b"cd")).read(1) == b"c"


# --- end to end, in a fresh interpreter (forking workers there is safe) ---------------------

RUN = """
import json, sys
from contextlib import closing
from tradewatch.schemas import Month
from tradewatch.sources.comtrade import load_comtrade_file
from tradewatch.warehouse import connect
path, workers = sys.argv[1], int(sys.argv[2])
months = [Month(2016, m) for m in range(1, 13)]
db = f"{path}.{workers}.duckdb"
out = {}
try:
    load_comtrade_file(path, warehouse=db, months=months, batch_bytes=1500, workers=workers)
except Exception as exc:
    out["error"] = f"{type(exc).__name__}: {exc}"
with closing(connect(db, read_only=True)) as con:
    for name, query in {
        "vintages": "select reporter_code, partner_code, hs_code, flow, period, vintage,"
                    " net_weight_kg, quantity, value_usd, row_index from trade_vintages",
        "quarantine": "select row_index, check_name, column_name, reason from ops.quarantine",
        "ledger": "select period, status, rows_fetched, rows_valid, rows_new,"
                  " rows_quarantined from ops.runs",
        "kept": "select sha256, size_bytes from raw.http_bodies",
    }.items():
        out[name] = sorted(map(str, con.execute(query).fetchall()))
print(json.dumps(out))
"""


def loaded(path, workers: int) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(RUN), str(path), str(workers)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_workers_load_what_one_process_loads_a_cut_inside_a_text_included(tmp_path):
    rows = records()
    rows[9]["cmdDesc"] = "x" * 1400 + "}, {" + "y" * 300  # the plan cuts here: read on in one
    rows.append(dict(rows[0]))  # the same key again, in another range
    body = comtrade_body(rows)
    path = written(tmp_path, body)
    ranges = bulk.plan(path, batch_bytes=1500).ranges
    assert len(ranges) > 3 and body.index(b"}, {y") + 1 in [end for _, end in ranges]
    parallel, alone = loaded(path, workers=2), loaded(path, workers=1)
    assert "error" not in parallel
    assert parallel == alone
    assert len(parallel["vintages"]) > 0 and len(parallel["kept"]) == 1


def test_workers_name_the_error_the_answer_states(tmp_path):
    body = comtrade_body(records()).replace(b'"error": ""', b'"error": "quota exceeded"')
    path = written(tmp_path, body)
    got = loaded(path, workers=2)
    assert got["error"] == f"ComtradeAPIError: {path.as_uri()}: Comtrade error: quota exceeded"
    assert len(got["kept"]) == 1 and got["vintages"] == []  # the bytes kept, no row loaded


def test_one_worker_reads_in_this_process_and_none_is_refused(tmp_path, monkeypatch):
    from tradewatch.sources.comtrade import load_comtrade_file

    def forked(*args):
        raise AssertionError("no worker was asked for")

    monkeypatch.setattr(bulk, "ParallelBatches", forked)
    path = written(tmp_path, comtrade_body(records()))
    loads = load_comtrade_file(
        path, warehouse=str(tmp_path / "w.duckdb"), batch_bytes=1500, workers=1
    )
    assert sum(load.rows_new for load in loads) == len(records()) - 2
    with pytest.raises(ValueError, match="workers: 0"):
        load_comtrade_file(path, warehouse=str(tmp_path / "w.duckdb"), workers=0)
