"""Backtest of the reversal rules: how often each cries wolf, and how fast it sees a real break.

    python -m benchmarks.alerts [--series 200] [--years 8] [--seed 7]

Both rules are the warehouse's own ``reversals`` view (the same SQL a run alerts from), judged on
series written into a scratch warehouse:

(a) generated series, half of them with a break: a seasonal pattern, a Lunar New Year dip that
    falls in January or February as the holiday moves (its real dates, 2013-2024), a March
    rebound, a trend and noise, reported by China (whose customs publishes January and February
    together); a break is a lasting level shift of 30-50% up or down in the last four years.
    *False alarms per series-year* are the alerts on series without a break; a break is *found
    within one month* when an alert in its direction falls in its month or the next.
(b) every offline series (the recordings, backfilled 2015-2018): alerts per series-year, and
    those in January-March, with the rule that raised them.
(c) the real 121-month US Census series in ``../shared/samples/census/`` (read in place): the
    same.

Writes ``benchmarks/results-alerts.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import subprocess
import sys
import tempfile
from contextlib import closing
from pathlib import Path

from tradewatch.warehouse import connect

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parents[0].parent / "shared/samples/census"
RESULTS = HERE / "results-alerts.json"
# The Lunar New Year's month, by year (1 January, 2 February).
LUNAR_NEW_YEAR = {2013: 2, 2014: 1, 2015: 2, 2016: 2, 2017: 1, 2018: 2, 2019: 2, 2020: 1,
                  2021: 2, 2022: 2, 2023: 1, 2024: 2}  # fmt: skip
RULES = ("simple", "seasonal")
START_YEAR = 2013


def generated(count: int, years: int, seed: int) -> list[dict]:
    """Series with a season, a moving Lunar New Year, a trend and noise; every other one breaks."""
    rng = random.Random(seed)
    out = []
    for index in range(count):
        level = math.log(rng.uniform(1e6, 1e8))
        season = [rng.gauss(0, 0.08) for _ in range(12)]
        trend = rng.uniform(-0.008, 0.008)
        noise = rng.uniform(0.03, 0.08)
        breaks = index % 2 == 1
        months = 12 * years
        at = rng.randrange(months - 48, months - 2) if breaks else None
        shift = rng.choice((-1, 1)) * rng.uniform(0.30, 0.50) if breaks else 0.0
        values = []
        for step in range(months):
            year, month = START_YEAR + step // 12, step % 12 + 1
            holiday = LUNAR_NEW_YEAR.get(year, 2)
            log_value = level + trend * step + season[month - 1] + rng.gauss(0, noise)
            log_value += -0.25 if month == holiday else 0.0
            log_value += 0.10 if month == 3 else 0.0
            if at is not None and step >= at:
                log_value += math.log(1 + shift)
            values.append((dt.date(year, month, 1), math.exp(log_value)))
        out.append({
            "key": (156, 1000 + index, "2701", "M"),
            "values": values,
            "break": (values[at][0], "up" if shift > 0 else "down") if breaks else None,
        })  # fmt: skip
    return out


def judge(series: list[dict], rule: str, source: str = "comtrade") -> list[tuple]:
    """The reversals the warehouse's view finds in the series under one rule."""
    with tempfile.TemporaryDirectory() as scratch:
        with closing(connect(Path(scratch) / "w.duckdb")) as con:
            rows = [
                (source, *s["key"][:3], s["key"][3], period, kg)
                for s in series
                for period, kg in s["values"]
            ]
            con.executemany(
                "insert into trade_vintages values (?, ?, ?, ?, ?, ?, 1, ?, null, null, null,"
                " now(), 'e', 's', 0, 'r', null, null)",
                rows,
            )
            con.execute("update ops.reversal_settings set rule = ?", [rule])
            return con.execute(
                "select reporter_code, partner_code, hs_code, flow, period, direction"
                " from reversals order by all"
            ).fetchall()


