"""Read-only queries for users: queries only, on a connection that cannot reach the outside."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import duckdb

from .db import connect, resolve_path


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


FORMATS = {".parquet": "parquet", ".csv": "csv"}


def _copy_options(fmt: str) -> str:
    return "(format parquet, compression zstd)" if fmt == "parquet" else "(format csv, header)"


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def query_to_file(
    sql_text: str,
    out: str | os.PathLike,
    path: str | os.PathLike | None = None,
    *,
    allow_files: Sequence[str | os.PathLike] = (),
) -> int:
    """Write one query's answer to ``out`` (``.parquet`` or ``.csv``, by its suffix); its rows.

    The same sandbox as ``run_query``: the connection may write this one file and nothing else,
    and the SQL is still one query (DuckDB's parser says so) that tradewatch wraps in ``COPY``.
    """
    target = Path(out).resolve()
    fmt = FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise QueryError(f"--out {out}: name a .parquet or .csv file")
    statements = check_read_only(sql_text)
    if len(statements) != 1 or statements[0].lstrip().lower().startswith("explain"):
        raise QueryError("--out writes one query's answer: give a single SELECT")
    target.parent.mkdir(parents=True, exist_ok=True)
    con = connect(path, read_only=True, allow_files=allow_files, allow_paths=[target])
    try:
        query = statements[0].strip().rstrip(";")
        (rows,) = con.execute(
            f"copy ({query}\n) to {_quoted(target)} {_copy_options(fmt)}"
        ).fetchall()[0]
        return int(rows)
    except duckdb.Error as exc:
        raise QueryError(str(exc).splitlines()[0]) from exc
    finally:
        con.close()


def export_relations(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every table and view a person reads: all but the scratch schema, the stored bodies and
    the bookkeeping of migrations (``schema.name``, ``main`` without its prefix)."""
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables"
        " where table_catalog = current_database()"
        " and table_schema not in ('scratch', 'information_schema', 'pg_catalog')"
        " and (table_schema, table_name) not in"
        " (('raw', 'http_bodies'), ('ops', 'schema_state'), ('ops', 'schema_migrations'))"
        " order by table_schema != 'main', table_schema, table_name"
    ).fetchall()
    return [name if schema == "main" else f"{schema}.{name}" for schema, name in rows]


def export_warehouse(
    to: str | os.PathLike,
    path: str | os.PathLike | None = None,
    *,
    fmt: str = "parquet",
    tables: Sequence[str] | None = None,
) -> dict[str, int]:
    """A consistent snapshot of the warehouse's relations as files in ``to``: rows per relation.

    One read-only transaction for all of them, so the files agree with each other even while a
    run writes between two of them; ``manifest.json`` says what was exported, when and from where.
    """
    import datetime as dt
    import json

    if fmt not in FORMATS.values():
        raise QueryError(f"export format is parquet or csv, not {fmt!r}")
    folder = Path(to).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    con = connect(path, read_only=True, allow_files=[folder])
    counts: dict[str, int] = {}
    try:
        known = export_relations(con)
        chosen = list(tables) if tables else known
        unknown = [name for name in chosen if name not in known]
        if unknown:
            raise QueryError(
                f"no relation {', '.join(unknown)} to export (known: {', '.join(known)})"
            )
        con.execute("begin transaction")
        for name in chosen:
            target = folder / f"{name}.{fmt}"
            relation = ".".join(f'"{part}"' for part in name.split("."))
            (rows,) = con.execute(
                f"copy (select * from {relation}) to {_quoted(target)} {_copy_options(fmt)}"
            ).fetchall()[0]
            counts[name] = int(rows)
        con.execute("commit")
    except duckdb.Error as exc:
        raise QueryError(str(exc).splitlines()[0]) from exc
    finally:
        con.close()
    manifest = {
        "warehouse": str(resolve_path(path)),
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "format": fmt,
        "relations": counts,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return counts
