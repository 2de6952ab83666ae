"""``tradewatch``: a thin command line over the library and its flows."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import sys
from collections.abc import Sequence

# Prefect reads these when it is imported: no telemetry, and quiet on a closed network.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

WAREHOUSE_HELP = "DuckDB file (default: $TRADEWATCH_WAREHOUSE, else ./tradewatch.duckdb)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tradewatch",
        description="Monthly customs statistics into a DuckDB warehouse.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run monthly-ingest for a month and the months before it",
        description="Fetch, validate and load the target month and its lookback window.",
    )
    run.add_argument("--month", help="target month YYYY-MM (default: last calendar month)")
    run.add_argument(
        "--offline", action="store_true", help="answer from the recordings shipped in the package"
    )
    run.add_argument("--watchlist", help="watchlist TOML (default: ./tradewatch.toml or built-in)")
    run.add_argument(
        "--window", type=int, help="months to load, ending with the target (default: watchlist)"
    )
    run.add_argument("--warehouse", help=WAREHOUSE_HELP)
    run.set_defaults(handler=cmd_run)

    query = commands.add_parser(
        "query",
        help="run read-only SQL against the warehouse",
        description="Run SQL on a read-only connection; statements that write are refused.",
    )
    query.add_argument("sql", help="the SQL to run")
    query.add_argument("--format", choices=["table", "csv", "json"], default="table")
    query.add_argument("--warehouse", help=WAREHOUSE_HELP)
    query.set_defaults(handler=cmd_query)
    return parser


def cmd_run(args: argparse.Namespace) -> int:
    from .. import watchlist
    from ..schemas import Month
    from .monthly import monthly_ingest

    if args.month:
        Month.parse(args.month)
    watchlist.load(args.watchlist)
    summary = monthly_ingest(
        month=args.month,
        offline=args.offline,
        warehouse=args.warehouse,
        watchlist=args.watchlist,
        window_months=args.window,
    )
    print(
        f"loaded {summary['months'][0]}..{summary['months'][-1]}: "
        f"{summary['rows_fetched']} rows fetched, {summary['rows_valid']} valid, "
        f"{summary['rows_new']} new vintages, {summary['rows_quarantined']} quarantined; "
        f"not yet published: {', '.join(summary['not_published']) or 'none'}"
    )
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    from ..warehouse import run_query

    columns, rows = run_query(args.sql, args.warehouse)
    sys.stdout.write(format_rows(columns, rows, args.format))
    return 0


def format_rows(columns: Sequence[str], rows: Sequence[tuple], fmt: str) -> str:
    """Rows as an aligned table (numbers grouped by thousands), CSV or JSON records."""
    if fmt == "json":
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        return json.dumps(records, default=_json_value, indent=1) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        return out.getvalue()
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    numeric = [
        all(isinstance(row[i], int | float) or row[i] is None for row in rows)
        for i in range(len(columns))
    ]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    body = [line(columns), line(["-" * w for w in widths])] + [line(r) for r in cells]
    body.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(body) + "\n"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, int):
        return str(value) if abs(value) < 10000 else f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _json_value(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tradewatch`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print("tradewatch: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the CLI's one place to turn any failure into a one-line reason
        print(f"tradewatch {args.command}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
