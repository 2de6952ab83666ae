"""How fast the command line answers, against plain DuckDB on the same warehouse.

    python -m benchmarks.cli [--repeat 5] [--warehouse PATH]

Each command runs as a user runs it — a fresh process of the installed ``tradewatch`` script —
``--repeat`` times; the figure is the median wall time. The floor is the same question asked of
DuckDB directly: ``python -c "import duckdb; duckdb.connect(PATH, read_only=True)..."``. Without
``--warehouse`` a small warehouse is made first (the migrations, no data). Results go to
``benchmarks/cli_results.json``.
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
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "cli_results.json"
TRADEWATCH = Path(sys.executable).with_name("tradewatch")


def median_seconds(argv: list[str], repeat: int, env: dict) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--warehouse", help="an existing warehouse (default: a fresh one)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        warehouse = args.warehouse or str(Path(scratch) / "bench.duckdb")
        if not args.warehouse:
            from tradewatch.warehouse import connect

            connect(warehouse).close()
        env = {**os.environ, "TRADEWATCH_WAREHOUSE": warehouse}
        floor = median_seconds(
            [sys.executable, "-c", "import duckdb; duckdb.connect("
             f"{warehouse!r}, read_only=True).execute('select 1').fetchall()"],
            args.repeat, env,
        )  # fmt: skip
        commands = {
            'query "select 1"': ["query", "select 1"],
            "status": ["status"],
            "alerts": ["alerts"],
            "--help": ["--help"],
        }
        rows = {}
        for name, command in commands.items():
            seconds = median_seconds([str(TRADEWATCH), *command], args.repeat, env)
            rows[name] = {"seconds": round(seconds, 3), "x_duckdb": round(seconds / floor, 2)}
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "repeat": args.repeat,
        "plain_duckdb_seconds": round(floor, 3),
        "commands": rows,
    }
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    print(f"plain DuckDB: {floor:.3f} s (median of {args.repeat})")
    for name, row in rows.items():
        print(f"tradewatch {name:<16} {row['seconds']:.3f} s  {row['x_duckdb']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
