"""A large offline backfill on the DuckDB file and on DuckLake with 1, 2 and 4 writers at once.

    .venv-lake/bin/python -m benchmarks.scale \
        --lake "ducklake:postgres:dbname=lake host=127.0.0.1 port=55432 user=tw" \
        [--partners 40] [--years 2010-2019] [--workers]

Generates Comtrade recordings in the API's shape for China's imports of five commodities from
``--partners`` partners over ten years (synthetic figures; written to a temporary folder and
replayed through ``TRADEWATCH_COMTRADE_RECORDINGS``) and a watchlist of those series. Then runs
``tradewatch backfill --offline`` as users would (fresh processes, Prefect's ephemeral server
each): once on a DuckDB file, and on the lake split into 1, 2 and 4 contiguous year ranges run at
once. Meanwhile this process reads in a loop (connect read-only, one query, close) and records
each read's latency and failures. The lake must be a new, empty catalog database per run: the
benchmark creates ``<dbname>_<n>`` databases with ``createdb`` beside the one given.
With ``--workers`` it also starts a team as the README's "Running as a team" does (a Prefect
server on that PostgreSQL, the work pool, the deployments, four workers) and runs the whole range
as ``tradewatch backfill --parallel N`` for N = 1, 2 and 4.
Results go to ``benchmarks/scale_results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "scale_results.json"
COMMODITIES = ("2701", "2601", "2709", "7108", "1001")
PG_BIN = Path(os.environ.get("TRADEWATCH_PG_BIN", "/usr/lib/postgresql/15/bin"))


def write_recordings(folder: Path, partners: list[int], years: range) -> int:
    """One recording per partner, every commodity and month: the API's record shape."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for index, partner in enumerate(partners):
        records = []
        for year in years:
            for month in range(1, 13):
                for k, hs in enumerate(COMMODITIES):
                    tonnes = 1000 + (index * 37 + k * 11 + year * 7 + month * 13) % 900
                    kg = tonnes * 1000.0
                    records.append(
                        {
                            "typeCode": "C", "freqCode": "M", "refYear": year, "refMonth": month,
                            "refPeriodId": year * 10000 + month * 100 + 1,
                            "period": f"{year}{month:02d}", "reporterCode": 156,
                            "flowCode": "M", "partnerCode": partner, "partner2Code": 0,
                            "cmdCode": hs, "customsCode": "C00", "motCode": 0,
                            "qtyUnitCode": 8, "qtyUnitAbbr": "kg", "qty": kg, "netWgt": kg,
                            "primaryValue": tonnes * 90.0, "cmdDesc": f"Commodity {hs}",
                        }
                    )  # fmt: skip
        count += len(records)
        path = folder / f"C_M_HS_r156_p{partner}_M.json"
        path.write_text(json.dumps({"count": len(records), "data": records, "error": ""}))
    return count


def write_watchlist(path: Path, partners: list[int]) -> int:
    lines = ["[run]\nwindow_months = 3\n"]
    for partner in partners:
        for hs in COMMODITIES:
            lines.append(
                f'[[series]]\nname = "s-{partner}-{hs}"\nreporter = 156\npartner = {partner}\n'
                f'hs = "{hs}"\nsources = ["comtrade"]\n'
            )
    path.write_text("\n".join(lines))
    return len(partners) * len(COMMODITIES)


def _chunks(years: range, n: int) -> list[tuple[int, int]]:
    size = -(-len(years) // n)
    return [(years[i], years[min(i + size, len(years)) - 1]) for i in range(0, len(years), size)]


class Reader(threading.Thread):
    """Reads in a loop while loads run: latency of each connect-query-close, and failures."""

    def __init__(self, warehouse: str, data_path: str | None) -> None:
        super().__init__(daemon=True)
        self.warehouse, self.data_path = warehouse, data_path
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        from tradewatch.warehouse import connect

        if self.data_path:
            os.environ["TRADEWATCH_DATA_PATH"] = self.data_path
        while not self.stop.is_set():
            started = time.perf_counter()
            try:
                with connect(self.warehouse, read_only=True, wait_seconds=0) as con:
                    con.execute(
                        "select period, count(*) from trade_monthly group by all"
                    ).fetchall()
                self.latencies.append(time.perf_counter() - started)
            except Exception as exc:  # measured, not hidden: each failure is counted and kept
                if self.latencies:  # before the first load there is no warehouse to read yet
                    self.failures.append(str(exc).splitlines()[0][:120])
            time.sleep(0.05)


def run_backfills(
    warehouse: str, ranges, env: dict, data_path: str | None, parallel: int = 0
) -> dict:
    """Each range as its own ``tradewatch backfill`` process, all at once; or, with
    ``parallel``, the one range as ``backfill --parallel N`` on the team's workers."""
    reader = Reader(warehouse, data_path)
    reader.start()
    started = time.perf_counter()
    extra = ["--parallel", str(parallel)] if parallel else []
    writers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tradewatch.cli",
                "backfill",
                f"{a}-01",
                f"{b}-12",
                "--offline",
                *extra,
            ],
            env={**env, "TRADEWATCH_WAREHOUSE": warehouse},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for a, b in ranges
    ]
    errors = [w.communicate()[1][-500:] for w in writers if w.wait() != 0]
    wall = time.perf_counter() - started
    reader.stop.set()
    reader.join()
    lat = sorted(reader.latencies)
    return {
        "writers": parallel or len(ranges),
        "wall_seconds": round(wall, 1),
        "writer_failures": errors,
        "reads": len(lat),
        "read_failures": len(reader.failures),
        "read_failure_example": reader.failures[0] if reader.failures else None,
        "read_median_ms": round(1000 * statistics.median(lat), 1) if lat else None,
        "read_p95_ms": round(1000 * lat[int(0.95 * (len(lat) - 1))], 1) if lat else None,
    }


