"""Time tradewatch's ingestion path against DuckDB's own reader and dlt, on one Comtrade payload.

    python -m benchmarks.ingest --rows 1000000 [--repeat 3] [--seed 7]
    python -m benchmarks.ingest --source comext --rows 4900000   (see benchmarks/comext.py)

(a) tradewatch: parse -> validate (pandera) -> load (upsert with vintages) into a new warehouse
    file, created and migrated before the clock starts (as a user's is, once: reported apart);
(b) the floor: DuckDB's native reader (read_json on the API-shaped file, read_csv on the bulk CSV
    shape) inserting into a plain table;
(c) the peer: dlt into DuckDB with write_disposition="merge" on the same key, fed an Arrow table
    (its fastest route) and, beside it, the parsed records as dicts.
Each is run in a child process so its peak RSS is its own; the median of ``--repeat`` runs is
reported, and everything is written to benchmarks/results.json. Needs the ``bench`` extra.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

RESULTS = Path(__file__).parent / "results.json"
KEY = ["reporter_code", "partner_code", "hs_code", "flow", "period"]


def generate(rows: int, seed: int) -> Iterator[dict]:
    """A month of China's imports: every HS6 code x partner, in Comtrade's record shape."""
    rng = random.Random(seed)
    partners = list(range(4, 900, 4))
    codes = [f"{h:06d}" for h in range(10101, 10101 + rows // len(partners) + 1)]
    for i in range(rows):
        partner, code = partners[i % len(partners)], codes[i // len(partners)]
        kg = round(rng.lognormvariate(10, 3), 1)
        yield (
            {
                "typeCode": "C",
                "freqCode": "M",
                "refPeriodId": 20180301,
                "refYear": 2018,
                "refMonth": 3,
                "period": "201803",
                "reporterCode": 156,
                "reporterISO": "CHN",
                "reporterDesc": "China",
                "flowCode": "M",
                "flowDesc": "Import",
                "partnerCode": partner,
                "partnerISO": "",
                "partnerDesc": "",
                "partner2Code": 0,
                "partner2ISO": "W00",
                "partner2Desc": "World",
                "classificationCode": "H5",
                "classificationSearchCode": "HS",
                "isOriginalClassification": True,
                "cmdCode": code,
                "cmdDesc": "",
                "aggrLevel": 6,
                "isLeaf": True,
                "customsCode": "C00",
                "customsDesc": "TOTAL CPC",
                "mosCode": "0",
                "motCode": 0,
                "motDesc": "TOTAL MOT",
                "qtyUnitCode": 8,
                "qtyUnitAbbr": "kg",
                "qty": kg,
                "isQtyEstimated": False,
                "altQtyUnitCode": 8,
                "altQtyUnitAbbr": "kg",
                "altQty": kg,
                "isAltQtyEstimated": False,
                "netWgt": kg,
                "isNetWgtEstimated": False,
                "grossWgt": None,
                "isGrossWgtEstimated": False,
                "cifvalue": round(kg * 3.1, 2),
                "fobvalue": None,
                "primaryValue": round(kg * 3.1, 2),
                "legacyEstimationFlag": 0,
                "isReported": True,
                "isAggregate": False,
            }
        )


def write_payloads(records: Iterator[dict], rows: int, folder: Path) -> tuple[Path, Path]:
    """The API's JSON document and the bulk CSV, written record by record (any size)."""
    json_path, csv_path = folder / "payload.json", folder / "payload.csv"
    with (
        open(json_path, "w", encoding="utf-8") as js,
        open(csv_path, "w", newline="", encoding="utf-8") as cs,
    ):
        js.write(f'{{"elapsedTime":"1.0 secs","count":{rows},"data":[')
        writer = None
        for i, record in enumerate(records):
            if writer is None:
                writer = csv.DictWriter(cs, fieldnames=list(record))
                writer.writeheader()
            writer.writerow(record)
            js.write(("," if i else "") + json.dumps(record, separators=(",", ":")))
        js.write('],"error":""}')
    # written back to disk now, not by the kernel while the first contender runs
    os.sync()
    return json_path, csv_path


# --- the three contenders, each run in its own process -------------------------------------


def download(payload: Path):
    """The payload as the client delivers it: an exchange whose body was hashed chunk by chunk
    as it arrived (PoliteTransport does the same). Untimed, as the network is for everyone."""
    import hashlib

    from tradewatch.pipelines.http import Exchange

    body, digest = payload.read_bytes(), hashlib.sha256()
    view = memoryview(body)
    for start in range(0, len(body), 2**20):
        digest.update(view[start : start + 2**20])
    fetched_at = dt.datetime.now(dt.UTC)
    return Exchange(
        "comtrade", "GET", "https://bench/", 200, {}, {}, body, fetched_at, 0.0, 1,
        sha256=digest.hexdigest(),
    )  # fmt: skip


