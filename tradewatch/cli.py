"""``tradewatch``: a thin command line over the library and its flows."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

# Exit codes, besides 0 (done) and 1 (failed, with a one-line reason); argparse's own usage
# errors are 2 as well.
EXIT_CONFIG = 2  # the watchlist or an argument is wrong: nothing was done
EXIT_BUSY = 3  # another process holds the warehouse
EXIT_MONTHS_FAILED = 4  # the run finished, but some months failed (named on stderr)

FORMATS = ("table", "csv", "json")
# Options several commands share, declared once: flags and argparse settings.
SHARED = {
    "warehouse": (
        ("--warehouse",),
        {
            "help": "a DuckDB file, or ducklake:postgres:<libpq string> (default: "
            "$TRADEWATCH_WAREHOUSE, else ./tradewatch.duckdb)"
        },
    ),
    "watchlist": (
        ("--watchlist",),
        {"help": "watchlist TOML (default: ./tradewatch.toml or built-in)"},
    ),
    "wait": (
        ("--wait",),
        {
            "type": float,
            "metavar": "SECONDS",
            "help": "how long to wait for another run on the same warehouse (default 300)",
        },
    ),
    "offline": (
        ("--offline",),
        {"action": "store_true", "help": "answer from the recordings shipped in the package"},
    ),
    "format": (("--format",), {"choices": FORMATS, "default": "table"}),
    "from": (
        ("--from",),
        {"dest": "start", "metavar": "YYYY-MM", "type": "month", "help": "first month"},
    ),
    "to": (("--to",), {"dest": "end", "metavar": "YYYY-MM", "type": "month", "help": "last month"}),
}


def _command(commands, name: str, handler, summary: str, description: str, *shared: str):
    """A subcommand with its handler and the shared options it takes."""
    parser = commands.add_parser(name, help=summary, description=description)
    for option in shared:
        flags, settings = SHARED[option]
        if settings.get("type") == "month":
            settings = {**settings, "type": _month}
        parser.add_argument(*flags, **settings)
    if "warehouse" in shared:
        parser.add_argument(
            "--data-path",
            metavar="DIR",
            help="where a DuckLake warehouse keeps its files: a directory or s3://bucket/prefix "
            "(default: $TRADEWATCH_DATA_PATH)",
        )
    parser.set_defaults(handler=handler)
    return parser


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

    run = _command(
        commands, "run", cmd_run,
        "run monthly-ingest for a month and the months before it",
        "Fetch, validate and load the target month and its lookback window.",
        "offline", "watchlist", "wait", "warehouse",
    )  # fmt: skip
    run.add_argument(
        "--month",
        type=_published_month,
        help="target month YYYY-MM (default: last calendar month)",
    )
    run.add_argument(
        "--window", type=int, help="months to load, ending with the target (default: watchlist)"
    )

    backfill = _command(
        commands, "backfill", cmd_backfill,
        "load every month of a range, skipping months already loaded",
        "Run the pipeline for every month from START to END (YYYY-MM), oldest first, once "
        "each. Months already loaded for a source are skipped unless --force; run it again "
        "after an interruption and it finishes the job.",
        "offline", "watchlist", "wait", "warehouse",
    )  # fmt: skip
    backfill.add_argument("start", type=_published_month, help="first month, YYYY-MM")
    backfill.add_argument("end", type=_published_month, help="last month, YYYY-MM")
    backfill.add_argument(
        "--source",
        action="append",
        dest="sources",
        metavar="S",
        help="only this source, one of SOURCES (repeatable; default: every source the "
        "watchlist watches that backfills by default; news only when named)",
    )
    backfill.add_argument("--force", action="store_true", help="reload months already loaded")
    backfill.add_argument(
        "--parallel",
        type=_positive,
        default=1,
        metavar="N",
        help="run the range as chunks on Prefect workers, N at a time (needs PREFECT_API_URL "
        "and a DuckLake warehouse; README: Running as a team)",
    )
    backfill.add_argument(
        "--chunk-months",
        type=_positive,
        default=12,
        metavar="M",
        help="months per chunk with --parallel (default 12: one Comtrade call per series)",
    )
    backfill.add_argument(
        "--notify",
        action="store_true",
        help="deliver alerts for reversals found (default: record them only)",
    )

    _command(
        commands, "status", cmd_status,
        "months x sources: loaded, not yet published, not available, missing, failed, never run",
        "The state of every month and source: loaded (with quarantined rows), partial, "
        "not yet published, not available (never published there), missing (unpublished and "
        "past the lookback window), failed "
        "(with the reason) or never run. Default range: the months any run has touched.",
        "from", "to", "format", "watchlist", "warehouse",
    )  # fmt: skip

    alerts = _command(
        commands, "alerts", cmd_alerts,
        "list reversal alerts: raised, retracted, delivered or not",
        "Alerts raised from the reversals view, with their figures and delivery.",
        "format", "warehouse",
    )  # fmt: skip
    alerts.add_argument("--since", metavar="YYYY-MM", help="only months from this one on")
    alerts.add_argument("--status", choices=["raised", "retracted"])

    chart = _command(
        commands, "chart", cmd_chart,
        "draw a monthly series with its reversal months marked",
        "Draw monthly volumes (tonnes) with reversals marked, one panel per series, to PNG, "
        "SVG, PDF or HTML.",
        "from", "to", "warehouse",
    )  # fmt: skip
    chart.add_argument("--hs", required=True, help="HS code, e.g. 2701")
    chart.add_argument("--partner", help="partner: ISO alpha-3 (PRK), M49 code (408) or name")
    chart.add_argument("--reporter", help="reporter: ISO alpha-3 (CHN), M49 code (156) or name")
    chart.add_argument("--out", required=True, help="FILE.png, .svg, .pdf or .html")

    _command(
        commands, "serve", cmd_serve,
        "serve the monthly, backfill and chunks deployments from this process",
        "Serve `monthly-ingest` on its schedule and `backfill` (and a parallel backfill's "
        "`chunks`) on demand from one process "
        "(prefect.serve), for a setup without workers. Needs PREFECT_API_URL to reach a "
        "Prefect server that stays up. Stop with Ctrl-C.",
        "warehouse",
    )  # fmt: skip

    load_file = _command(
        commands, "load-file", cmd_load_file,
        "load a Comtrade payload saved on disk (a bulk download), streaming",
        "Load a Comtrade JSON payload from a file in streaming mode: the file is kept "
        "beside the warehouse, then parsed, validated and staged a batch at a time and "
        "loaded in one transaction, so memory stays bounded whatever the file's size.",
        "wait", "warehouse",
    )  # fmt: skip
    load_file.add_argument("path", metavar="FILE", help="the JSON payload, as the API returns it")
    load_file.add_argument(
        "--batch-mb", type=int, default=64, help="JSON read per batch, in MB (default 64)"
    )

    news = commands.add_parser(
        "news",
        help="news reports: extract the figures of one, list a month's",
        description="Read news reports and the trade figures they state.",
    )
    news_commands = news.add_subparsers(dest="news_command", required=True, metavar="ACTION")
    extract = _command(
        news_commands, "extract", cmd_news_extract,
        "print an article's metadata and the figures it states, as JSON",
        "Parse one article (an HTML page or a plain-text file, or an http(s) URL on a "
        "public host) and print its metadata and claims as one JSON object. When the "
        "warehouse exists, each claim is checked against its customs data.",
        "warehouse",
    )  # fmt: skip
    extract.add_argument("source", metavar="PATH_OR_URL", help="HTML or text file, or URL")
    extract.add_argument(
        "--published",
        help="publication date YYYY-MM-DD when the page gives none (plain text never does); "
        "relative months such as 'last month' resolve against it",
    )
    extract.add_argument("--format", choices=["json", "table"], default="json")
    extract.add_argument(
        "--max-mb",
        type=float,
        default=5.0,
        help="read a local file up to this size (default 5, the cap on fetched pages)",
    )
    news_list = _command(
        news_commands, "list", cmd_news_list,
        "articles published in a month, with their claims' verdicts",
        "The month's articles in the warehouse, with how their figures check out.",
        "format", "warehouse",
    )  # fmt: skip
    news_list.add_argument("--month", required=True, type=_month, help="publication month YYYY-MM")

    query = _command(
        commands, "query", cmd_query,
        "run read-only SQL against the warehouse",
        "Run queries on a read-only connection cut off from files and the network: "
        "anything but a query (or EXPLAIN of one) is refused.",
        "format", "warehouse",
    )  # fmt: skip
    query.add_argument("sql", help="the SQL to run")
    query.add_argument(
        "--allow-files",
        action="append",
        default=[],
        metavar="DIR",
        help="let the SQL read files in this folder (repeatable; default: none)",
    )
    query.add_argument(
        "--out",
        metavar="FILE",
        help="write the answer to FILE.parquet or FILE.csv instead of printing it",
    )

    automation = _command(
        commands, "automation", cmd_automation,
        "write the Prefect automation that sends reversal events to your notification block",
        "Write the YAML for `prefect automation create --from-file`: reversal events "
        "(tradewatch.reversal.raised / .retracted) sent to a notification block, by its "
        "name (looked up on the server PREFECT_API_URL names) or its id.",
    )  # fmt: skip
    which = automation.add_mutually_exclusive_group(required=True)
    which.add_argument("--block", metavar="TYPE/NAME", help="e.g. slack-webhook/tradewatch-alerts")
    which.add_argument("--block-id", metavar="UUID", help="the block document's id")
    automation.add_argument("--out", metavar="FILE", help="write here (default: print it)")

    report = _command(
        commands, "report", cmd_report,
        "write the month's briefing page: reversals, charts, figures, sources, news",
        "One self-contained HTML page for a month (inline SVG charts, no network asset, "
        "readable on a phone and printable): the reversals with their charts, every watched "
        "figure with its source, GACC beside Comtrade, the news claims with verdicts, and "
        "the months a source did not deliver.",
        "warehouse",
    )  # fmt: skip
    report.add_argument("--month", required=True, type=_month, metavar="YYYY-MM", help="the month")
    report.add_argument(
        "--out", metavar="FILE.html", help="default: <warehouse>.reports/report-YYYY-MM.html"
    )

    export = _command(
        commands, "export", cmd_export,
        "write a consistent snapshot of the warehouse's relations as Parquet or CSV",
        "Write every table and view a person reads (or those named) to one file each in "
        "DIR, from one read-only transaction, with manifest.json naming rows and time.",
        "warehouse",
    )  # fmt: skip
    export.add_argument("--to", required=True, metavar="DIR", help="folder for the files")
    export.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    export.add_argument(
        "--tables",
        nargs="+",
        metavar="NAME",
        help="relations to export, e.g. trade_monthly_named ops.runs (default: all)",
    )
    return parser


def _run_options(args: argparse.Namespace) -> dict:
    """What every run takes from the command line besides its months."""
    return {
        "offline": args.offline,
        "warehouse": args.warehouse,
        "watchlist": args.watchlist,
        "lock_wait": args.wait,
    }


def cmd_run(args: argparse.Namespace) -> int:
    from . import watchlist
    from .flows.monthly import monthly_ingest
    from .schemas import Month

    if args.month:
        Month.parse(args.month)
    watchlist.load(args.watchlist)
    with showing_progress():
        summary = monthly_ingest(month=args.month, window_months=args.window, **_run_options(args))
    print(
        f"loaded {summary['months'][0]}..{summary['months'][-1]}: "
        f"{summary['rows_fetched']} rows fetched, {summary['rows_valid']} valid, "
        f"{summary['rows_new']} new vintages, {summary['rows_quarantined']} quarantined; "
        f"not yet published: {_labels(summary['not_published'])}"
        + _unavailable(summary["unavailable"])
    )
    _print_reasons(summary["quarantine_reasons"])
    if summary.get("report"):
        print(f"briefing: {summary['report']}")
    return 0


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

        check_parallel(args.warehouse)
    with showing_progress():
        summary = backfill(
            start=args.start,
            end=args.end,
            sources=args.sources,
            force=args.force,
            notify=args.notify,
            parallel=args.parallel,
            chunk_months=args.chunk_months,
            **_run_options(args),
        )
    print(
        f"backfill {args.start}..{args.end}: {summary['skipped']} already loaded, "
        f"{summary['rows_new']} new vintages from {summary['rows_fetched']} rows, "
        f"{summary['rows_quarantined']} quarantined; "
        f"not yet published: {_labels(summary['not_published'])}"
        f"{_unavailable(summary['unavailable'])}; "
        f"alerts raised {summary['alerts_raised']}, retracted {summary['alerts_retracted']}"
    )
    _print_reasons(summary["quarantine_reasons"])
    return 0


def _print_reasons(reasons: dict[str, int]) -> None:
    """One line per reason rows were quarantined for; the rows themselves are in the warehouse."""
    if not reasons:
        return
    for reason, rows in sorted(reasons.items(), key=lambda item: (-item[1], item[0])):
        print(f"  quarantined {rows} row{'s' if rows != 1 else ''}: {reason}")
    print(
        "  each row, its value and the record as published: "
        'tradewatch query "select * from ops.quarantine order by quarantined_at desc"'
    )


def _unavailable(by_reason: dict[str, list[str]]) -> str:
    """Months a source never publishes, in the words ``status`` uses: "not available"."""
    return "".join(
        f"; not available ({reason}): {_labels(labels)}" for reason, labels in by_reason.items()
    )


def _labels(labels: list[str], most: int = 6) -> str:
    """A short list as it is; a long one as its count, first and last."""
    if not labels:
        return "none"
    if len(labels) <= most:
        return ", ".join(labels)
    return f"{len(labels)} months ({labels[0]} ... {labels[-1]})"


@contextmanager
def logs_above(printer: ProgressPrinter) -> Iterator[None]:
    """While the bar is live, Prefect's console logs print through the bar's console: above it,
    never through it. Only the console handlers change; the logs reach the Prefect API as ever."""
    from prefect.logging.handlers import PrefectConsoleHandler

    swapped = []
    if printer.console is not None:
        loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
        for logger in loggers:
            for handler in getattr(logger, "handlers", []):
                if isinstance(handler, PrefectConsoleHandler):
                    swapped.append((handler, handler.console))
                    handler.console = printer.console
    try:
        yield
    finally:
        for handler, console in swapped:
            handler.console = console


class ProgressPrinter:
    """A live bar with elapsed time and ETA on a terminal (rich), logs above it; one plain line
    per month otherwise (cron, CI, a pipe)."""

    def __init__(self, terminal) -> None:
        self._terminal = terminal
        self._progress = None
        self._task = None

    @property
    def console(self):
        return self._progress.console if self._progress is not None else None

    def __enter__(self) -> ProgressPrinter:
        if self._terminal is not None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description:<32}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(file=self._terminal, force_terminal=True),
            )
            self._progress.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()

    def __call__(self, event) -> None:
        if self._progress is None:
            detail = f" ({event.detail})" if event.detail else ""
            print(f"[{event.done}/{event.total}] {event.label}: {event.status}{detail}")
            return
        if self._task is None:
            self._task = self._progress.add_task("", total=event.total)
        self._progress.update(
            self._task,
            completed=event.done,
            total=event.total,
            description=f"{event.label} {event.status}",
        )
        if event.status in {"failed", "crashed"}:
            self._progress.console.print(f"{event.label}: {event.status} ({event.detail})")


@contextmanager
def showing_progress() -> Iterator[None]:
    """Progress of the run in the block: a bar on a terminal's stderr, else lines on stdout."""
    from .flows import progress

    terminal = sys.stderr if sys.stderr.isatty() else None
    with ProgressPrinter(terminal) as printer, progress.listening(printer), logs_above(printer):
        yield


