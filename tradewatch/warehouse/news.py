"""Write news articles, their claims, discoveries and refused pages."""

from __future__ import annotations

import datetime as dt
import hashlib
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from .db import (
    Warehouse,
    WarehouseError,
    migration_text,
    resolve_path,
    run_sql,
    transaction,
    view_text,
)


@dataclass(frozen=True)
class ArticleLoad:
    """What loading one article did."""

    article_id: str
    version: int
    new_version: bool
    claims: int


def article_id(canonical_url: str) -> str:
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:16]


def load_article(
    con: duckdb.DuckDBPyConnection,
    article: pd.DataFrame,
    claims: pd.DataFrame,
    *,
    exchange_id: str | None,
    run_id: str,
) -> ArticleLoad:
    """One validated article and its claims in one transaction.

    The same text again adds nothing; a changed text becomes the next version, with its claims.
    """
    row = article.iloc[0]
    key = article_id(row["canonical_url"])
    # Registered outside the transaction: unregistering inside an aborted one would fail and
    # hide the error that aborted it.
    con.register("incoming_article", article)
    con.register("incoming_claims", claims)
    try:
        with transaction(con):
            latest = run_sql(con, "news_latest_version", {"article_id": key}).fetchall()
            if latest and latest[0][1] == row["text_sha256"]:
                return ArticleLoad(key, latest[0][0], False, 0)
            version = latest[0][0] + 1 if latest else 1
            params = {"article_id": key, "version": version, "exchange_id": exchange_id}
            run_sql(con, "insert_news_article", {**params, "run_id": run_id})
            if len(claims):
                run_sql(con, "insert_news_claims", params)
    finally:
        con.unregister("incoming_article")
        con.unregister("incoming_claims")
    return ArticleLoad(key, version, True, len(claims))


def record_discoveries(
    con: duckdb.DuckDBPyConnection, discoveries: pd.DataFrame, run_id: str
) -> None:
    """What discovery found and what became of each link (article and version, or none)."""
    if discoveries.empty:
        return
    con.register("incoming_discoveries", discoveries)
    try:
        with transaction(con):
            run_sql(con, "insert_news_discoveries", {"run_id": run_id})
    finally:
        con.unregister("incoming_discoveries")


def record_reject(
    con: duckdb.DuckDBPyConnection,
    *,
    run_id: str,
    month: dt.date | None,
    url: str,
    reason: str,
    exchange_id: str | None,
) -> None:
    """A page or answer that was refused, and why; nothing of it is loaded."""
    with transaction(con):
        run_sql(
            con,
            "insert_news_reject",
            {
                "run_id": run_id,
                "month": month,
                "url": url,
                "reason": reason,
                "exchange_id": exchange_id,
            },
        )


# The migrations that make the news tables, in order: enough for one article's checks.
NEWS_MIGRATIONS = ("005_news.sql", "008_claim_readings.sql", "012_claim_series.sql")
# What the checks read from the warehouse, as views of the attached file.
CUSTOMS_VIEWS = ("trade_values_usd", "fx_monthly", "ref.countries")


def check_against(
    warehouse: Warehouse | None, article: pd.DataFrame, claims: pd.DataFrame
) -> list[dict] | None:
    """``claim_checks`` rows for one article not in the warehouse, against its customs data.

    The warehouse is attached read-only to an in-memory database holding only this article, so
    the checks are the ``claim_checks`` view itself and nothing is written. None when there is
    no warehouse.
    """
    target = resolve_path(warehouse)
    if not target.exists():
        return None
    with closing(duckdb.connect()) as con:
        try:
            con.execute(f"attach '{_quoted(target)}' as customs (read_only)")
        except duckdb.Error as exc:
            raise WarehouseError(f"cannot read {target}: {exc}") from exc
        con.execute("create schema ref")
        for name in CUSTOMS_VIEWS:
            con.execute(f"create view {name} as select * from customs.{name}")
        for name in NEWS_MIGRATIONS:
            con.execute(migration_text(name))
        for name in ("07_news_articles.sql", "12_claim_checks.sql"):
            con.execute(view_text(name))
        load_article(con, article, claims, exchange_id=None, run_id="news extract")
        result = con.execute("select * from claim_checks order by claim_no")
        columns = [d[0] for d in result.description]
        return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def news_loaded_months(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date
) -> set[dt.date]:
    """The months from ``start`` to ``end`` whose news reports a run has already loaded."""
    rows = run_sql(con, "news_loaded_months", {"start": start, "end": end}).fetchall()
    return {row[0] for row in rows}