def run_tradewatch(payload: Path, db: Path) -> dict:
    from contextlib import closing

    from tradewatch.pipelines.comtrade import ComtradeRequest, RawPayload, parse_payload
    from tradewatch.schemas import Month, check_trade_rows
    from tradewatch.warehouse import (
        Loading,
        RunIds,
        connect,
        load_payload,
        record_exchanges,
        record_if_unchanged,
    )

    exchange = download(payload)
    created = create_warehouse(db)
    started = time.perf_counter()
    raw = RawPayload(
        ComtradeRequest(156, 0, "M", ("AG6",), (Month(2018, 3),)),
        "https://bench/",
        200,
        exchange.body,
        exchange.fetched_at,
        exchange.exchange_id,
        "bulk",
    )
    frame = parse_payload(raw)
    parsed = time.perf_counter()
    checked = check_trade_rows(frame)
    validated = time.perf_counter()
    with closing(connect(db)) as con:
        record_exchanges(con, [exchange], "bench")
        march = [dt.date(2018, 3, 1)]
        loading = Loading("comtrade", RunIds("bench"), march, [], exchange.exchange_id)
        loads = load_payload(con, loading, checked)
    done = time.perf_counter()
    rows_loaded = sum(m.rows_new for m in loads)
    del exchange, raw, frame, checked, loads  # a new download holds new bytes
    # The same bytes fetched again: the flow's short-circuit (store the exchange, compare the
    # hash with the month's last load) instead of parse, validate and load.
    again = download(payload)
    again_started = time.perf_counter()
    with closing(connect(db)) as con:
        record_exchanges(con, [again], "bench-2")
        loading = Loading("comtrade", RunIds("bench-2"), march, exchange_id=again.exchange_id)
        skipped = record_if_unchanged(con, loading)
    if skipped is None:
        raise RuntimeError("the unchanged payload was not recognised")
    return {
        "seconds": done - started,
        "create_warehouse_s": created,
        "parse_s": parsed - started,
        "validate_s": validated - parsed,
        "load_s": done - validated,
        "rows_loaded": rows_loaded,
        "reload_unchanged_s": time.perf_counter() - again_started,
    }


def create_warehouse(db: Path) -> float:
    """Create and migrate the warehouse a tradewatch route loads into, before its clock starts,
    as a user's warehouse is made once and loaded every month: the seconds it took."""
    from tradewatch.warehouse import connect

    started = time.perf_counter()
    connect(str(db)).close()
    return time.perf_counter() - started


def run_tradewatch_stream(payload: Path, db: Path) -> dict:
    """Streaming mode: the file kept in chunks, then parsed, validated and staged a batch at a
    time (32 MB of JSON), loaded in one transaction, DuckDB held to 192 MB of memory."""
    from tradewatch.schemas import Month
    from tradewatch.sources.comtrade import load_comtrade_file

    created = create_warehouse(db)
    started = time.perf_counter()
    loads = load_comtrade_file(payload, warehouse=str(db), months=[Month(2018, 3)])
    return {
        "seconds": time.perf_counter() - started,
        "create_warehouse_s": created,
        "rows_loaded": sum(m.rows_new for m in loads),
        "workers": os.cpu_count() or 1,  # the processes reading its batches (comtrade.bulk)
    }


def run_duckdb_json(payload: Path, db: Path) -> dict:
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect(str(db))
    con.execute(
        "create table trade as select d.* from (select unnest(data) as d from read_json(?,"
        " maximum_object_size = 4000000000))",
        [str(payload)],
    )
    rows = con.execute("select count(*) from trade").fetchall()[0][0]
    con.close()
    return {"seconds": time.perf_counter() - started, "rows_loaded": rows}


def run_duckdb_csv(payload: Path, db: Path) -> dict:
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect(str(db))
    con.execute("create table trade as select * from read_csv(?)", [str(payload)])
    rows = con.execute("select count(*) from trade").fetchall()[0][0]
    con.close()
    return {"seconds": time.perf_counter() - started, "rows_loaded": rows}