def cmd_status(args: argparse.Namespace) -> int:
    from contextlib import closing

    from . import watchlist
    from .schemas.series import Month, previous_month
    from .sources.base import source_classes
    from .warehouse.db import connect, run_sql
    from .warehouse.status import status_grid

    config = watchlist.load(args.watchlist)
    watched = {
        name: keys
        for name, cls in source_classes().items()
        if (keys := cls.status_keys(config)) is not None
    }
    window_start = previous_month().shift(-(config.window_months - 1)).first_day
    with closing(connect(args.warehouse, read_only=True)) as con:
        first, last = run_sql(con, "months_run").fetchall()[0]
        start = Month.parse(args.start) if args.start else Month.of(first or window_start)
        end = Month.parse(args.end) if args.end else Month.of(last or window_start)
        months = [m.first_day for m in Month.span(start, end)]
        cells = status_grid(con, months, watched, window_start)
    if args.format == "json":
        records = [
            {
                "month": f"{c.period:%Y-%m}",
                "source": c.source,
                "state": c.state,
                "detail": c.detail,
                "rows_quarantined": c.rows_quarantined,
            }
            for c in cells
        ]
        print(json.dumps(records, indent=1))
        return 0
    sources = list(watched)
    grid = {(c.period, c.source): c for c in cells}
    rows = [(f"{m:%Y-%m}", *(_status_text(grid[(m, s)]) for s in sources)) for m in months]
    sys.stdout.write(format_rows(["month", *sources], rows, args.format))
    return 0


