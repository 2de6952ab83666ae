"""Write China's customs releases: the release and every figure as published, and the month's
rows as vintages, in one transaction with the ledger."""

from __future__ import annotations

import duckdb
import pandas as pd

from ..schemas import ValidationResult
from .db import run_sql
from .load import Document, MonthLoad, MonthsAs, load_payload


def load_release(
    con: duckdb.DuckDBPyConnection,
    *,
    release,
    figures: pd.DataFrame,
    checked: ValidationResult,
    page_url: str,
    exchange_id: str,
    publication: str,
    months: list,
    series_keys: list[str],
    combined_keys: list[str] | None,
    run_id: str,
    flow_run_id: str | None,
) -> list[MonthLoad]:
    """``gacc_releases`` and ``gacc_figures`` rows beside the month's vintages and ledger rows.

    The page is a published document: its values add vintages only where it has not given them
    before. A January-February release (``combined_keys``) records both months ``combined``.
    """

    def release_tables(con: duckdb.DuckDBPyConnection, params: dict) -> None:
        con.register("incoming_figures", figures)
        try:
            run_sql(
                con,
                "insert_gacc_release",
                {
                    **params,
                    "publication": publication,
                    "table_kind": release.table,
                    "title": release.title,
                    "year": release.year,
                    "month": release.month,
                    "combined": release.combined,
                    "currency": release.currency,
                    "unit": release.unit,
                },
            )
            run_sql(con, "insert_gacc_figures", params)
        finally:
            con.unregister("incoming_figures")

    months_as = None
    if combined_keys is not None:
        months_as = MonthsAs(
            "combined", combined_keys, "January and February published together: cumulative only"
        )
    return load_payload(
        con,
        source="gacc",
        run_id=run_id,
        flow_run_id=flow_run_id,
        exchange_id=exchange_id,
        months=[m.first_day for m in months],
        series_keys=series_keys,
        checked=checked,
        document=Document(page_url, release.release_date),
        writes=release_tables,
        months_as=months_as,
    )