def _dlt_rows(payload: Path):
    from tradewatch.pipelines.comtrade import ComtradeRequest, RawPayload, parse_payload
    from tradewatch.schemas import Month, check_trade_rows

    raw = RawPayload(
        ComtradeRequest(156, 0, "M", ("AG6",), (Month(2018, 3),)),
        "https://bench/",
        200,
        payload.read_bytes(),
        dt.datetime.now(dt.UTC),
        None,
        "bulk",
    )
    valid = check_trade_rows(parse_payload(raw)).valid.drop(columns=["freq"])
    valid["period"] = valid["period"].dt.date
    return valid


def run_dlt(payload: Path, db: Path, route: str) -> dict:
    import dlt
    import pyarrow as pa

    started = time.perf_counter()  # decoding the same bytes counts, as it does for tradewatch
    frame = _dlt_rows(payload)
    data = (
        pa.Table.from_pandas(frame, preserve_index=False)
        if route == "arrow"
        else (frame.to_dict("records"))
    )
    pipeline = dlt.pipeline(
        pipeline_name=f"bench_{route}_{os.getpid()}",
        destination=dlt.destinations.duckdb(str(db)),
        dataset_name="bench",
        pipelines_dir=str(db.parent / "dlt"),
    )
    pipeline.run(data, table_name="trade", write_disposition="merge", primary_key=["source", *KEY])
    with pipeline.sql_client() as client:
        rows = client.execute_sql("select count(*) from trade")[0][0]
    return {"seconds": time.perf_counter() - started, "rows_loaded": rows}


CONTENDERS = {
    "tradewatch": lambda p, db: run_tradewatch(p["json"], db),
    "tradewatch_stream": lambda p, db: run_tradewatch_stream(p["json"], db),
    "duckdb_json": lambda p, db: run_duckdb_json(p["json"], db),
    "duckdb_csv": lambda p, db: run_duckdb_csv(p["csv"], db),
    "dlt_arrow": lambda p, db: run_dlt(p["json"], db, "arrow"),
    "dlt_dicts": lambda p, db: run_dlt(p["json"], db, "dicts"),
}


def child(name: str, json_path: str, csv_path: str, db: str) -> None:
    """Run one contender and print its figures and this process's peak RSS as JSON."""
    result = CONTENDERS[name]({"json": Path(json_path), "csv": Path(csv_path)}, Path(db))
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # worker processes' memory counts too: each at the largest one's peak (an upper bound; the
    # pages a forked worker shares with this process are counted twice)
    workers = result.pop("workers", 0)
    largest_worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if workers else 0
    result["peak_rss_mb"] = (own + workers * largest_worker) / 1024
    print(json.dumps(result))


