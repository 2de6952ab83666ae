"""A payload on disk read by several processes: the same rows, row numbers and errors as the
streamed reader in one process, on payloads written here from the recorded 2016 records.

The worker processes are forked: in a process running other threads (a test session with
Prefect's harness) that is not safe, so the end-to-end runs here are in a fresh interpreter.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

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


def test_a_range_is_decoded_from_the_mapped_file_which_stays_as_it_was(tmp_path):
    body = comtrade_body(records())
    path = written(tmp_path, body)
    plan = bulk.plan(path, batch_bytes=2000)
    for start, end in plan.ranges:
        mapped = bulk._decode_mapped(str(path), start, end)
        assert mapped is not None
        assert mapped == bulk._decode_read(str(path), start, end)  # the copying route
    assert path.read_bytes() == body  # the brackets were written to private pages only
    start, end = plan.ranges[-1]
    path.write_bytes(body[:end])  # shorter than planned: nothing is read past its end
    assert bulk._decode_mapped(str(path), start, end) is None
    assert bulk._decode_read(str(path), start, end + 5) is None


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
from pathlib import Path
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
# the workers' Parquet files are gone once the load has ended, loaded or not
out["staging_left"] = [str(p) for p in Path(f"{db}.staging").glob("*/*")]
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
    assert parallel == alone and parallel["staging_left"] == []
    assert len(parallel["vintages"]) > 0 and len(parallel["kept"]) == 1


def test_workers_name_the_error_the_answer_states(tmp_path):
    body = comtrade_body(records()).replace(b'"error": ""', b'"error": "quota exceeded"')
    path = written(tmp_path, body)
    got = loaded(path, workers=2)
    assert got["error"] == f"ComtradeAPIError: {path.as_uri()}: Comtrade error: quota exceeded"
    assert len(got["kept"]) == 1 and got["vintages"] == []  # the bytes kept, no row loaded
    assert got["staging_left"] == []


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


def test_ranges_staged_as_parquet_load_what_ranges_staged_in_the_warehouse(tmp_path):
    """Workers write their checked rows to Parquet (``stage_parquet``): loaded with batches
    staged in the warehouse around them, the same vintages and quarantine, a key repeated
    across a file and a batch quarantined both times."""
    from functools import partial

    from tradewatch.warehouse import comtrade as warehouse_comtrade
    from tradewatch.warehouse.db import Warehouse
    from tradewatch.warehouse.load import StagedFile, stage_parquet

    rows = records()
    rows.append(dict(rows[0]))  # the first range's key again, in the last range
    path = written(tmp_path, comtrade_body(rows))
    plan = bulk.plan(path, batch_bytes=1500)
    folder = tmp_path / "staged"
    folder.mkdir()

    def load(db: str, staged: bool) -> dict:
        results, offset = [], 0
        for number, (start, end) in enumerate(plan.ranges):
            stage = partial(stage_parquet, folder, number) if staged and number % 2 == 0 else None
            count, checked = bulk.read_range(str(path), start, end, check_trade_rows, stage)
            results.append(bulk.shifted(checked, offset))
            offset += count
        assert any(isinstance(r, StagedFile) for r in results) == staged
        with Warehouse(db).writer() as con:
            loads = warehouse_comtrade.load_file(
                con, path, lambda _reader: results, months=None, series_keys=(), run_id="r"
            )
            got = {
                name: sorted(con.execute(query).fetchall())
                for name, query in {
                    "vintages": "select * exclude (fetched_at, exchange_id, run_id)"
                    " from trade_vintages",
                    "quarantine": "select row_index, column_name, check_name, reason, original"
                    " from ops.quarantine",
                }.items()
            }
        got["ledger"] = sorted(
            (m.period, m.rows_valid, m.rows_new, m.rows_quarantined) for m in loads
        )
        return got

    staged, in_warehouse = (
        load(str(tmp_path / "a.duckdb"), True),
        load(str(tmp_path / "b.duckdb"), False),
    )
    assert staged == in_warehouse
    repeated = {r[0] for r in staged["quarantine"] if r[2] == "multiple_fields_uniqueness"}
    assert repeated == {0, len(rows) - 1}
    assert len(plan.ranges) > 3 and len(staged["vintages"]) == len(rows) - 4


def test_a_load_s_staging_folder_goes_with_it_and_a_pattern_in_its_path_means_none(tmp_path):
    from tradewatch.warehouse.db import Warehouse
    from tradewatch.warehouse.load import staging_folder

    warehouse = Warehouse(str(tmp_path / "w.duckdb"))
    with staging_folder(warehouse) as folder:
        (folder / "rows-000000.parquet").write_bytes(b"rows")
        assert folder.parent == tmp_path / "w.duckdb.staging"
    assert not folder.exists()
    with pytest.raises(RuntimeError, match="mid-load"), staging_folder(warehouse) as folder:
        (folder / "rows-000000.parquet").write_bytes(b"rows")
        raise RuntimeError("mid-load")
    assert not folder.exists()
    # DuckDB would read "[1]" in a file's path as a pattern: such a load stages in the warehouse
    with staging_folder(Warehouse(str(tmp_path / "runs[1]" / "w.duckdb"))) as folder:
        assert folder is None


def test_a_load_removes_the_staging_folders_of_loads_killed_outright_and_no_others(tmp_path):
    """On a lake no run lock says which loads still run: each load locks its folder's owner
    file, and the next load removes the folders whose lock nobody holds."""
    from tradewatch.warehouse.db import Warehouse, try_lock
    from tradewatch.warehouse.load import (
        STAGING_OWNER,
        UNOWNED_STAGING_SECONDS,
        remove_abandoned_staging,
        staging_folder,
    )

    parent = tmp_path / "w.duckdb.staging"
    running, killed, starting, ancient = (parent / f"load-{n}" for n in range(4))
    for folder in (running, killed, starting, ancient):
        folder.mkdir(parents=True)
        (folder / "rows-000000.parquet").write_bytes(b"rows")
    for folder in (running, killed):
        (folder / STAGING_OWNER).write_text("")
    old = time.time() - UNOWNED_STAGING_SECONDS - 60
    os.utime(ancient, (old, old))
    (parent / "load-not-a-folder").write_text("")
    with open(running / STAGING_OWNER, "r+") as held:  # a load still running holds its lock
        assert try_lock(held)
        assert remove_abandoned_staging(parent) == [killed, ancient]
        with staging_folder(Warehouse(str(tmp_path / "w.duckdb"))) as folder:
            assert remove_abandoned_staging(parent) == []  # this load's own folder is held
            assert sorted(p.name for p in parent.iterdir()) == sorted(
                [running.name, starting.name, folder.name, "load-not-a-folder"]
            )
    assert remove_abandoned_staging(parent) == [running]


KILLED = """
import sys, time
from tradewatch.sources.comtrade import load_comtrade_file, parts