def _status_text(cell) -> str:
    return f"{cell.state}: {cell.detail}" if cell.detail else cell.state


def cmd_alerts(args: argparse.Namespace) -> int:
    from contextlib import closing

    from .schemas import Month
    from .warehouse import connect
    from .warehouse.db import run_sql

    since = Month.parse(args.since).first_day if args.since else None
    with closing(connect(args.warehouse, read_only=True)) as con:
        result = run_sql(con, "alerts_list", {"since": since, "status": args.status})
        columns = [d[0] for d in result.description]
        rows = result.fetchall()
    if args.format == "table":
        keep = [
            "period",
            "series_name",
            "commodity_short",
            "partner",
            "source",
            "direction",
            "move_pct",
            "previous_t",
            "current_t",
            "trend_months",
            "low_base",
            "status",
            "raised_notified_at",
            "delivery_error",
        ]
        index = [columns.index(c) for c in keep]
        rows = [tuple(row[i] for i in index) for row in rows]
        columns = keep
    sys.stdout.write(format_rows(columns, rows, args.format))
    return 0


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


def cmd_serve(args: argparse.Namespace) -> int:
    from prefect import serve

    from .flows.schedules import build_deployments

    serve(*build_deployments(warehouse=args.warehouse))
    return 0


def cmd_load_file(args: argparse.Namespace) -> int:
    from .sources.comtrade import load_comtrade_file
    from .warehouse import run_lock

    with run_lock(args.warehouse, wait_seconds=args.wait, holder=f"load-file {args.path}"):
        loads = load_comtrade_file(
            args.path, warehouse=args.warehouse, batch_bytes=args.batch_mb * 2**20
        )
    if not loads:
        print(f"{args.path}: no rows — the payload holds no data (not published)")
    for load in loads:
        month = f"{load.period:%Y-%m}" if load.period else "(no month)"
        print(
            f"{month}: {load.status}, {load.rows_fetched} rows, {load.rows_new} new vintages, "
            f"{load.rows_quarantined} quarantined" + (f" ({load.message})" if load.message else "")
        )
    reasons: dict[str, int] = {}
    for load in loads:
        for reason, rows in (load.reasons or {}).items():
            reasons[reason] = reasons.get(reason, 0) + rows
    _print_reasons(reasons)
    return 0 if all(load.status != "failed" for load in loads) else EXIT_MONTHS_FAILED