def measure(name: str, paths: tuple[Path, Path], folder: Path, repeat: int) -> dict:
    runs = []
    for i in range(repeat):
        db = folder / f"{name}-{i}.duckdb"
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.ingest",
                "--child",
                name,
                str(paths[0]),
                str(paths[1]),
                str(db),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            raise RuntimeError(f"{name} failed:\n{out.stderr[-3000:]}")
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        for leftover in folder.glob(f"{name}-{i}.duckdb*"):
            if leftover.is_dir():  # the body store beside the warehouse
                shutil.rmtree(leftover)
            else:
                leftover.unlink()
    best = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    best["runs"] = [round(r["seconds"], 3) for r in runs]
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ingest", description=__doc__)
    parser.add_argument("--source", choices=["comtrade", "comext"], default="comtrade")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", nargs="*", choices=list(CONTENDERS), help="run only these")
    parser.add_argument(
        "--child", nargs=4, metavar=("NAME", "JSON", "CSV", "DB"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    if args.source == "comext":
        from . import comext

        with tempfile.TemporaryDirectory(prefix="tradewatch-bench-") as tmp:
            return comext.run(args.rows, args.repeat, args.seed, Path(tmp))
    with tempfile.TemporaryDirectory(prefix="tradewatch-bench-") as tmp:
        folder = Path(tmp)
        paths = write_payloads(generate(args.rows, args.seed), args.rows, folder)
        payload_mb = paths[0].stat().st_size / 2**20
        figures = {}
        for name in args.only or CONTENDERS:
            figures[name] = measure(name, paths, folder, args.repeat)
            rate = args.rows / figures[name]["seconds"]
            print(
                f"{name:12} {figures[name]['seconds']:8.2f} s  {rate:12,.0f} rows/s  "
                f"peak RSS {figures[name]['peak_rss_mb']:8.0f} MB  runs {figures[name]['runs']}"
            )
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    measured_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    streaming = previous.get("streaming", {})
    if "tradewatch_stream" in figures:
        stream = figures["tradewatch_stream"]
        streaming[str(args.rows)] = {
            "payload_mb": round(payload_mb, 1),
            "seconds": round(stream["seconds"], 3),
            "rows_per_s": round(args.rows / stream["seconds"]),
            "peak_rss_mb": round(stream["peak_rss_mb"]),
            "runs": stream["runs"],
            "machine": machine,
            "measured_at": measured_at,
        }
    _write_source_results(args.rows, payload_mb, figures, machine, measured_at)
    if "tradewatch" not in figures:
        # Only streaming was run: keep the last full comparison, add this size's figures.
        RESULTS.write_text(json.dumps({**previous, "streaming": streaming}, indent=1) + "\n")
        for rows, entry in sorted(streaming.items(), key=lambda item: int(item[0])):
            print(
                f"streaming {int(rows):>10,} rows: {entry['seconds']:7.2f} s, "
                f"peak RSS {entry['peak_rss_mb']} MB (payload {entry['payload_mb']} MB)"
            )
        print(f"wrote {RESULTS}")
        return 0
    results = {
        "rows": args.rows,
        "payload_mb": round(payload_mb, 1),
        "machine": machine,
        "measured_at": measured_at,
        "contenders": figures,
        "streaming": streaming,
    }
    natives = [figures[n] for n in ("duckdb_json", "duckdb_csv") if n in figures]
    # The floor is the faster of DuckDB's two readers (the CSV one, in practice).
    tw, floor = figures.get("tradewatch"), min(natives, key=lambda f: f["seconds"], default=None)
    if tw:
        results["tradewatch_rows_per_s"] = round(args.rows / tw["seconds"])
        results["peak_rss_mb"] = round(tw["peak_rss_mb"])
        results["tradewatch_breakdown_s"] = {
            k: round(tw[k], 3) for k in ("parse_s", "validate_s", "load_s")
        }
        results["reload_unchanged_s"] = round(tw["reload_unchanged_s"], 3)
        results["reload_share_of_first_load"] = round(tw["reload_unchanged_s"] / tw["seconds"], 3)
    if floor:
        results["duckdb_native_rows_per_s"] = round(args.rows / floor["seconds"])
    if "dlt_arrow" in figures:
        results["dlt_rows_per_s"] = round(args.rows / figures["dlt_arrow"]["seconds"])
    if tw and floor:
        results["time_ratio_vs_duckdb"] = round(tw["seconds"] / floor["seconds"], 2)
    if tw and "dlt_arrow" in figures:
        results["speedup_vs_dlt"] = round(figures["dlt_arrow"]["seconds"] / tw["seconds"], 2)
    if tw and "dlt_dicts" in figures:
        results["speedup_vs_dlt_dicts"] = round(figures["dlt_dicts"]["seconds"] / tw["seconds"], 2)
    RESULTS.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    for key in (
        "time_ratio_vs_duckdb",
        "speedup_vs_dlt",
        "speedup_vs_dlt_dicts",
        "peak_rss_mb",
        "payload_mb",
        "reload_share_of_first_load",
    ):
        if key in results:
            print(f"{key:22} {results[key]}")
    print(f"wrote {RESULTS}")
    return 0


def _write_source_results(
    rows: int, payload_mb: float, figures: dict, machine: str, measured_at: str
) -> None:
    """``results-comtrade.json``, the names every source's benchmark writes: the streaming
    route (memory flat) against DuckDB's ``read_csv`` of the same rows, at this size."""
    stream, plain = figures.get("tradewatch_stream"), figures.get("duckdb_csv")
    if not (stream and plain):
        return
    path = RESULTS.with_name("results-comtrade.json")
    sizes = json.loads(path.read_text()).get("sizes", {}) if path.exists() else {}
    entry = {
        "payload_mb": round(payload_mb, 1),
        "time_ratio_vs_duckdb": round(stream["seconds"] / plain["seconds"], 2),
        "peak_rss_mb": round(stream["peak_rss_mb"]),
        "plain_peak_rss_mb": round(plain["peak_rss_mb"]),
        "contenders": {k: figures[k] for k in figures if k != "duckdb_json"},
        "machine": machine,
        "measured_at": measured_at,
    }
    if "dlt_arrow" in figures:
        entry["speedup_vs_dlt"] = round(figures["dlt_arrow"]["seconds"] / stream["seconds"], 2)
    sizes[str(rows)] = entry
    path.write_text(json.dumps({"source": "comtrade", "sizes": sizes}, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    sys.exit(main())
