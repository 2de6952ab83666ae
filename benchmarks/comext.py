"""A Comext month through tradewatch against the fastest plain route from the same archive.

    python -m benchmarks.ingest --source comext --rows 4900000 [--repeat 1]

(a) tradewatch: the flow's own code on the archive's bytes — ``parts.check`` (the 7z streamed
    by py7zr, every row checked, the watched series summed, the valid rows staged as Parquet a
    block at a time) and ``parts.load`` (vintages, quarantine, ledger and the month's full rows
    in ``comext_rows``, one transaction) into a new warehouse file, created and migrated before
    the clock starts (as a user's is, once: reported apart);
(b) the plain route: 7-Zip (``7zz x``) extracting the CSV to disk, then DuckDB's ``read_csv``
    loading it into a table, timed together (needs Debian's ``7zip`` package);
(c) the peer: dlt fed the same archive (7-Zip extracting it, pyarrow's streaming CSV reader
    handing dlt Arrow batches, dlt loading them into DuckDB) — decode included.
Each runs in a child process so its peak RSS is its own. The rows are GENERATED in Comext's
exact format (27 reporters, every ISO partner, CN8 codes); written to
``benchmarks/results-comext.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from .ingest import create_warehouse

RESULTS = Path(__file__).parent / "results-comext.json"
REPORTERS = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"


def generate(rows: int, seed: int, folder: Path) -> Path:
    """``full_v2_202402.7z`` holding ``rows`` generated rows, packed by 7-Zip."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pycountry

    from tradewatch.sources.comext.parse import COLUMNS

    rng = np.random.default_rng(seed)
    reporters = np.array(REPORTERS.split())
    partners = np.array(sorted(c.alpha_2 for c in pycountry.countries))
    products = np.array([f"{c:08d}" for c in rng.integers(1_010_000, 97_000_000, 9_000)])
    value = rng.lognormal(8, 2.5, rows).astype("int64")
    text = {
        "REPORTER": reporters[rng.integers(0, len(reporters), rows)],
        "PARTNER": partners[rng.integers(0, len(partners), rows)],
        "TRADE_TYPE": np.where(rng.random(rows) < 0.6, "E", "I"),
        "PRODUCT_NC": products[rng.integers(0, len(products), rows)],
        "PRODUCT_SITC": np.full(rows, "59229"), "PRODUCT_CPA21": np.full(rows, "2052"),
        "PRODUCT_CPA22": np.full(rows, "2059"), "PRODUCT_BEC": np.full(rows, "220"),
        "PRODUCT_BEC5": np.full(rows, "311210"), "PRODUCT_SECTION": np.full(rows, "06"),
        "FLOW": np.where(rng.random(rows) < 0.5, "1", "2"), "STAT_PROCEDURE": np.full(rows, "1"),
        "SUPPL_UNIT": np.full(rows, "NO_SU"), "PERIOD": np.full(rows, "202402"),
        "VALUE_EUR": value.astype(str), "VALUE_NAC": value.astype(str),
        "QUANTITY_KG": (value * rng.uniform(0.1, 5, rows)).astype("int64").astype(str),
        "QUANTITY_SUPPL_UNIT": np.full(rows, "0"),
    }  # fmt: skip
    csv = folder / "full_v2_202402.dat"
    table = pa.table({c: text[c] for c in COLUMNS})
    with open(csv, "wb") as out:  # Comext's header is bare; pyarrow would quote its own
        out.write((",".join(COLUMNS) + "\n").encode())
        options = pacsv.WriteOptions(include_header=False, quoting_style="none")
        pacsv.write_csv(table, out, options)
    packed = folder / "full_v2_202402.7z"
    subprocess.run(["7zz", "a", "-t7z", "-bd", str(packed), str(csv)], check=True,
                   capture_output=True)  # fmt: skip
    csv.unlink()
    return packed


def run_tradewatch(packed: Path, db: Path) -> dict:
    from contextlib import closing

    from tradewatch.pipelines.http import Exchange
    from tradewatch.schemas import Month, Series
    from tradewatch.sources.comext import parts
    from tradewatch.warehouse import RunIds, connect, record_exchanges

    watched = (Series("coal-deu-world", 276, 0, "2701", "M"),)
    created = create_warehouse(db)
    started = time.perf_counter()
    body = packed.read_bytes()
    exchange = Exchange("comext", "GET", packed.as_uri(), 200, {}, {}, body,
                        dt.datetime.now(dt.UTC), 1.0, 1)  # fmt: skip
    with closing(connect(str(db))) as con:
        record_exchanges(con, [exchange], "bench")
        kept = time.perf_counter()
        request = parts.ComextRequest(Month(2024, 2), watched)
        answer = parts.ComextAnswer(request, packed.as_uri(), body, True, exchange.exchange_id)
        del body, exchange
        checked = parts.check(answer)
        read = time.perf_counter()
        parts.load(con, answer, checked, RunIds("bench"))
        rows = con.execute("select count(*) from comext_rows").fetchall()[0][0]
    done = time.perf_counter()
    return {"seconds": done - started, "create_warehouse_s": created,
            "keep_bytes_s": kept - started,
            "stream_check_stage_s": read - kept, "load_s": done - read, "rows": rows}  # fmt: skip


