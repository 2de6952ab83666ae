"""A lake whose data path is object storage: ``s3://`` on moto's S3 server, started on 127.0.0.1.

The catalog is in the test's PostgreSQL, the Parquet files in the bucket; the answers are those
of a DuckDB file, and every fetched body is kept (inside the lake, as there is no local folder
every machine shares)."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import _free_port
from .test_lake import SEPTEMBER_2016, _answers, _load, _tradewatch

BUCKET = "tradewatch-test"


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory):
    """moto's S3 server (a real HTTP API on 127.0.0.1) with one bucket: its URL."""
    port = _free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    server = str(Path(sys.executable).parent / "moto_server")
    with log.open("w") as out:
        process = subprocess.Popen([server, "-H", "127.0.0.1", "-p", str(port)], stdout=out,
                                   stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(urllib.request.Request(f"{url}/{BUCKET}", method="PUT"))
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"moto's S3 server did not start: {log.read_text()}")
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_lake_on_s3_answers_as_a_file_and_keeps_every_body(
    lake_address, s3_endpoint, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRADEWATCH_DATA_PATH", f"s3://{BUCKET}/{tmp_path.name}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    file = str(tmp_path / "w.duckdb")
    for warehouse in (file, lake_address):
        _load(warehouse, ("backfill", "2016-01", "2016-12", "--offline"), SEPTEMBER_2016)
    on_file, on_lake = _answers(file), _answers(lake_address)
    for name in ("trade_vintages", "trade_monthly", "alerts", "claim_checks"):
        assert on_lake[name] == on_file[name], name

    # the Parquet files are in the bucket, and a query allowed there may list them, not the disk
    listed = _tradewatch(
        lake_address, "query",
        f"select count(*) n from glob('s3://{BUCKET}/{tmp_path.name}/**/*.parquet')",
        "--format", "csv", "--allow-files", f"s3://{BUCKET}/{tmp_path.name}",
    )  # fmt: skip
    assert listed.returncode == 0 and int(listed.stdout.splitlines()[1]) > 5, listed.stderr
    (tmp_path / "secret.csv").write_text("a\n1\n")
    refused = _tradewatch(lake_address, "query", f"select * from '{tmp_path / 'secret.csv'}'")
    assert refused.returncode != 0
    # every body is kept inside the lake: none names a file
    bodies = _tradewatch(
        lake_address, "query",
        "select count(*) filter (where stored_as is null and body is not null) inside,"
        " count(*) n from raw.http_bodies",
        "--format", "csv",
    )  # fmt: skip
    inside, total = map(int, bodies.stdout.splitlines()[1].split(","))
    assert inside == total > 0
    # the briefing goes to the working directory: object storage is not a folder
    assert (tmp_path / "tradewatch.reports" / "report-2016-09.html").exists()


def test_an_s3_data_path_without_credentials_is_one_clear_line(lake_address, monkeypatch):
    monkeypatch.setenv("TRADEWATCH_DATA_PATH", f"s3://{BUCKET}/nowhere")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    done = _tradewatch(lake_address, "status")
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" in done.stderr
