"""Read-only queries for users: one statement or several, nothing that writes."""

from __future__ import annotations

import os

import duckdb
import pandas as pd

from .db import connect

# Statement types a reader may run; everything else (insert, copy, attach, set, ...) is refused.
ALLOWED = {"SELECT", "EXPLAIN"}


class QueryError(ValueError):
    """The query could not run; the message is DuckDB's first line."""


class QueryRefused(QueryError):
    """The SQL would write or change state; ``tradewatch query`` only reads."""


def run_query(sql_text: str, path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Run read-only SQL against the warehouse and return the last statement's result."""
    con = connect(path, read_only=True)
    try:
        statements = con.extract_statements(sql_text)
        if not statements:
            raise QueryRefused("no SQL statement given")
        for statement in statements:
            kind = statement.type.name
            if kind not in ALLOWED:
                raise QueryRefused(
                    f"refused: `tradewatch query` only reads, and this is a {kind} statement"
                )
        result = None
        for statement in statements:
            result = con.execute(statement.query)
        return result.df()
    except duckdb.Error as exc:
        raise QueryError(str(exc).splitlines()[0]) from exc
    finally:
        con.close()
