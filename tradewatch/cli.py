"""``tradewatch``: a thin command line over the library and its flows.

Each command is declared beside its handler (``@command``: its name, help, the shared options
it takes and its own); the handlers call the library and print through ``console``. Nothing
here runs SQL or formats a table. Every argument is checked before any work (a malformed month
is exit 2 before Prefect starts), a mistyped command or flag gets a suggestion, and no flag is
matched by its prefix.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .console import (  # noqa: F401 - the command line's names
    ProgressPrinter,
    cell,
    format_rows,
    json_value,
    labels,
    print_reasons,
    showing_progress,
    unavailable,
)

# Exit codes, besides 0 (done) and 1 (failed, with a one-line reason); argparse's own usage
# errors are 2 as well.
EXIT_CONFIG = 2  # the watchlist or an argument is wrong: nothing was done
EXIT_BUSY = 3  # another process holds the warehouse
EXIT_MONTHS_FAILED = 4  # the run finished, but some months failed (named on stderr)

FORMATS = ("table", "csv", "json")


class Parser(argparse.ArgumentParser):
    """argparse as a user meets it: no silent prefix matching (``--form`` is not ``--format``),
    a usage error in one line with exit 2, and a suggestion for a mistyped command or flag."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def format_help(self) -> str:
        """The help, with the registered sources where it says SOURCES (read only for help:
        finding them costs every other command the time of a scan of the installed packages)."""
        text = super().format_help()
        if "SOURCES" in text:
            from .sources.base import source_names

            text = text.replace("SOURCES", ", ".join(source_names()))
        return text

    def error(self, message: str):
        hint = _did_you_mean(self, message)
        self.exit(EXIT_CONFIG, f"{self.prog}: {message}{hint} (see {self.prog} --help)\n")


