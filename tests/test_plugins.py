"""A source package outside tradewatch (``tests/plugins/tiny_source``) runs end to end.

It is put on the path with a dist-info made from its own ``pyproject.toml``, as ``pip install``
would leave it, and found through its ``tradewatch.sources`` entry point: the watchlist accepts
its name, ``run`` and ``backfill`` load it, ``status`` has its column and the briefing names it
— with no file of tradewatch edited.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent / "plugins" / "tiny_source"

WATCHLIST = """\
[run]
window_months = 3

[[series]]
name = "coal-chn-prk-tiny"
reporter = 156
partner = 408
hs = "2701"
sources = ["tiny"]
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The package and its dist-info in a folder of their own, as an install leaves them."""
    site = tmp_path_factory.mktemp("site")
    project = tomllib.loads((PACKAGE / "pyproject.toml").read_text())["project"]
    shutil.copytree(PACKAGE / "tradewatch_tiny", site / "tradewatch_tiny")
    info = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
    )
    points = project["entry-points"]
    (info / "entry_points.txt").write_text(
        "".join(
            f"[{group}]\n" + "".join(f"{name} = {target}\n" for name, target in table.items())
            for group, table in points.items()
        )
    )
    return site


def _tradewatch(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "TRADEWATCH_"))}
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH")])),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        TRADEWATCH_WAREHOUSE=str(cwd / "tw.duckdb"),
        TRADEWATCH_WATCHLIST=str(cwd / "tradewatch.toml"),
    )
    return subprocess.run(
        [sys.executable, "-m", "tradewatch", *args],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=300,
    )  # fmt: skip


def _ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "ERROR" not in done.stderr
    return done.stdout


def test_a_source_package_runs_through_every_command(installed, tmp_path):
    (tmp_path / "tradewatch.toml").write_text(WATCHLIST)
    # without the package, the watchlist does not know the name
    alone = _tradewatch(tmp_path / "nowhere", tmp_path, "status")
    assert alone.returncode == 2 and "not 'tiny' (no source of that name is installed)" in (
        alone.stderr
    )

    listed = _ok(_tradewatch(installed, tmp_path, "backfill", "--help"))
    assert "tiny" in listed
    _ok(_tradewatch(installed, tmp_path, "backfill", "2016-01", "2016-06", "--offline"))
    ran = _ok(_tradewatch(installed, tmp_path, "run", "--month", "2016-09", "--offline"))
    assert "briefing:" in ran

    status = json.loads(
        _ok(
            _tradewatch(
                installed,
                tmp_path,
                "status",
                "--from",
                "2016-01",
                "--to",
                "2016-10",
                "--format",
                "json",
            )
        )  # fmt: skip
    )
    states = {(c["month"], c["source"]): c["state"] for c in status}
    assert {s for (_, s) in states} == {"tiny"}
    assert [states[(f"2016-{m:02d}", "tiny")] for m in range(1, 11)] == ["loaded"] * 9 + [
        "never run"
    ]

    figures = json.loads(
        _ok(_tradewatch(installed, tmp_path, "query",
                        "select strftime(period, '%Y-%m') p, net_weight_kg from trade_monthly"
                        " where source = 'tiny' order by period", "--format", "json"))
    )  # fmt: skip
    assert [f["p"] for f in figures] == [f"2016-{m:02d}" for m in range(1, 10)]
    assert figures[-1]["net_weight_kg"] == 1_798_000_000
    alerts = json.loads(_ok(_tradewatch(installed, tmp_path, "alerts", "--format", "json")))
    assert {a["source"] for a in alerts} == {"tiny"}
    assert ("2016-09-01", "down") in {(a["period"], a["direction"]) for a in alerts}

    page = (tmp_path / "tw.duckdb.reports" / "report-2016-09.html").read_text()
    assert "Tiny statistics" in page
    kept = _ok(_tradewatch(installed, tmp_path, "query",
                           "select count(*) n from raw.http_responses where source = 'tiny'",
                           "--format", "csv"))  # fmt: skip
    assert kept.splitlines()[1] == "9"  # every answer's bytes kept
