"""Read-only queries for users: queries only, on a connection that cannot reach the outside."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from contextlib import closing
from functools import cache
from pathlib import Path

import duckdb

from . import lake
from .db import NO_AUTOLOAD, address, connect, resolve_path


class QueryError(ValueError):
    """The query could not run; the message is DuckDB's first line."""


class QueryRefused(QueryError):
    """The SQL would write or change state; ``tradewatch query`` only reads."""


def check_read_only(
    sql_text: str,
    con: duckdb.DuckDBPyConnection | None = None,
    *,
    allow_files: bool = False,
) -> list[str]:
    """The one statement of ``sql_text``, a query; raise ``QueryRefused`` for anything else.

    DuckDB's own parser says what the statement is (``con``'s, else the module's default
    connection, which costs 40 ms to create). ``EXPLAIN`` (with ``ANALYZE``, which runs it) is
    accepted only when what it explains is itself a query. Then the query's parse tree is
    checked against the allow-list (``check_calls``): only the functions DuckDB itself defines
    to compute on values, a few named table functions, and the warehouse's own relations.
    """
    parser = con or duckdb
    try:
        statements = parser.extract_statements(sql_text)
    except duckdb.Error as exc:
        raise QueryError(str(exc).splitlines()[0]) from exc
    if not statements:
        raise QueryRefused("no SQL statement given")
    if len(statements) > 1:
        raise QueryRefused(
            f"refused: one statement at a time, this string holds {len(statements)} "
            "(run them as separate commands)"
        )
    (statement,) = statements
    kind, query = statement.type.name, statement.query
    if kind == "EXPLAIN":
        kind, query = _explained(statement.query, parser)
    if kind != "SELECT":
        raise QueryRefused(f"refused: `tradewatch query` only reads; this statement is {kind}")
    check_calls(query, con, allow_files=allow_files)
    return [statement.query]


def _explained(text: str, parser) -> tuple[str, str]:
    """The type and text of the statement an ``EXPLAIN [ANALYZE] [(options)]`` explains."""
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
        return "EXPLAIN of nothing", ""
    try:
        inner = parser.extract_statements(text[start:])
    except duckdb.Error:
        return "EXPLAIN of a statement that does not parse alone", ""
    if len(inner) != 1:
        return "EXPLAIN of several statements", ""
    kind = inner[0].type.name
    return _explained(inner[0].query, parser) if kind == "EXPLAIN" else (kind, inner[0].query)


# The allow-list. Table functions a query may call: numbers and the catalog's own description.
TABLE_FUNCTIONS = frozenset(
    {
        "range", "generate_series", "unnest", "repeat", "repeat_row", "json_each", "json_tree",
        "duckdb_tables", "duckdb_views", "duckdb_columns", "duckdb_schemas", "duckdb_types",
        "duckdb_constraints", "duckdb_functions", "duckdb_keywords", "pragma_table_info",
        "summary", "icu_calendar_names", "pg_timezone_names",
    }
)  # fmt: skip
# ... and, with --allow-files, those that read files (the sandbox keeps them inside the folders)
FILE_FUNCTIONS = frozenset(
    {
        "read_csv", "read_csv_auto", "read_parquet", "parquet_scan", "read_json",
        "read_json_auto", "read_ndjson", "read_ndjson_auto", "read_json_objects",
        "read_json_objects_auto", "read_ndjson_objects", "read_text", "read_blob", "glob",
    }
)  # fmt: skip
# Window functions (the parser knows them; duckdb_functions() does not list them)
WINDOW_FUNCTIONS = frozenset(
    {
        "row_number", "rank", "rank_dense", "dense_rank", "percent_rank", "cume_dist", "ntile",
        "lag", "lead", "first_value", "last_value", "nth_value", "fill",
    }
)  # fmt: skip
# DuckDB's own functions that read or change the session rather than compute on values
SESSION_FUNCTIONS = frozenset(
    {"current_setting", "getvariable", "write_log", "nextval", "currval", "setseed"}
)
# Catalogs a query may name: the warehouse's own (``current_database()``) and DuckDB's
OWN_CATALOGS = frozenset({"", "system", "temp"})


@cache
def value_functions() -> frozenset[str]:
    """The scalar, aggregate and macro functions DuckDB itself defines (on a connection with no
    extension loaded: not postgres_*, not ducklake_*), less those that read the session."""
    with closing(duckdb.connect(config=NO_AUTOLOAD)) as con:
        rows = con.execute(
            "select distinct lower(function_name) from duckdb_functions()"
            " where function_type in ('scalar', 'aggregate', 'macro')"
        ).fetchall()
    return frozenset(name for (name,) in rows) - SESSION_FUNCTIONS | WINDOW_FUNCTIONS