def cmd_news_extract(args: argparse.Namespace) -> int:
    from .sources.news import CLAIM_TABLE_COLUMNS, extract_report

    published = dt.date.fromisoformat(args.published) if args.published else None
    max_bytes = int(args.max_mb * 1_000_000)
    report = extract_report(
        args.source, published=published, warehouse=args.warehouse, max_bytes=max_bytes
    )
    if args.format == "json":
        sys.stdout.write(json.dumps(report, default=_json_value, indent=1, ensure_ascii=False))
        sys.stdout.write("\n")
        return 0
    for key, value in report.items():
        if key not in ("claims", "text"):
            print(f"{key}: {_cell(value)}")
    rows = [tuple(c.get(k) for k in CLAIM_TABLE_COLUMNS) for c in report["claims"]]
    sys.stdout.write(format_rows(CLAIM_TABLE_COLUMNS, rows, "table"))
    return 0


def cmd_news_list(args: argparse.Namespace) -> int:
    from contextlib import closing

    from .schemas import Month
    from .warehouse import connect
    from .warehouse.db import run_sql

    month = Month.parse(args.month)
    with closing(connect(args.warehouse, read_only=True)) as con:
        result = run_sql(
            con, "news_list", {"start": month.first_day, "end": month.shift(1).first_day}
        )
        columns = [d[0] for d in result.description]
        rows = result.fetchall()
    sys.stdout.write(format_rows(columns, rows, args.format))
    return 0


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