def slow(frame):  # the forked workers inherit it: each range takes a while
    time.sleep(0.5)
    return check(frame)

check, parts.check_trade_rows = parts.check_trade_rows, slow
load_comtrade_file(sys.argv[1], warehouse=sys.argv[2], batch_bytes=1500, workers=2)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; Linux's signal")
def test_workers_end_with_a_command_killed_alone(tmp_path):
    """kill -9 of the command only: its workers share its open files (a command's run lock
    among them), so they must not outlive it, waiting for work."""
    from tradewatch.warehouse.db import _children

    path = written(tmp_path, comtrade_body(records()))
    db = str(tmp_path / "w.duckdb")
    command = subprocess.Popen([sys.executable, "-c", textwrap.dedent(KILLED), str(path), db])
    try:
        staging, workers = Path(f"{db}.staging"), []
        for _ in range(300):
            workers = _children(command.pid)
            if len(workers) == 2 and list(staging.glob("*/*.parquet")):
                break
            time.sleep(0.05)
        assert len(workers) == 2, "the workers never started"
        os.kill(command.pid, signal.SIGKILL)
        command.wait(timeout=10)
        for _ in range(100):
            if not any(Path(f"/proc/{pid}").exists() for pid in workers):
                break
            time.sleep(0.05)
        alive = [pid for pid in workers if Path(f"/proc/{pid}").exists()]
        zombies = [p for p in alive if Path(f"/proc/{p}/stat").read_text().split()[2] == "Z"]
        assert alive == zombies, f"workers {alive} outlived the command"
        # its staging folder is left; its lock went with it, so the next load removes it
        from tradewatch.warehouse.load import remove_abandoned_staging

        left = [p for p in staging.iterdir() if p.is_dir()]
        assert len(left) == 1 and remove_abandoned_staging(staging) == left
    finally:
        command.kill()
