"""Large bodies are kept as zstd files beside the warehouse, and read back byte for byte."""

from __future__ import annotations

import datetime as dt
from contextlib import closing

import pytest
import zstandard

from tradewatch.pipelines.http import Exchange
from tradewatch.warehouse import bodies, connect, record_exchanges
from tradewatch.warehouse.bodies import read_body
from tradewatch.warehouse.db import WarehouseError


def exchange(body: bytes) -> Exchange:
    return Exchange(
        "comtrade", "GET", "https://x/", 200, {}, {}, body, dt.datetime.now(dt.UTC), 1.0, 1
    )


@pytest.fixture
def small_inline(monkeypatch):
    monkeypatch.setattr(bodies, "INLINE_MAX", 64)


def test_a_large_body_goes_to_a_file_and_comes_back(warehouse_path, small_inline):
    large, small = b'{"data": [' + b'{"netWgt": 1.5},' * 500 + b"]}", b'{"data": []}'
    with closing(connect(warehouse_path)) as con:
        record_exchanges(con, [exchange(large), exchange(small)], "run")
        rows = con.execute(
            "select size_bytes, body is null, stored_as from raw.http_bodies order by size_bytes"
        ).fetchall()
        (sha_large,) = con.execute(
            "select sha256 from raw.http_bodies where stored_as is not null"
        ).fetchall()[0]
        assert read_body(con, sha_large) == large
        (sha_small,) = con.execute(
            "select sha256 from raw.http_bodies where stored_as is null"
        ).fetchall()[0]
        assert read_body(con, sha_small) == small
    assert rows[0] == (len(small), False, None)
    assert rows[1][:2] == (len(large), True)
    stored = f"{warehouse_path}.bodies/{rows[1][2]}"
    assert stored.endswith(f"{sha_large}.zst")
    with open(stored, "rb") as handle:
        assert len(handle.read()) < len(large) / 5  # compressed


def test_the_same_large_body_twice_is_one_file_and_one_row(warehouse_path, small_inline):
    large = b"[" + b'"coal",' * 200 + b'"end"]'
    with closing(connect(warehouse_path)) as con:
        record_exchanges(con, [exchange(large)], "run-1")
        record_exchanges(con, [exchange(large)], "run-2")
        assert con.execute("select count(*) from raw.http_bodies").fetchall() == [(1,)]
        assert con.execute("select count(*) from raw.http_responses").fetchall() == [(2,)]


def test_a_damaged_body_file_is_a_clear_error(warehouse_path, small_inline):
    large = b"[" + b'"coal",' * 200 + b'"end"]'
    with closing(connect(warehouse_path)) as con:
        record_exchanges(con, [exchange(large)], "run")
        sha, stored_as = con.execute("select sha256, stored_as from raw.http_bodies").fetchall()[0]
        path = f"{warehouse_path}.bodies/{stored_as}"
        with open(path, "wb") as handle:
            handle.write(zstandard.ZstdCompressor().compress(b"something else"))
        with pytest.raises(WarehouseError, match="does not hold the bytes"):
            read_body(con, sha)
