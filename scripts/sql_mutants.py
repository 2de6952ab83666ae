"""Hand-made mutants of the SQL views that decide: the reversal rule and the claim checks.

mutmut mutates Python; the decisions tradewatch makes in SQL (is this month a turn? does the
customs figure agree with the claim?) live in ``warehouse/views/03_reversals.sql`` and
``12_claim_checks.sql``. Each mutant below is a change a careless edit could make — a threshold
doubled, a comparison loosened, a span summed over missing months — applied to the view, the
tests that judge these views run against it, and the view restored. A mutant the tests do not
notice is a hole in them. Prints one line per mutant and the score; exit 1 if any survived.

    .venv/bin/python scripts/sql_mutants.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

VIEWS = Path(__file__).resolve().parents[1] / "tradewatch" / "warehouse" / "views"
TESTS = [
    "tests/warehouse/test_reversals.py",
    "tests/warehouse/test_seasonal.py",
    "tests/warehouse/test_alerts.py",
    "tests/warehouse/test_news.py",
]

REVERSALS, CLAIMS = "03_reversals.sql", "12_claim_checks.sql"
MUTANTS = [
    (REVERSALS, "surprise >= band_log then 'up'", "surprise >= 2 * band_log then 'up'"),
    (REVERSALS, "surprise <= -band_log then 'down'", "surprise <= -2 * band_log then 'down'"),
    (REVERSALS, "when change >= theta then 'up'", "when change > 1.5 * theta then 'up'"),
    (REVERSALS, "when change <= -theta then 'down'", "when change < -1.5 * theta then 'down'"),
    (REVERSALS, "band_k * 1.4826 * median", "band_k * median"),
    (REVERSALS, "ln(1 + theta),", "ln(1 + theta / 2),"),
    (REVERSALS, "and trend_months >= min_trend_months", "and trend_months > min_trend_months"),
    (REVERSALS, "same_month_years >= 1", "same_month_years >= 2"),
    (REVERSALS, "month(monthly.period) <= 2", "month(monthly.period) <= 1"),
    (
        REVERSALS,
        "previous_judged_kg < low_base_kg and judged_kg < low_base_kg as low_base",
        "previous_judged_kg < low_base_kg or judged_kg < low_base_kg as low_base",
    ),
    (
        CLAIMS,
        "coalesce(low, judged_figure) - tolerance - 1e-9",
        "coalesce(low, judged_figure) - 2 * tolerance - 1e-9",
    ),
    (
        CLAIMS,
        "coalesce(high, judged_figure) + tolerance + 1e-9",
        "coalesce(high, judged_figure) + 2 * tolerance + 1e-9",
    ),
    (CLAIMS, "when coalesce(unconverted, 0) > 0", "when coalesce(unconverted, 0) > 1"),
    (CLAIMS, "when coalesce(months_found, 0) < months", "when coalesce(months_found, 0) < 0"),
    (CLAIMS, "when within then 'agrees'", "when within or true then 'agrees'"),
]


def killed(view: str, old: str, new: str) -> bool:
    path = VIEWS / view
    original = path.read_text(encoding="utf-8")
    if original.count(old) != 1:
        raise SystemExit(f"{view}: the mutant's text {old!r} is not there once: update the list")
    try:
        path.write_text(original.replace(old, new), encoding="utf-8")
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *TESTS],
            capture_output=True, text=True, cwd=VIEWS.parents[2],
        )  # fmt: skip
    finally:
        path.write_text(original, encoding="utf-8")
    return run.returncode != 0


def main() -> int:
    survived = []
    for view, old, new in MUTANTS:
        caught = killed(view, old, new)
        print(f"{'killed  ' if caught else 'SURVIVED'} {view}: {old!r} -> {new!r}", flush=True)
        if not caught:
            survived.append((view, old, new))
    print(f"{len(MUTANTS) - len(survived)} of {len(MUTANTS)} hand-made SQL mutants killed")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