def _did_you_mean(parser: argparse.ArgumentParser, message: str) -> str:
    """``; did you mean 'backfill'?`` for a near miss among the commands or the flags."""
    import difflib
    import re

    choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
    if choice:
        wrong, known = choice.group(1), re.findall(r"'?([\w-]+)'?", choice.group(2))
    else:
        unknown = re.search(r"unrecognized arguments: (.*)", message)
        flags = [w for w in (unknown.group(1).split() if unknown else []) if w.startswith("--")]
        if not flags:
            return ""
        wrong, known = flags[0].split("=")[0], _all_flags(parser)
    close = difflib.get_close_matches(wrong, known, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _all_flags(parser: argparse.ArgumentParser) -> list[str]:
    """Every option string of a parser and its subcommands."""
    found = []
    for action in parser._actions:
        found += [flag for flag in action.option_strings if flag.startswith("--")]
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found += _all_flags(sub)
    return sorted(set(found))


def _month(text: str) -> str:
    """A month argument, checked as the command line reads it (``YYYY-MM``): a malformed one is
    a usage error before anything starts."""
    from .schemas.series import Month

    try:
        return str(Month.parse(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _published_month(text: str) -> str:
    """A month to fetch: as ``_month``, and not after the current one (nothing is published
    for a month that has not begun)."""
    month = _month(text)
    if month > dt.date.today().strftime("%Y-%m"):
        raise argparse.ArgumentTypeError(f"{month} has not begun: no source publishes it yet")
    return month


def _positive(text: str) -> int:
    """An argument that must be a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number of at least 1")
    return value


def arg(*flags: str, **settings) -> tuple[tuple[str, ...], dict]:
    """One option of a command, as ``add_argument`` takes it."""
    return flags, settings


# Options several commands share, declared once.
SHARED = {
    "warehouse": [
        arg("--warehouse", help="a DuckDB file, or ducklake:postgres:<libpq string> (default: "
            "$TRADEWATCH_WAREHOUSE, else ./tradewatch.duckdb)"),
        arg("--data-path", metavar="DIR", help="where a DuckLake warehouse keeps its files: a "
            "directory or s3://bucket/prefix (default: $TRADEWATCH_DATA_PATH)"),
    ],
    "watchlist": [
        arg("--watchlist", help="watchlist TOML (default: ./tradewatch.toml or built-in)"),
    ],
    "wait": [
        arg("--wait", type=float, metavar="SECONDS",
            help="how long to wait for another run on the same warehouse (default 300)"),
    ],
    "offline": [
        arg("--offline", action="store_true",
            help="answer from the recordings shipped in the package"),
    ],
    "format": [arg("--format", choices=FORMATS, default="table")],
    "from": [arg("--from", dest="start", metavar="YYYY-MM", type=_month, help="first month")],
    "to": [arg("--to", dest="end", metavar="YYYY-MM", type=_month, help="last month")],
}  # fmt: skip


@dataclass(frozen=True)
class Command:
    """A command: its name ("run", or "news extract" in a group), help, options and handler."""

    name: str
    summary: str
    description: str
    shared: tuple[str, ...]
    options: tuple
    one_of: tuple  # a group of options of which exactly one is given
    handler: Callable[[argparse.Namespace], int]


COMMANDS: list[Command] = []
GROUPS = {
    "news": (
        "news reports: extract the figures of one, list a month's",
        "Read news reports and the trade figures they state.",
    ),
}


def command(name: str, summary: str, description: str, *shared: str, options=(), one_of=()):
    """Declare the decorated function as the handler of the command ``name``."""

    def register(handler: Callable[[argparse.Namespace], int]):
        COMMANDS.append(
            Command(name, summary, description, shared, tuple(options), tuple(one_of), handler)
        )
        return handler

    return register


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = Parser(
        prog="tradewatch",
        description="Monthly customs statistics into a DuckDB warehouse.",
        epilog="exit codes: 0 done, 1 failed, 2 configuration or usage error, "
        "3 warehouse busy, 4 some months failed",
    )
    parser.add_argument("--version", action="version", version=f"tradewatch {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    groups: dict[str, argparse._SubParsersAction] = {}
    for declared in COMMANDS:
        where, name = commands, declared.name
        if " " in name:
            group, name = name.split(" ", 1)
            if group not in groups:
                summary, description = GROUPS[group]
                groups[group] = commands.add_parser(
                    group, help=summary, description=description
                ).add_subparsers(dest=f"{group}_command", required=True, metavar="ACTION")
            where = groups[group]
        sub = where.add_parser(name, help=declared.summary, description=declared.description)
        for flags, settings in [a for s in declared.shared for a in SHARED[s]]:
            sub.add_argument(*flags, **settings)
        for flags, settings in declared.options:
            sub.add_argument(*flags, **settings)
        if declared.one_of:
            exclusive = sub.add_mutually_exclusive_group(required=True)
            for flags, settings in declared.one_of:
                exclusive.add_argument(*flags, **settings)
        sub.set_defaults(handler=declared.handler)
    return parser


def _run_options(args: argparse.Namespace) -> dict:
    """What every run takes from the command line besides its months (a lake's catalog reached
    once first: a wrong address is one line before Prefect starts)."""
    where = args.warehouse or os.environ.get("TRADEWATCH_WAREHOUSE") or ""
    if where.startswith("ducklake:"):
        from .warehouse.lake import check_reachable

        check_reachable(where)
    return {
        "offline": args.offline,
        "warehouse": args.warehouse,
        "watchlist": args.watchlist,
        "lock_wait": args.wait,
    }


@command(
    "run", "run monthly-ingest for a month and the months before it",
    "Fetch, validate and load the target month and its lookback window.",
    "offline", "watchlist", "wait", "warehouse",
    options=[
        arg("--month", type=_published_month,
            help="target month YYYY-MM (default: last calendar month)"),
        arg("--window", type=int,
            help="months to load, ending with the target (default: watchlist)"),
    ],
)  # fmt: skip
def cmd_run(args: argparse.Namespace) -> int:
    from . import watchlist

    watchlist.load(args.watchlist)
    from .flows.monthly import monthly_ingest

    with showing_progress():
        summary = monthly_ingest(month=args.month, window_months=args.window, **_run_options(args))
    print(
        f"loaded {summary['months'][0]}..{summary['months'][-1]}: "
        f"{summary['rows_fetched']} rows fetched, {summary['rows_valid']} valid, "
        f"{summary['rows_new']} new vintages, {summary['rows_quarantined']} quarantined; "
        f"not yet published: {labels(summary['not_published'])}"
        + unavailable(summary["unavailable"])
    )
    print_reasons(summary["quarantine_reasons"])
    if summary.get("report"):
        print(f"briefing: {summary['report']}")
    return 0


@command(
    "backfill", "load every month of a range, skipping months already loaded",
    "Run the pipeline for every month from START to END (YYYY-MM), oldest first, once each. "
    "Months already loaded for a source are skipped unless --force; run it again after an "
    "interruption and it finishes the job.",
    "offline", "watchlist", "wait", "warehouse",
    options=[
        arg("start", type=_published_month, help="first month, YYYY-MM"),
        arg("end", type=_published_month, help="last month, YYYY-MM"),
        arg("--source", action="append", dest="sources", metavar="S",
            help="only this source, one of SOURCES (repeatable; default: every source the "
            "watchlist watches that backfills by default; news only when named)"),
        arg("--force", action="store_true", help="reload months already loaded"),
        arg("--parallel", type=_positive, default=1, metavar="N",
            help="run the range as chunks on Prefect workers, N at a time (needs "
            "PREFECT_API_URL and a DuckLake warehouse; README: Running as a team)"),
        arg("--chunk-months", type=_positive, default=12, metavar="M",
            help="months per chunk with --parallel (default 12: one Comtrade call per series)"),
        arg("--notify", action="store_true",
            help="deliver alerts for reversals found (default: record them only)"),
    ],
)  # fmt: skip
def cmd_backfill(args: argparse.Namespace) -> int:
    from . import watchlist
    from .errors import ConfigError
    from .schemas import Month
    from .sources import backfill_sources

    Month.span(Month.parse(args.start), Month.parse(args.end))
    config = watchlist.load(args.watchlist)
    try:  # before Prefect starts: an unknown source is a usage error at once
        backfill_sources(config, args.sources)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    from .flows.backfill import backfill

    if args.parallel > 1:
        from .flows.fanout import check_parallel
        from .warehouse import Warehouse

        check_parallel(Warehouse(args.warehouse))
    with showing_progress():
        summary = backfill(
            start=args.start, end=args.end, sources=args.sources, force=args.force,
            notify=args.notify, parallel=args.parallel, chunk_months=args.chunk_months,
            **_run_options(args),
        )  # fmt: skip
    print(
        f"backfill {args.start}..{args.end}: {summary['skipped']} already loaded, "
        f"{summary['rows_new']} new vintages from {summary['rows_fetched']} rows, "
        f"{summary['rows_quarantined']} quarantined; "
        f"not yet published: {labels(summary['not_published'])}"
        f"{unavailable(summary['unavailable'])}; "
        f"alerts raised {summary['alerts_raised']}, retracted {summary['alerts_retracted']}"
    )
    print_reasons(summary["quarantine_reasons"])
    return 0


@command(
    "status",
    "months x sources: loaded, not yet published, not available, missing, failed, never run",
    "The state of every month and source: loaded (with quarantined rows), partial, not yet "
    "published, not available (never published there), missing (unpublished and past the "
    "lookback window), failed (with the reason) or never run. Default range: the months any "
    "run has touched.",
    "from", "to", "format", "watchlist", "warehouse",
)  # fmt: skip
def cmd_status(args: argparse.Namespace) -> int:
    from . import watchlist
    from .schemas.series import Month, previous_month
    from .sources.base import source_classes
    from .warehouse.status import status_of

    config = watchlist.load(args.watchlist)
    watched = {
        name: keys
        for name, cls in source_classes().items()
        if (keys := cls.status_keys(config)) is not None
    }
    window_start = previous_month().shift(-(config.window_months - 1)).first_day
    start, end = (Month.parse(m) if m else None for m in (args.start, args.end))
    months, cells = status_of(args.warehouse, watched, window_start, start, end)
    if args.format == "json":
        fields = ("source", "state", "detail", "rows_quarantined")
        records = [
            {"month": f"{c.period:%Y-%m}", **{f: getattr(c, f) for f in fields}} for c in cells
        ]
        print(json.dumps(records, indent=1))
        return 0
    grid = {(c.period, c.source): c for c in cells}
    rows = [(f"{m:%Y-%m}", *(_status_text(grid[(m, s)]) for s in watched)) for m in months]
    sys.stdout.write(format_rows(["month", *watched], rows, args.format))
    return 0


def _status_text(found) -> str:
    return f"{found.state}: {found.detail}" if found.detail else found.state


ALERT_COLUMNS = [
    "period", "series_name", "commodity_short", "partner", "source", "direction", "move_pct",
    "previous_t", "current_t", "trend_months", "rule", "expected_pct", "band_pct", "low_base",
    "status", "raised_notified_at",
    "delivery_error",
]  # fmt: skip


@command(
    "alerts", "list reversal alerts: raised, retracted, delivered or not",
    "Alerts raised from the reversals view, with their figures and delivery.",
    "format", "warehouse",
    options=[
        arg("--since", metavar="YYYY-MM", type=_month, help="only months from this one on"),
        arg("--status", choices=["raised", "retracted"]),
    ],
)  # fmt: skip
def cmd_alerts(args: argparse.Namespace) -> int:
    from .schemas.series import Month
    from .warehouse.db import read

    since = Month.parse(args.since).first_day if args.since else None
    columns, rows = read(args.warehouse, "alerts_list", {"since": since, "status": args.status})
    if args.format == "table":
        index = [columns.index(c) for c in ALERT_COLUMNS]
        columns, rows = ALERT_COLUMNS, [tuple(row[i] for i in index) for row in rows]
    sys.stdout.write(format_rows(columns, rows, args.format))
    return 0


@command(
    "chart", "draw a monthly series with its reversal months marked",
    "Draw monthly volumes (tonnes) with reversals marked, one panel per series, to PNG, SVG, "
    "PDF or HTML.",
    "from", "to", "warehouse",
    options=[
        arg("--hs", required=True, help="HS code, e.g. 2701"),
        arg("--partner", help="partner: ISO alpha-3 (PRK), M49 code (408) or name"),
        arg("--reporter", help="reporter: ISO alpha-3 (CHN), M49 code (156) or name"),
        arg("--out", required=True, help="FILE.png, .svg, .pdf or .html"),
    ],
)  # fmt: skip
def cmd_chart(args: argparse.Namespace) -> int:
    from .charts import draw_series
    from .schemas import Month
    from .schemas.countries import country_code

    out = draw_series(
        args.warehouse,
        args.out,
        hs_code=args.hs,
        partner=country_code(args.partner) if args.partner else None,
        reporter=country_code(args.reporter) if args.reporter else None,
        start=Month.parse(args.start).first_day if args.start else None,
        end=Month.parse(args.end).first_day if args.end else None,
    )
    print(f"wrote {out}")
    return 0


@command(
    "serve", "serve the monthly, backfill and chunks deployments from this process",
    "Serve `monthly-ingest` on its schedule and `backfill` (and a parallel backfill's `chunks`) "
    "on demand from one process (prefect.serve), for a setup without workers. Needs "
    "PREFECT_API_URL to reach a Prefect server that stays up. Stop with Ctrl-C.",
    "warehouse",
)  # fmt: skip
def cmd_serve(args: argparse.Namespace) -> int:
    from .errors import ConfigError

    if not os.environ.get("PREFECT_API_URL"):  # a temporary server would die with this process
        raise ConfigError(
            "serve needs PREFECT_API_URL naming a Prefect server that stays up (`prefect server "
            "start`): deployments served from a temporary one could never be run"
        )
    from prefect import serve

    from .flows.deployments import build_deployments
    from .warehouse import Warehouse

    serve(*build_deployments(Warehouse(args.warehouse) if args.warehouse else None))
    return 0


@command(
    "load-file", "load a Comtrade payload saved on disk (a bulk download), streaming",
    "Load a Comtrade JSON payload from a file in streaming mode: the file is kept beside the "
    "warehouse, then parsed, validated and staged a batch at a time and loaded in one "
    "transaction, so memory stays bounded whatever the file's size.",
    "wait", "warehouse",
    options=[
        arg("path", metavar="FILE", help="the JSON payload, as the API returns it"),
        arg("--batch-mb", type=int, default=32, help="JSON read per batch, in MB (default 32)"),
        arg("--workers", type=int, default=None,
            help="processes reading the batches (default: one a core; 1: this one alone)"),
    ],
)  # fmt: skip
def cmd_load_file(args: argparse.Namespace) -> int:
    from .sources.comtrade import load_comtrade_file
    from .warehouse import run_lock

    with run_lock(args.warehouse, wait_seconds=args.wait, holder=f"load-file {args.path}"):
        loads = load_comtrade_file(
            args.path,
            warehouse=args.warehouse,
            batch_bytes=args.batch_mb * 2**20,
            workers=args.workers,
        )
    if not loads:
        print(f"{args.path}: no rows — the payload holds no data (not published)")
    reasons: dict[str, int] = {}
    for load in loads:
        month = f"{load.period:%Y-%m}" if load.period else "(no month)"
        print(
            f"{month}: {load.status}, {load.rows_fetched} rows, {load.rows_new} new vintages, "
            f"{load.rows_quarantined} quarantined" + (f" ({load.message})" if load.message else "")
        )
        for reason, rows in (load.reasons or {}).items():
            reasons[reason] = reasons.get(reason, 0) + rows
    print_reasons(reasons)
    return 0 if all(load.status != "failed" for load in loads) else EXIT_MONTHS_FAILED


@command(
    "news extract", "print an article's metadata and the figures it states, as JSON",
    "Parse one article (an HTML page or a plain-text file, or an http(s) URL on a public "
    "host) and print its metadata and claims as one JSON object. When the warehouse exists, "
    "each claim is checked against its customs data.",
    "warehouse",
    options=[
        arg("source", metavar="PATH_OR_URL", help="HTML or text file, or URL"),
        arg("--published",
            help="publication date YYYY-MM-DD when the page gives none (plain text never "
            "does); relative months such as 'last month' resolve against it"),
        arg("--format", choices=["json", "table"], default="json"),
        arg("--max-mb", type=float, default=5.0,
            help="read a local file up to this size (default 5, the cap on fetched pages)"),
    ],
)  # fmt: skip
def cmd_news_extract(args: argparse.Namespace) -> int:
    from .sources.news import CLAIM_TABLE_COLUMNS, extract_report

    published = dt.date.fromisoformat(args.published) if args.published else None
    max_bytes = int(args.max_mb * 1_000_000)
    report = extract_report(
        args.source, published=published, warehouse=args.warehouse, max_bytes=max_bytes
    )
    if args.format == "json":
        sys.stdout.write(json.dumps(report, default=json_value, indent=1, ensure_ascii=False))
        sys.stdout.write("\n")
        return 0
    for key, value in report.items():
        if key not in ("claims", "text"):
            print(f"{key}: {cell(value)}")
    rows = [tuple(c.get(k) for k in CLAIM_TABLE_COLUMNS) for c in report["claims"]]
    sys.stdout.write(format_rows(CLAIM_TABLE_COLUMNS, rows, "table"))
    return 0


@command(
    "news list", "articles published in a month, with their claims' verdicts",
    "The month's articles in the warehouse, with how their figures check out.",
    "format", "warehouse",
    options=[arg("--month", required=True, type=_month, help="publication month YYYY-MM")],
)  # fmt: skip
def cmd_news_list(args: argparse.Namespace) -> int:
    from .schemas import Month
    from .warehouse.db import read

    month = Month.parse(args.month)
    columns, rows = read(
        args.warehouse, "news_list", {"start": month.first_day, "end": month.shift(1).first_day}
    )
    sys.stdout.write(format_rows(columns, rows, args.format))
    return 0


@command(
    "query", "run read-only SQL against the warehouse",
    "Run one query on a read-only connection cut off from files and the network: anything but "
    "a query (or EXPLAIN of one) is refused, and so is a call outside the allow-list.",
    "format", "warehouse",
    options=[
        arg("sql", help="the SQL to run"),
        arg("--allow-files", action="append", default=[], metavar="DIR",
            help="let the SQL read files in this folder (repeatable; default: none)"),
        arg("--out", metavar="FILE",
            help="write the answer to FILE.parquet or FILE.csv instead of printing it"),
    ],
)  # fmt: skip
def cmd_query(args: argparse.Namespace) -> int:
    from .warehouse import run_query

    if args.out:
        from .warehouse.query import query_to_file

        rows = query_to_file(args.sql, args.out, args.warehouse, allow_files=args.allow_files)
        print(f"{args.out}: {rows} row{'s' if rows != 1 else ''}")
        return 0
    columns, rows = run_query(args.sql, args.warehouse, allow_files=args.allow_files)
    sys.stdout.write(format_rows(columns, rows, args.format))
    return 0


@command(
    "automation",
    "write the Prefect automation that sends reversal events to your notification block",
    "Write the YAML for `prefect automation create --from-file`: reversal events "
    "(tradewatch.reversal.raised / .retracted) sent to a notification block, by its name "
    "(looked up on the server PREFECT_API_URL names) or its id.",
    options=[arg("--out", metavar="FILE", help="write here (default: print it)")],
    one_of=[
        arg("--block", metavar="TYPE/NAME", help="e.g. slack-webhook/tradewatch-alerts"),
        arg("--block-id", metavar="UUID", help="the block document's id"),
    ],
)  # fmt: skip
def cmd_automation(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .flows.automation import automation_yaml, block_document_id

    block_id = args.block_id or block_document_id(args.block)
    text = automation_yaml(block_id, args.block)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}: prefect automation create --from-file {args.out}")
    else:
        sys.stdout.write(text)
    return 0


@command(
    "report", "write the month's briefing page: reversals, charts, figures, sources, news",
    "One self-contained HTML page for a month (inline SVG charts, no network asset, readable "
    "on a phone and printable): the reversals with their charts, every watched figure with its "
    "source, GACC beside Comtrade, the news claims with verdicts, and the months a source did "
    "not deliver.",
    "warehouse",
    options=[
        arg("--month", required=True, type=_month, metavar="YYYY-MM", help="the month"),
        arg("--out", metavar="FILE.html", help="default: <warehouse>.reports/report-YYYY-MM.html"),
    ],
)  # fmt: skip
def cmd_report(args: argparse.Namespace) -> int:
    from .report import write_report
    from .schemas.series import Month

    path = write_report(args.warehouse, Month.parse(args.month), args.out)
    print(f"wrote {path}")
    return 0


@command(
    "export", "write a consistent snapshot of the warehouse's relations as Parquet or CSV",
    "Write every table and view a person reads (or those named) to one file each in DIR, from "
    "one read-only transaction, with manifest.json naming rows and time.",
    "warehouse",
    options=[
        arg("--to", required=True, metavar="DIR", help="folder for the files"),
        arg("--format", choices=["parquet", "csv"], default="parquet"),
        arg("--tables", nargs="+", metavar="NAME",
            help="relations to export, e.g. trade_monthly_named ops.runs (default: all)"),
    ],
)  # fmt: skip
def cmd_export(args: argparse.Namespace) -> int:
    from .warehouse.query import export_warehouse

    counts = export_warehouse(args.to, args.warehouse, fmt=args.format, tables=args.tables)
    for name, rows in counts.items():
        print(f"{name}: {rows} row{'s' if rows != 1 else ''}")
    print(f"{len(counts)} relations in {args.to} (manifest.json lists them)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tradewatch`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    stop_on_sigterm()
    if getattr(args, "data_path", None):  # for this process and the flows it runs
        os.environ["TRADEWATCH_DATA_PATH"] = args.data_path
    try:
        where = getattr(args, "warehouse", None) or os.environ.get("TRADEWATCH_WAREHOUSE")
        if str(where or "").startswith("ducklake:"):  # before anything could print or store it
            from .warehouse.lake import refuse_inline_password

            refuse_inline_password(where)
        return args.handler(args)
    except KeyboardInterrupt:
        print("tradewatch: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the CLI's one place to turn any failure into a one-line reason
        name = " ".join(filter(None, [args.command, getattr(args, "news_command", None)]))
        from .errors import describe_failure

        where = getattr(args, "warehouse", None) or os.environ.get("TRADEWATCH_WAREHOUSE")
        print(f"tradewatch {name}: {describe_failure(exc, where or '.')}", file=sys.stderr)
        return exit_code(exc)


def stop_on_sigterm() -> None:
    """SIGTERM (a service manager stopping a run) ends the run as Ctrl-C does: the transaction
    in progress rolls back and the exit handlers run — Prefect's among them, which stops the
    temporary server it started (killed outright, the server would live on)."""
    import signal

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, interrupt)


def exit_code(exc: Exception) -> int:
    """The documented exit code for a failure (see ``EXIT_*``)."""
    from .errors import ConfigError, IngestFailed
    from .warehouse.db import WarehouseBusy, WarehouseUnreachable
    from .watchlist import WatchlistError

    if isinstance(exc, WatchlistError | ConfigError):
        return EXIT_CONFIG
    if isinstance(exc, WarehouseUnreachable):  # not busy: down, or not where the address says
        return 1
    if isinstance(exc, WarehouseBusy):
        return EXIT_BUSY
    if isinstance(exc, IngestFailed):
        return EXIT_MONTHS_FAILED
    return 1


if __name__ == "__main__":
    sys.exit(main())
