"""Write China's customs releases: the release and every figure as published, and the month's
rows as vintages, in one transaction with the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from ..schemas import ValidationResult
from .db import run_sql
from .load import Document, Loading, MonthLoad, MonthsAs, load_payload


@dataclass(frozen=True)
class ReleasePage:
    """A parsed release page: the release it is, its figures as published, where it was read."""

    release: Any
    figures: pd.DataFrame
    url: str
    publication: str


def load_release(
    con: duckdb.DuckDBPyConnection,
    loading: Loading,
    page: ReleasePage,
    checked: ValidationResult,
    combined_keys: list[str] | None = None,
) -> list[MonthLoad]:
    """``gacc_releases`` and ``gacc_figures`` rows beside the month's vintages and ledger rows.

    The page is a published document: its values add vintages only where it has not given them
    before. A January-February release (``combined_keys``) records both months ``combined``.
    """
    release = page.release

    def release_tables(con: duckdb.DuckDBPyConnection, params: dict) -> None:
        con.register("incoming_figures", page.figures)
        try:
            run_sql(
                con,
                "insert_gacc_release",
                {
                    **params,
                    "publication": page.publication,
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
        loading,
        checked,
        document=Document(page.url, release.release_date),
        writes=release_tables,
        months_as=months_as,
    )
