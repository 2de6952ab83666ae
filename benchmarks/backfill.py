"""How much of an offline backfill is Prefect, and how much the pipeline's own work.

    python -m benchmarks.backfill [--start 2015-01 --end 2017-12]

Runs ``tradewatch backfill START END --offline`` as a user would (a fresh process, Prefect's
ephemeral server included) on a fresh warehouse and times it; then does the same fetch, parse,
validate and load work directly — the same functions, no Prefect — and reports the share of the
wall time spent outside that work. Results go to ``benchmarks/backfill_results.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

RESULTS = Path(__file__).parent / "backfill_results.json"


def direct(start: str, end: str, warehouse: Path) -> float:
    """The backfill's fetch, parse, validate and load for every source, without Prefect."""
    from tradewatch import watchlist
    from tradewatch.pipelines import comtrade, gacc
    from tradewatch.pipelines.http import ExchangeLog, source_client
    from tradewatch.schemas import Month, check_trade_rows
    from tradewatch.warehouse import Loading, RunIds, connect, load_payload, record_exchanges

    config = watchlist.load()
    months = Month.span(Month.parse(start), Month.parse(end))
    started = time.perf_counter()
    log = ExchangeLog()
    with closing(connect(warehouse)) as con:
        with source_client(
            "comtrade", log, offline=True, replayers=comtrade.REPLAYERS, min_interval=0
        ) as client:
            for request in comtrade.plan_requests(config.for_source("comtrade"), months):
                raw = comtrade.fetch_request(client, request)
                record_exchanges(con, log.drain(), "direct")
                months_asked = [m.first_day for m in request.months]
                loading = Loading(
                    "comtrade", RunIds("direct"), months_asked, request.series_keys(),
                    raw.exchange_id,
                )  # fmt: skip
                load_payload(con, loading, check_trade_rows(comtrade.parse_payload(raw)))
        with source_client(
            "gacc", log, offline=True, replayers=gacc.REPLAYERS, min_interval=0
        ) as client:
            for year in sorted({m.year for m in months if m.year >= gacc.ARCHIVE_START_YEAR}):
                for publication in gacc.PUBLICATIONS:
                    try:
                        page = gacc.fetch_page(client, gacc.index_url(publication, year))
                    except gacc.GaccHTTPError:
                        continue
                    for link in gacc.preferred_links(
                        gacc.parse_index(page, publication, year)
                    ).values():
                        release_page = gacc.fetch_page(client, link.url)
                        release, figures = gacc.parse_release(release_page)
                        check_trade_rows(gacc.trade_rows(release, figures))
        record_exchanges(con, log.drain(), "direct")
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.backfill", description=__doc__)
    parser.add_argument("--start", default="2015-01")
    parser.add_argument("--end", default="2017-12")
    args = parser.parse_args(argv)
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    with tempfile.TemporaryDirectory(prefix="tradewatch-bench-") as tmp:
        warehouse = Path(tmp) / "backfill.duckdb"
        started = time.perf_counter()
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "tradewatch.cli",
                "backfill",
                args.start,
                args.end,
                "--offline",
                "--warehouse",
                str(warehouse),
            ],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        wall = time.perf_counter() - started
        if run.returncode != 0:
            raise SystemExit(f"backfill failed:\n{run.stderr[-3000:]}")
        work = direct(args.start, args.end, Path(tmp) / "direct.duckdb")
    results = {
        "range": f"{args.start}..{args.end}",
        "wall_s": round(wall, 2),
        "pipeline_work_s": round(work, 2),
        "outside_share": round(1 - work / wall, 3),
        "machine": f"{os.cpu_count()} cores",
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    RESULTS.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    for key, value in results.items():
        print(f"{key:16} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
