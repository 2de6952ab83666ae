"""Read-only queries for users: queries only, on a connection that cannot reach the outside."""

from __future__ import annotations

import os
from collections.abc import Sequence

import duckdb

from .db import connect


class QueryError(ValueError):
    """The query could not run; the message is DuckDB's first line."""


class QueryRefused(QueryError):
    """The SQL would write or change state; ``tradewatch query`` only reads."""


def check_read_only(sql_text: str, con: duckdb.DuckDBPyConnection | None = None) -> list[str]:
    """The statements of ``sql_text``, each a query; raise ``QueryRefused`` for anything else.

    DuckDB's own parser says what each statement is (``con``'s, else the module's default
    connection, which costs 40 ms to create). ``EXPLAIN`` (with ``ANALYZE``, which runs it) is
    accepted only when what it explains is itself a query.
    """
    parser = con or duckdb
    try:
        statements = parser.extract_statements(sql_text)
    except duckdb.Error as exc:
        raise QueryError(str(exc).splitlines()[0]) from exc
    if not statements:
        raise QueryRefused("no SQL statement given")
    for statement in statements:
        kind = statement.type.name
        if kind == "EXPLAIN":
            kind = _explained_kind(statement.query, parser)
        if kind != "SELECT":
            raise QueryRefused(f"refused: `tradewatch query` only reads; this statement is {kind}")
    return [statement.query for statement in statements]


def _explained_kind(text: str, parser) -> str:
    """The type of the statement an ``EXPLAIN [ANALYZE] [(options)]`` statement explains."""
    tokens = duckdb.tokenize(text)
    depth, start = 0, None
    for index, (position, kind) in enumerate(tokens):
        word = text[position : tokens[index + 1][0] if index + 1 < len(tokens) else None].strip()
        if index == 0 or kind == duckdb.token_type.comment:
            continue  # the EXPLAIN keyword itself; comments between the keywords
        if word == "(":
            depth += 1
        elif word == ")" and depth:
            depth -= 1
        elif not depth and word.lower() not in ("analyze", "analyse"):
            start = position
            break
    if start is None:
        return "EXPLAIN of nothing"
    try:
        inner = parser.extract_statements(text[start:])
    except duckdb.Error:
        return "EXPLAIN of a statement that does not parse alone"
    if len(inner) != 1:
        return "EXPLAIN of several statements"
    kind = inner[0].type.name
    return _explained_kind(inner[0].query, parser) if kind == "EXPLAIN" else kind


def run_query(
    sql_text: str,
    path: str | os.PathLike | None = None,
    *,
    allow_files: Sequence[str | os.PathLike] = (),
) -> tuple[list[str], list[tuple]]:
    """Run queries on a sandboxed read-only connection; the last one's column names and rows.

    Files can be read from SQL only inside the folders of ``allow_files``.
    """
    con = connect(path, read_only=True, allow_files=allow_files)
    try:
        for statement in check_read_only(sql_text, con):
            result = con.execute(statement)
        return [d[0] for d in result.description], result.fetchall()
    except duckdb.Error as exc:
        raise QueryError(str(exc).splitlines()[0]) from exc
    finally:
        con.close()