def _new_lake(lake: str, n: int) -> str:
    """A fresh catalog database beside the given one: ``dbname=<name>_<n>``."""
    import re

    name = re.search(r"dbname=(\S+)", lake).group(1)
    fresh = f"{name}_{n}_{int(time.time())}"
    host = re.search(r"host=(\S+)", lake).group(1)
    port = re.search(r"port=(\S+)", lake).group(1)
    user = re.search(r"user=(\S+)", lake).group(1)
    subprocess.run(
        [str(PG_BIN / "createdb"), "-h", host, "-p", port, "-U", user, fresh], check=True
    )
    return lake.replace(f"dbname={name}", f"dbname={fresh}")


def run_on_workers(lake: str, years: range, env: dict, root: Path) -> dict:
    """The whole range as ``backfill --parallel N`` for N = 1, 2, 4, on four workers."""
    import re

    from benchmarks.team import team

    catalog = _new_lake(lake, 0).removeprefix("ducklake:postgres:")
    name = re.search(r"dbname=(\S+)", catalog).group(1)
    host, port, user = (
        re.search(rf"{k}=(\S+)", catalog).group(1) for k in ("host", "port", "user")
    )
    database = f"postgresql+asyncpg://{user}@{host}:{port}/{name}"
    runs = {}
    with team({**env, "PREFECT_API_DATABASE_CONNECTION_URL": database}, root / "team", 4) as (
        team_env,
        _,
    ):
        for n in (1, 2, 4):
            data = str(root / f"lake-workers-{n}")
            runs[f"lake, {n} of 4 workers"] = run_backfills(
                _new_lake(lake, 10 + n), [(years[0], years[-1])],
                {**team_env, "TRADEWATCH_DATA_PATH": data}, data, parallel=n,
            )  # fmt: skip
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", required=True, help="ducklake:postgres:<libpq> to copy")
    parser.add_argument("--partners", type=int, default=40)
    parser.add_argument("--years", default="2010-2019")
    parser.add_argument(
        "--workers",
        action="store_true",
        help="also run `backfill --parallel N` (N = 1, 2, 4) on four Prefect workers started "
        "here (a Prefect server on the lake's PostgreSQL, as in Running as a team)",
    )
    args = parser.parse_args(argv)
    first, last = map(int, args.years.split("-"))
    years = range(first, last + 1)
    from tradewatch.schemas.countries import country_table

    partners = [code for code, _, _ in country_table() if code not in (0, 156)][: args.partners]
    with tempfile.TemporaryDirectory(prefix="tw-scale-") as tmp:
        root = Path(tmp)
        records = write_recordings(root / "recordings", partners, years)
        series = write_watchlist(root / "watchlist.toml", partners)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        env.update(
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            TRADEWATCH_COMTRADE_RECORDINGS=str(root / "recordings"),
            TRADEWATCH_WATCHLIST=str(root / "watchlist.toml"),
        )
        whole = [(first, last)]
        runs = {"file": run_backfills(str(root / "w.duckdb"), whole, env, None)}
        for n in (1, 2, 4):
            data = str(root / f"lake-{n}")
            runs[f"lake x{n}"] = run_backfills(
                _new_lake(args.lake, n), _chunks(years, n), {**env, "TRADEWATCH_DATA_PATH": data},
                data,
            )  # fmt: skip
        if args.workers:
            runs.update(run_on_workers(args.lake, years, env, root))
    one = runs["lake x1"]["wall_seconds"]
    for run in runs.values():
        run["speedup_vs_lake_x1"] = round(one / run["wall_seconds"], 2)
    result = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "series": series,
        "records": records,
        "months": len(years) * 12,
        "runs": runs,
    }
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
