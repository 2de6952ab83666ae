"""Every mutmut survivor in the parsers is killed or listed here with the reason it cannot be.

mutmut (``pyproject.toml``'s ``[tool.mutmut]``) mutates ``tradewatch/pipelines/*/parse.py``;
``scripts/mutants_accepted.toml`` lists the mutants no test can kill, each under the reason
(an equivalent mutant: the same behaviour by another road). This reads ``mutmut results`` and
prints, per parser, killed / survived / listed, then every survivor not listed (a hole in the
tests, or a new equivalent to list) and every listed mutant that no longer survives (a stale
entry). Exit 1 if a survivor is not listed or a mutant was never run.

    TRADEWATCH_SHARED_SAMPLES=../shared/samples .venv/bin/mutmut run
    .venv/bin/python scripts/mutant_triage.py

A mutant that makes a test hang is sometimes reported "survived" by a full run on a busy
machine; running the survivors again by name (``mutmut run NAME...``) reports it "timeout".
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ACCEPTED = Path(__file__).with_name("mutants_accepted.toml")
NOT_KILLED = {"survived", "no tests", "suspicious"}


def results() -> dict[str, str]:
    """Every mutant mutmut knows, and its status ("killed", "survived", "no tests", ...)."""
    out = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = {}
    for line in out.splitlines():
        name, _, status = line.strip().partition(": ")
        if name.startswith("tradewatch."):
            found[name] = status.strip()
    return found


def accepted() -> dict[str, str]:
    """Listed mutant → the kind of its reason ("not-killed" for those no test kills yet)."""
    listed: dict[str, str] = {}
    for entry in tomllib.loads(ACCEPTED.read_text(encoding="utf-8"))["listed"]:
        if not entry["reason"].strip():
            raise SystemExit(f"{entry['kind']}: a listed mutant needs its reason")
        for mutant in entry["mutants"]:
            if mutant in listed:
                raise SystemExit(f"{mutant} is listed twice")
            listed[mutant] = entry["kind"]
    return listed


def main() -> int:
    status, listed = results(), accepted()
    if not status:
        print("no mutmut results: run mutmut first (see this script's docstring)")
        return 1
    per_file: dict[str, Counter] = {}
    unlisted, stale, unrun = [], [], []
    for name, state in sorted(status.items()):
        module = name.split(".x")[0]
        counts = per_file.setdefault(module, Counter())
        if state in ("killed", "timeout", "segfault"):
            counts["killed"] += 1
            if name in listed:
                stale.append(name)
        elif state in NOT_KILLED:
            if name in listed:
                counts["not killed" if listed[name] == "not-killed" else "equivalent"] += 1
            else:
                counts["unlisted"] += 1
                unlisted.append(f"{name} [{state}]")
        else:
            counts["not run"] += 1
            unrun.append(f"{name} [{state}]")
    for module, counts in per_file.items():
        total = sum(counts.values())
        print(
            f"{module}: {total} mutants, {counts['killed']} killed, "
            f"{counts['equivalent']} listed as equivalent, {counts['not killed']} listed as not "
            f"killed, {counts['unlisted']} survived unlisted, {counts['not run']} not run"
        )
    for title, names in (
        ("survivors not listed", unlisted),
        ("listed but killed now (drop them from the list)", stale),
        ("not run", unrun),
    ):
        if names:
            print(f"\n{title}:")
            print("\n".join(f"  {n}" for n in names))
    return 1 if unlisted or unrun else 0


if __name__ == "__main__":
    raise SystemExit(main())