def backtest(series: list[dict]) -> dict:
    """False alarms per series-year and breaks found within a month, for both rules."""
    quiet = [s for s in series if s["break"] is None]
    broken = [s for s in series if s["break"] is not None]
    years = sum(len(s["values"]) for s in quiet) / 12
    result = {"series": len(series), "series_years_without_break": round(years, 1)}
    false_alarms, found = {}, {}
    for rule in RULES:
        alerts = judge(series, rule)
        quiet_keys = {s["key"] for s in quiet}
        false_alarms[rule] = round(sum(a[:4] in quiet_keys for a in alerts) / years, 3)
        hits = 0
        for s in broken:
            month, direction = s["break"]
            window = {month, _next(month)}
            if month.month == 2:
                # China publishes January and February together: the break is in that period
                window.add(month.replace(month=1))
            hits += any(a[:4] == s["key"] and a[4] in window and a[5] == direction for a in alerts)
        found[rule] = round(hits / len(broken), 3)
    result["false_alarms_per_series_year"] = false_alarms
    result["breaks_found_within_one_month"] = found
    return result


def _next(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def alerts_on(series: list[dict], source: str) -> dict:
    """Alerts per series-year and those in January-March, for both rules."""
    years = sum(len(s["values"]) for s in series) / 12
    out = {"series": len(series), "series_years": round(years, 1)}
    for rule in RULES:
        alerts = judge(series, rule, source)
        out[rule] = {
            "alerts_per_series_year": round(len(alerts) / years, 2) if years else None,
            "alerts": len(alerts),
            "january_to_march": [f"{a[4]:%Y-%m} {a[5]}" for a in alerts if a[4].month <= 3],
        }
    return out


def offline_series() -> list[dict]:
    """Every series the offline recordings hold, backfilled 2015-2018 by the command line."""
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / "w.duckdb"
        env_cache = {"TRADEWATCH_CACHE_DIR": str(Path(scratch) / "cache")}
        subprocess.run(
            [sys.executable, "-m", "tradewatch", "backfill", "2015-01", "2018-12", "--offline",
             "--source", "comtrade", "--warehouse", str(target)],
            check=True, capture_output=True, env={**os.environ, **env_cache},
        )  # fmt: skip
        with closing(connect(target)) as con:
            rows = con.execute(
                "select reporter_code, partner_code, hs_code, flow, period, net_weight_kg"
                " from trade_monthly where source = 'comtrade' and net_weight_kg is not null"
                " order by all"
            ).fetchall()
    return _grouped(rows)


def census_series() -> list[dict] | None:
    """The real Census sample series (read in place): its monthly values in dollars, judged as
    a series (the rule reads whatever measure it is given); None without the samples."""
    if not SAMPLES.exists():
        return None
    from tradewatch.sources.census.parse import read_table

    rows = []
    for path in sorted(SAMPLES.glob("*.json")):
        table = read_table(str(path), path.read_bytes())
        value = next(c for c in table.columns if c.endswith("_VAL_MO"))
        for _, row in table.iterrows():
            period = dt.date.fromisoformat(row["time"] + "-01")
            rows.append((842, int(row["CTY_CODE"]), path.stem[-30:], "X", period,
                         float(row[value])))  # fmt: skip
    return _grouped(rows) or None


def _grouped(rows) -> list[dict]:
    series: dict[tuple, list] = {}
    for reporter, partner, hs, flow, period, value in rows:
        period = period.date() if hasattr(period, "date") and callable(period.date) else period
        series.setdefault((reporter, partner, hs, flow), []).append((period, value))
    return [{"key": key, "values": values, "break": None} for key, values in series.items()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=200)
    parser.add_argument("--years", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    results = {"generated": backtest(generated(args.series, args.years, args.seed))}
    results["false_alarms_per_series_year"] = results["generated"]["false_alarms_per_series_year"]
    results["breaks_found_within_one_month"] = results["generated"]["breaks_found_within_one_month"]
    results["offline"] = alerts_on(offline_series(), "comtrade")
    census = census_series()
    results["census"] = alerts_on(census, "census") if census else "no ../shared/samples/census"
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