def cmd_automation(args: argparse.Namespace) -> int:
    from .flows.automation import automation_yaml, block_document_id

    block_id = args.block_id or block_document_id(args.block)
    text = automation_yaml(block_id, args.block)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}: prefect automation create --from-file {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .report import write_report
    from .schemas.series import Month

    path = write_report(args.warehouse, Month.parse(args.month), args.out)
    print(f"wrote {path}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .warehouse.query import export_warehouse

    counts = export_warehouse(args.to, args.warehouse, fmt=args.format, tables=args.tables)
    for name, rows in counts.items():
        print(f"{name}: {rows} row{'s' if rows != 1 else ''}")
    print(f"{len(counts)} relations in {args.to} (manifest.json lists them)")
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
        command = " ".join(filter(None, [args.command, getattr(args, "news_command", None)]))
        from .errors import describe_failure

        where = getattr(args, "warehouse", None) or os.environ.get("TRADEWATCH_WAREHOUSE")
        print(f"tradewatch {command}: {describe_failure(exc, where or '.')}", file=sys.stderr)
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
    from .warehouse.db import WarehouseBusy
    from .watchlist import WatchlistError

    if isinstance(exc, WatchlistError | ConfigError):
        return EXIT_CONFIG
    if isinstance(exc, WarehouseBusy):
        return EXIT_BUSY
    if isinstance(exc, IngestFailed):
        return EXIT_MONTHS_FAILED
    return 1


if __name__ == "__main__":
    sys.exit(main())
