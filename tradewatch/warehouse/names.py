"""Names beside codes: commodity descriptions as sources send them, and the watchlist's names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb

from .db import run_sql, transaction


def record_commodity_names(
    con: duckdb.DuckDBPyConnection, source: str, names: Mapping[str, str], exchange_id: str
) -> None:
    """Keep each (code, text) a source sent once, with when it was first and last seen
    (inside the caller's transaction: the load that brought them)."""
    if names:
        codes = sorted(names)
        run_sql(
            con,
            "record_commodity_names",
            {
                "source": source,
                "codes": codes,
                "texts": [names[c] for c in codes],
                "exchange_id": exchange_id,
            },
        )


def sync_watched_series(con: duckdb.DuckDBPyConnection, series: Sequence[tuple]) -> None:
    """Replace ``ops.watched_series`` with the watchlist's (name, reporter, partner, hs, flow,
    and whether it asks for its mirror: False where left out)."""
    rows = [(*s[:5], bool(s[5]) if len(s) > 5 else False) for s in series]
    with transaction(con):
        con.execute("delete from ops.watched_series")
        if rows:
            con.executemany(
                "insert into ops.watched_series (name, reporter_code, partner_code, hs_code,"
                " flow, updated_at, mirror) values (?, ?, ?, ?, ?, now(), ?)",
                rows,
            )
