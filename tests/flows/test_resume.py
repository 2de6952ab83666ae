"""Backfills as separate processes: killed part way, and two at once on one warehouse."""

import os
import signal
import subprocess
import sys

import pytest

from tests.flows.test_backfill import canonical, query
from tradewatch.flows import backfill

pytestmark = pytest.mark.usefixtures("prefect_harness")

# Runs the real CLI, but the second load stops inside its open transaction so the test can
# kill the process there: the hardest place to be interrupted.
STALL_IN_SECOND_LOAD = """
import sys, time
from tradewatch.warehouse import load
real, calls = load._insert_ledger, []
def stalling(con, loads, *args, **kwargs):
    if loads and loads[0].source == "comtrade":  # the second of Comtrade's loads
        calls.append(1)
    if len(calls) == 2 and loads and loads[0].source == "comtrade":
        print("IN-TRANSACTION", flush=True)
        time.sleep(120)
    return real(con, loads, *args, **kwargs)
load._insert_ledger = stalling
from tradewatch.cli import main
sys.exit(main(sys.argv[1:]))
"""


def cli_env(tmp_path, name):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(tmp_path / f"prefect-{name}")
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    return env


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted backfill of 2015-01 .. 2017-12."""
    path = str(tmp_path_factory.mktemp("reference") / "reference.duckdb")
    backfill("2015-01", "2017-12", offline=True, warehouse=path)
    return canonical(path)


def test_killed_mid_load_then_rerun_ends_as_an_uninterrupted_backfill(tmp_path, reference):
    path = str(tmp_path / "killed.duckdb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            STALL_IN_SECOND_LOAD,
            "backfill",
            "2015-01",
            "2017-12",
            "--offline",
            "--warehouse",
            path,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=cli_env(tmp_path, "killed"),
        cwd=tmp_path,
    )
    try:
        seen = []
        for line in process.stdout:
            seen.append(line)
            if line.strip() == "IN-TRANSACTION":
                break
        else:
            pytest.fail("the backfill ended before its second load:\n" + "".join(seen))
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    # Only the first twelve months survived the kill; the open transaction left nothing.
    assert query(path, "select count(distinct period) from trade_vintages") == [(12,)]
    backfill("2015-01", "2017-12", offline=True, warehouse=path)
    # The call that committed before the kill (2015, coal from the world) was not made again.
    again = query(
        path,
        "select count(*) from raw.http_responses"
        " where url like '%partnerCode=0%' and url like '%period=201501%'",
    )
    assert again == [(1,)]
    assert canonical(path) == reference


def test_two_backfills_at_once_neither_loses_nor_doubles(tmp_path, reference):
    path = str(tmp_path / "shared.duckdb")
    command = ["backfill", "2015-01", "2017-12", "--offline", "--warehouse", path]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "tradewatch.cli", *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=cli_env(tmp_path, name),
            cwd=tmp_path,
        )
        for name in ("first", "second")
    ]
    outputs = [p.communicate(timeout=300)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    # One did the work; the other waited for it, then found every month loaded.
    assert sorted("36 already loaded" in out for out in outputs) == [False, True], outputs
    # Three years, two Comtrade calls a year (North Korea, the world); none for GACC before 2018.
    assert query(path, "select count(*) from raw.http_responses") == [(6,)]
    assert canonical(path) == reference
