"""Out of memory and out of disk name themselves, the limit met and the setting that moves it.

The disk test puts the warehouse on a 1 MB tmpfs (needs root and ``mount``; skipped, with the
reason, where the machine does not allow it), loads a 6 MB payload, and then checks that the
warehouse opens and holds what it held before.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import closing

import pytest

from tradewatch.errors import MEMORY_ENV, describe_failure
from tradewatch.warehouse import connect


def _tradewatch(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tradewatch.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


def test_a_query_out_of_memory_names_the_limit_and_the_setting(tmp_path):
    warehouse = str(tmp_path / "w.duckdb")
    connect(warehouse).close()
    done = _tradewatch(
        "query",
        "select string_agg(x::varchar, ',') from range(10000000) t(x)",
        "--warehouse",
        warehouse,
        env={MEMORY_ENV: "20MB"},
    )
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("tradewatch query: out of memory: DuckDB reached its memory limit of")
    assert f"{MEMORY_ENV} is 20MB" in line and f"set {MEMORY_ENV} higher" in line


def test_a_malformed_memory_setting_is_a_configuration_error(tmp_path):
    warehouse = str(tmp_path / "w.duckdb")
    connect(warehouse).close()
    done = _tradewatch("query", "select 1", "--warehouse", warehouse, env={MEMORY_ENV: "lots"})
    assert done.returncode == 2
    assert f"{MEMORY_ENV}='lots' is not a size" in done.stderr


def test_python_running_out_of_memory_is_said_in_words():
    assert describe_failure(MemoryError()).startswith("out of memory in Python")
    assert describe_failure(RuntimeError("")) == "RuntimeError"  # never an empty reason


@pytest.fixture
def tiny_disk(tmp_path):
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a 1 MB tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_named_rolls_back_and_leaves_the_warehouse_readable(tmp_path, tiny_disk):
    warehouse = str(tiny_disk / "w.duckdb")
    connect(warehouse).close()
    record = {
        "reporterCode": 156, "partnerCode": 408, "cmdCode": "2701", "flowCode": "M",
        "freqCode": "M", "refPeriodId": 20160901, "netWgt": 1.0, "primaryValue": 1.0,
    }  # fmt: skip
    records = [
        {**record, "partnerCode": p, "cmdCode": f"{h:04d}", "refPeriodId": 20000101 + 100 * m}
        for p in range(40)
        for h in range(1000, 1030)
        for m in range(12)
    ]
    payload = tmp_path / "big.json"
    payload.write_text(json.dumps({"data": records, "error": ""}))
    done = _tradewatch("load-file", str(payload), "--warehouse", warehouse, env={})
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("tradewatch load-file: disk full: the step in progress was rolled back")
    assert f"{tiny_disk} has" in line and "TRADEWATCH_WAREHOUSE" in line
    assert "Traceback" not in done.stderr
    with closing(connect(warehouse, read_only=True)) as con:
        assert con.execute("select count(*) from trade_vintages").fetchall() == [(0,)]
