"""Fetched bytes kept beside a held warehouse file, and stored by the next writer."""

import datetime as dt
from contextlib import closing

import pytest

from tradewatch.pipelines.http import Exchange
from tradewatch.warehouse import connect, unsaved


def exchange(body: bytes, status: int | None = 200, error: str | None = None) -> Exchange:
    return Exchange(
        source="comtrade", method="GET", url="https://example.org/x", status=status,
        request_headers={"accept": "application/json"}, response_headers={"a": "b"}, body=body,
        fetched_at=dt.datetime(2026, 12, 5, 7, 0, tzinfo=dt.UTC), elapsed_ms=12.5, attempt=1,
        error=error,
    )  # fmt: skip


def test_kept_exchanges_are_stored_as_fetched_then_removed(warehouse_path, tmp_path):
    folder = tmp_path / "w.unsaved"
    kept = [exchange(b'{"data": []}'), exchange(b"", status=None, error="timed out")]
    unsaved.keep(folder, kept, "run-1")
    unsaved.keep(folder, [exchange(b'{"data": []}')], "run-2")  # the same body, twice named
    with closing(connect(warehouse_path)) as con:
        assert unsaved.store_pending(con, folder) == 3
        rows = con.execute(
            "select run_id, status, error, sha256, fetched_at, elapsed_ms, request_headers"
            " from raw.http_responses order by run_id, status nulls last"
        ).fetchall()
        bodies = con.execute("select body from raw.http_bodies").fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("run-1", 200, None), ("run-1", None, "timed out"), ("run-2", 200, None)
    ]  # fmt: skip
    assert rows[0][4] == dt.datetime(2026, 12, 5, 7, 0, tzinfo=dt.UTC)
    assert bodies == [(b'{"data": []}',)]
    assert not folder.exists()


def test_a_body_that_is_not_what_its_list_names_is_refused(tmp_path):
    folder = tmp_path / "w.unsaved"
    listed = unsaved.keep(folder, [exchange(b"the bytes as fetched")], "run-1")
    (packed,) = folder.glob("*/*.zst")
    packed.write_bytes(unsaved.pack(b"other bytes"))
    with pytest.raises(ValueError, match="does not hold the bytes"):
        unsaved.read(listed)
