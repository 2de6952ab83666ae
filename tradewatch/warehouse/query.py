"""Read-only queries for users: one statement or several, nothing that writes."""

from __future__ import annotations

import os

import duckdb

from .db import connect

# Statement types a reader may run; everything else (insert, copy, attach, set, ...) is refused.
ALLOWED = {"SELECT", "EXPLAIN"}


class QueryError(ValueError):
    """The query could not run; the message is DuckDB's first line."""


class QueryRefused(QueryError):
    """The SQL would write or change state; ``tradewatch query`` only reads."""


def run_query(
    sql_text: str, path: str | os.PathLike | None = None
) -> tuple[list[str], list[tuple]]:
    """Run read-only SQL against the warehouse; the last statement's column names and rows."""
    con = connect(path, read_only=True)
    try:
        statements = con.extract_statements(sql_text)
        if not statements:
            raise QueryRefused("no SQL statement given")
        for statement in statements:
            kind = statement.type.name
            if kind not in ALLOWED:
                raise QueryRefused(
                    f"refused: `tradewatch query` only reads; this statement is {kind}"
                )
        for statement in statements:
            result = con.execute(statement.query)
        return [d[0] for d in result.description], result.fetchall()
    except duckdb.Error as exc:
        raise QueryError(str(exc).splitlines()[0]) from exc
    finally:
        con.close()