def check_calls(
    query: str, con: duckdb.DuckDBPyConnection | None = None, *, allow_files: bool = False
) -> None:
    """Refuse a query that calls anything outside the allow-list or names another catalog.

    The query's parse tree (``json_serialize_sql``) is walked whole: every function call, table
    function and table name. A query DuckDB cannot serialise (PIVOT) cannot be checked, so it is
    refused too: the check fails closed.
    """
    if con is None:
        with closing(duckdb.connect(config=NO_AUTOLOAD)) as own:
            return check_calls(query, own, allow_files=allow_files)
    try:
        (tree,) = con.execute("select json_serialize_sql(?::varchar)", [query]).fetchone()
    except duckdb.Error as exc:
        raise QueryError(str(exc).splitlines()[0]) from exc
    parsed = json.loads(tree)
    if parsed.get("error"):
        raise QueryRefused(
            "refused: this query cannot be checked against the allow-list "
            f"({parsed.get('error_message', 'no reason given')}); write it as a plain SELECT"
        )
    tables = TABLE_FUNCTIONS | (FILE_FUNCTIONS if allow_files else frozenset())
    found = _refusals(parsed["statements"], value_functions(), tables, _others(con), allow_files)
    for refusal in found:
        raise QueryRefused(f"refused: {refusal}")


def _others(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The databases attached beside the warehouse (a lake's PostgreSQL catalog, ``memory``)."""
    rows = con.execute(
        "select lower(database_name) from duckdb_databases()"
        " where database_name <> current_database() and database_name not in ('system', 'temp')"
    ).fetchall()
    return frozenset(name for (name,) in rows)


def _refusals(node, functions, tables, catalogs, allow_files) -> Iterator[str]:
    """Why the parse tree ``node`` is refused, if it is: one reason per forbidden name."""
    if isinstance(node, list):
        for item in node:
            yield from _refusals(item, functions, tables, catalogs, allow_files)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "TABLE_FUNCTION" and isinstance(node.get("function"), dict):
        call = node["function"]
        name = str(call.get("function_name", "")).lower()
        if name not in tables or not _own(call, catalogs):
            hint = " (--allow-files DIR lets it read there)" if name in FILE_FUNCTIONS else ""
            yield f"the table function {name}() is not one `tradewatch query` may call{hint}"
        rest = [v for k, v in node.items() if k != "function"]
        rest += [v for k, v in call.items() if k != "function_name"]
        yield from _refusals(rest, functions, tables, catalogs, allow_files)
        return
    if "function_name" in node:
        name = str(node["function_name"]).lower()
        if name not in functions or not _own(node, catalogs):
            yield f"the function {name}() is not one `tradewatch query` may call"
    if node.get("type") == "BASE_TABLE":
        parts = [str(node.get(k) or "").lower() for k in ("catalog_name", "schema_name")]
        table = str(node.get("table_name", ""))
        if any(part in catalogs or part.startswith("__ducklake") for part in parts):
            yield f"{'.'.join(filter(None, parts))} is not part of the warehouse"
        elif not allow_files and any(mark in table for mark in "./\\:"):
            yield f"'{table}' names a file, not a relation of the warehouse"
    for value in node.values():
        yield from _refusals(value, functions, tables, catalogs, allow_files)


def _own(call: dict, catalogs: frozenset[str]) -> bool:
    """Whether a call names no catalog or schema beyond DuckDB's own."""
    catalog = str(call.get("catalog") or "").lower()
    schema = str(call.get("schema") or "").lower()
    return catalog in OWN_CATALOGS and schema in ("", "main", "pg_catalog")


def run_query(
    sql_text: str,
    path: str | os.PathLike | None = None,
    *,
    allow_files: Sequence[str | os.PathLike] = (),
) -> tuple[list[str], list[tuple]]:
    """Run one query on a sandboxed read-only connection: its column names and rows.

    Files can be read from SQL only inside the folders of ``allow_files``. On a lake the
    connection's PostgreSQL role must be one that can only read (``lake.check_reader``).
    """
    con = connect(path, read_only=True, allow_files=allow_files)
    try:
        (statement,) = _checked(sql_text, con, path, allow_files)
        result = con.execute(statement)
        return [d[0] for d in result.description], result.fetchall()
    except duckdb.Error as exc:
        raise QueryError(str(exc).splitlines()[0]) from exc
    finally:
        con.close()


def _checked(sql_text: str, con, path, allow_files) -> list[str]:
    """The statement, checked on the connection that will run it (which knows the catalogs
    attached beside the warehouse), after the lake's role is checked."""
    if lake.is_lake(address(path)):
        lake.check_reader(con)
    return check_read_only(sql_text, con, allow_files=bool(allow_files))


FORMATS = {".parquet": "parquet", ".csv": "csv"}


def _copy_options(fmt: str) -> str:
    return "(format parquet, compression zstd)" if fmt == "parquet" else "(format csv, header)"


def quoted(path: str | Path) -> str:
    """A path as an SQL string literal."""
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
    (statement,) = check_read_only(sql_text, allow_files=bool(allow_files))
    if statement.lstrip().lower().startswith("explain"):
        raise QueryError("--out writes one query's answer: give a single SELECT")
    target.parent.mkdir(parents=True, exist_ok=True)
    # over an existing file DuckDB writes tmp_<name> beside it first, then moves it into place
    staging = target.with_name(f"tmp_{target.name}")
    con = connect(path, read_only=True, allow_files=allow_files, allow_paths=[target, staging])
    try:
        (statement,) = _checked(sql_text, con, path, allow_files)
        query = statement.strip().rstrip(";")
        (rows,) = con.execute(
            f"copy ({query}\n) to {quoted(target)} {_copy_options(fmt)}"
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
                f"copy (select * from {relation}) to {quoted(target)} {_copy_options(fmt)}"
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