def run_plain(packed: Path, db: Path) -> dict:
    import duckdb

    started = time.perf_counter()
    out = db.with_suffix(".extracted")
    subprocess.run(["7zz", "x", "-bd", "-y", f"-o{out}", str(packed)], check=True,
                   capture_output=True)  # fmt: skip
    extracted = time.perf_counter()
    (csv,) = out.iterdir()
    con = duckdb.connect(str(db))
    con.execute(f"create table rows as select * from read_csv('{csv}', all_varchar = true)")
    rows = con.execute("select count(*) from rows").fetchall()[0][0]
    con.close()
    done = time.perf_counter()
    shutil.rmtree(out)
    return {"seconds": done - started, "extract_s": extracted - started,
            "duckdb_load_s": done - extracted, "rows": rows}  # fmt: skip


def run_dlt(packed: Path, db: Path) -> dict:
    """dlt fed the same archive its fastest way: 7-Zip extracting it, pyarrow reading the CSV
    a block at a time (every column as text, as published), dlt loading the Arrow batches."""
    import dlt
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from tradewatch.sources.comext.parse import COLUMNS

    started = time.perf_counter()
    out = db.with_suffix(".extracted")
    subprocess.run(["7zz", "x", "-bd", "-y", f"-o{out}", str(packed)], check=True,
                   capture_output=True)  # fmt: skip
    (csv,) = out.iterdir()

    def batches():
        options = pacsv.ConvertOptions(column_types={c: pa.string() for c in COLUMNS})
        with pacsv.open_csv(csv, convert_options=options) as reader:
            yield from reader

    pipeline = dlt.pipeline(
        pipeline_name=f"bench_comext_{os.getpid()}",
        destination=dlt.destinations.duckdb(str(db)),
        dataset_name="bench",
        pipelines_dir=str(db.with_suffix(".dlt")),
    )
    pipeline.run(batches(), table_name="comext_rows", write_disposition="append")
    with pipeline.sql_client() as client:
        rows = client.execute_sql("select count(*) from comext_rows")[0][0]
    done = time.perf_counter()
    shutil.rmtree(out)
    return {"seconds": done - started, "rows": rows}


CONTENDERS = {"tradewatch": run_tradewatch, "plain_7zz_duckdb": run_plain, "dlt_7zz_arrow": run_dlt}


def child(name: str, packed: str, db: str) -> None:
    result = CONTENDERS[name](Path(packed), Path(db))
    result["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(result))


def _peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM: the exec'd image's, not the forking parent's,
    which ``ru_maxrss`` keeps across exec on Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(name: str, packed: Path, folder: Path, repeat: int) -> dict:
    runs = []
    for i in range(repeat):
        db = folder / f"{name}-{i}.duckdb"
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.comext", "--child", name, str(packed), str(db)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if out.returncode != 0:
            raise RuntimeError(f"{name} failed:\n{out.stderr[-3000:]}")
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        for leftover in folder.glob(f"{name}-{i}.*"):
            shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    best = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    best["runs"] = [round(r["seconds"], 3) for r in runs]
    return best


def run(rows: int, repeat: int, seed: int, folder: Path) -> int:
    packed = generate(rows, seed, folder)
    payload_mb = packed.stat().st_size / 2**20
    figures = {name: measure(name, packed, folder, repeat) for name in CONTENDERS}
    for name, f in figures.items():
        print(f"{name:18} {f['seconds']:7.2f} s  peak RSS {f['peak_rss_mb']:6.0f} MB  "
              f"rows {f['rows']:,}  runs {f['runs']}")  # fmt: skip
    tw, plain = figures["tradewatch"], figures["plain_7zz_duckdb"]
    dlt_seconds = figures["dlt_7zz_arrow"]["seconds"]
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    sizes = previous.get("sizes", {})
    sizes[str(rows)] = {
        "payload_mb": round(payload_mb, 1),
        "time_ratio_vs_duckdb": round(tw["seconds"] / plain["seconds"], 2),
        "peak_rss_mb": round(tw["peak_rss_mb"]),
        "plain_peak_rss_mb": round(plain["peak_rss_mb"]),
        "speedup_vs_dlt": round(dlt_seconds / tw["seconds"], 2),
        "contenders": figures,
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "rows": "GENERATED in Comext's format",
    }
    RESULTS.write_text(json.dumps({"source": "comext", "sizes": sizes}, indent=1) + "\n")
    this = sizes[str(rows)]
    print(f"time_ratio_vs_duckdb {this['time_ratio_vs_duckdb']}  "
          f"peak_rss_mb {this['peak_rss_mb']}  payload_mb {payload_mb:.1f}")  # fmt: skip
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__" and sys.argv[1:2] == ["--child"]:
    child(*sys.argv[2:5])
