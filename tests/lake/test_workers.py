"""``backfill --parallel 3`` through a real Prefect server (on the test's PostgreSQL), the
``tradewatch`` process work pool and three workers, all started here as a team would start them:
``prefect server start``, ``prefect work-pool create``, ``prefect deploy --all`` (prefect.yaml),
``prefect worker start``. No network: every chunk replays the shipped recordings."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import PG_BIN, _as_postgres
from .test_lake import COMPARED, SEPTEMBER_2016, _answers, _env, _load

WORKERS = 3
# rows per month of each response: a load's unit, whole or absent to a reader
PER_LOAD = "select sha256, period, count(*) from trade_vintages group by all"
FINISHED = {"Completed", "Cancelled", "Crashed", "Failed"}


@pytest.fixture(scope="module")
def team(postgres, tmp_path_factory):
    """A Prefect server on PostgreSQL, the work pool, the deployments and three workers:
    (the environment that points at them, the workers' log files)."""
    from benchmarks.team import team as started

    host, port, user = postgres
    done = _as_postgres(str(PG_BIN / "createdb"), "-h", host, "-p", str(port), "-U", user,
                        "prefect")  # fmt: skip
    assert done.returncode == 0, done.stderr
    env = {
        **os.environ,
        "PREFECT_API_DATABASE_CONNECTION_URL": f"postgresql+asyncpg://{user}@{host}:{port}/prefect",
    }
    with started(env, tmp_path_factory.mktemp("team"), WORKERS) as (team_env, logs):
        yield team_env, logs


def test_backfill_parallel_3_on_three_workers_gives_what_one_backfill_gives(
    team, lake_address, tmp_path
):
    """2015-2018 as four chunks on three workers, a reader querying the lake all along; then the
    same months loaded by one backfill into a file: the same vintages, monthly figures, alerts,
    claim checks and ledger."""
    from tradewatch.warehouse import connect

    team_env, worker_logs = team
    parent = subprocess.Popen(
        [sys.executable, "-m", "tradewatch.cli", "backfill", "2015-01", "2018-12", "--offline",
         "--parallel", "3"],
        env={**_env(lake_address), **team_env}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    seen: set[tuple] = set()
    reads = 0
    while parent.poll() is None:
        try:
            with connect(lake_address, read_only=True) as con:
                seen.update(con.execute(PER_LOAD).fetchall())
        except Exception as exc:  # noqa: BLE001 - the lake not made yet is the only excuse
            assert "no lake there yet" in str(exc), exc
        reads += 1
        time.sleep(0.2)
    output = parent.communicate()[0]
    assert parent.returncode == 0, output
    assert "4 chunks of up to 12 months, 3 at a time" in output
    assert "4/4 chunks done, 48/48 months" in output
    assert "Traceback" not in output and "| ERROR" not in output, output

    # the chunks ran on more than one worker
    busy = [log for log in worker_logs if "submitting flow run" in log.read_text()]
    assert len(busy) >= 2, [log.read_text()[-2000:] for log in worker_logs]

    # a reader never saw part of a load: every month of every response it saw had all the rows
    # it has at the end (GACC publishes a month as several tables: each is its own response)
    with connect(lake_address, read_only=True) as con:
        final = set(con.execute(PER_LOAD).fetchall())
    assert reads >= 3 and seen and seen <= final, sorted(seen - final)

    file = str(tmp_path / "one.duckdb")
    _load(file, ("backfill", "2015-01", "2018-12", "--offline"), SEPTEMBER_2016)
    _load(lake_address, SEPTEMBER_2016)
    on_file, on_lake = _answers(file), _answers(lake_address)
    assert {row["p"][:4] for row in on_file["trade_vintages"]} == {"2015", "2016", "2017", "2018"}
    assert on_file["alerts"] and on_file["claim_checks"]
    for name in COMPARED:
        assert on_lake[name] == on_file[name], name


COMEXT = {
    "monthly": "select cast(period as varchar) p, reporter_code, partner_code, hs_code, flow,"
    " net_weight_kg, vintage from trade_monthly where source = 'comext' order by all",
    "full_rows": "select cast(period as varchar) p, count(*) n, sum(quantity_kg) kg,"
    " sum(value_eur) eur, count(distinct product_nc) products from comext_rows group by all"
    " order by all",
    "sums": "select cast(period as varchar) p, series, cn8_codes, lines, quantity_kg"
    " from comext_sums order by all",
    "ledger": "select cast(period as varchar) p, status, rows_valid, rows_quarantined"
    " from ops.runs where source = 'comext' order by all",
}


def test_a_comext_year_on_three_workers_into_the_lake_gives_what_one_backfill_gives(
    team, lake_address, tmp_path
):
    """Twelve of Comext's monthly files as three chunks on the workers into the lake (full rows
    as Parquet under its data path), and one serial backfill of them into a file: the same
    watched figures, full rows, sums and ledger."""
    team_env, _ = team
    months = ("2023-01", "2023-12", "--source", "comext", "--offline")
    done = subprocess.run(
        [sys.executable, "-m", "tradewatch.cli", "backfill", *months, "--parallel", "3",
         "--chunk-months", "4"],
        env={**_env(lake_address), **team_env}, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "3 chunks of up to 4 months, 3 at a time" in output, output
    assert "3/3 chunks done, 12/12 months" in output, output
    assert "Traceback" not in output and "| ERROR" not in output, output
    file = str(tmp_path / "one.duckdb")
    _load(file, ("backfill", *months))
    on_file, on_lake = _answers(file, COMEXT), _answers(lake_address, COMEXT)
    assert len(on_file["monthly"]) == 12 and len(on_file["full_rows"]) == 12
    assert {row["status"] for row in on_file["ledger"]} == {"loaded"}
    for name in COMEXT:
        assert on_lake[name] == on_file[name], name
    parquet = list((tmp_path / "lake-data").rglob("*.parquet"))
    assert any("comext_rows" in str(p) for p in parquet), parquet[:5]


def _chunk_processes() -> dict[str, list[int]]:
    """The processes running chunk flow runs on this machine, by flow run id (from the
    ``PREFECT__FLOW_RUN_ID`` a worker puts in each flow run's environment)."""
    found: dict[str, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        for item in environ:
            if item.startswith(b"PREFECT__FLOW_RUN_ID="):
                found.setdefault(item.split(b"=", 1)[1].decode(), []).append(int(entry.name))
    return found


def test_kill_9_of_a_chunk_mid_backfill_leaves_no_partial_month_and_a_rerun_completes(
    team, lake_address, tmp_path
):
    """2015-2017 in chunks of three months; once some months are in, one chunk's processes are
    killed outright. The parent names the crashed chunk (exit 4), the lake holds whole loads
    only, and the same command again loads what is missing: what one backfill gives."""
    from tradewatch.warehouse import connect

    team_env, _ = team
    command = [sys.executable, "-m", "tradewatch.cli", "backfill", "2015-01", "2017-12",
               "--offline", "--parallel", "3", "--chunk-months", "3"]  # fmt: skip
    env = {**_env(lake_address), **team_env}
    parent = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)  # fmt: skip
    killed: list[int] = []
    deadline = time.monotonic() + 300
    while parent.poll() is None and not killed and time.monotonic() < deadline:
        time.sleep(0.3)
        try:
            with connect(lake_address, read_only=True) as con:
                months = con.execute("select count(distinct period) from trade_vintages")
                loaded = months.fetchall()[0][0]
        except Exception:  # noqa: BLE001 - not created yet
            continue
        running = _chunk_processes()
        if loaded >= 3 and running:
            killed = next(iter(running.values()))
            for pid in killed:
                os.kill(pid, signal.SIGKILL)
    output = parent.communicate(timeout=600)[0]
    assert killed, "every chunk finished before one could be killed:\n" + output
    assert parent.returncode == 4, output
    assert "crashed" in output.lower(), output

    with connect(lake_address, read_only=True) as con:
        after_kill = set(con.execute(PER_LOAD).fetchall())
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "already loaded" in again.stdout
    with connect(lake_address, read_only=True) as con:
        final = set(con.execute(PER_LOAD).fetchall())
        twice = con.execute(
            "select count(*) from (select source, reporter_code, partner_code, hs_code, flow,"
            " period, vintage from trade_vintages group by all having count(*) > 1)"
        ).fetchall()
    assert after_kill < final  # the crashed chunk's loads were whole, and the rerun added more
    assert twice == [(0,)]

    # the figures one backfill gives (the vintages' provenance differs: three-month chunks ask
    # Comtrade for three months at a time, so their responses are other bytes)
    file = str(tmp_path / "one.duckdb")
    _load(file, ("backfill", "2015-01", "2017-12", "--offline"))
    on_file, on_lake = _answers(file), _answers(lake_address)
    assert on_lake["trade_monthly"] == on_file["trade_monthly"]
    assert len(on_lake["trade_vintages"]) == len(on_file["trade_vintages"]) == 108


def test_stopping_the_parent_cancels_its_chunks_in_flight(team, lake_address):
    """SIGTERM to ``backfill --parallel`` (a service manager stopping it, or Ctrl-C) cancels the
    chunks it started that had not finished: none is left running, waiting or half-cancelled on
    the server, no chunk process is left on a worker, and no further chunk is started. (A chunk
    about to finish may finish: three months load in seconds.)"""
    import datetime as dt

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterExpectedStartTime,
        FlowRunFilterName,
    )
    from prefect.settings import PREFECT_API_URL, temporary_settings

    team_env, _ = team
    started = dt.datetime.now(dt.UTC)
    parent = subprocess.Popen(
        [sys.executable, "-m", "tradewatch.cli", "backfill", "2015-01", "2017-12", "--offline",
         "--parallel", "2", "--chunk-months", "3"],
        env={**_env(lake_address), **team_env}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while not _chunk_processes() and parent.poll() is None and time.monotonic() < deadline:
        time.sleep(0.3)
    assert parent.poll() is None, "the backfill ended before it could be stopped"
    parent.send_signal(signal.SIGTERM)
    output = parent.communicate(timeout=120)[0]
    assert parent.returncode != 0, output
    assert "Traceback" not in output, output

    # this parent's chunks (named by it, started since): each ends, and its process with it
    wanted = FlowRunFilter(
        name=FlowRunFilterName(like_="backfill-chunk-"),
        expected_start_time=FlowRunFilterExpectedStartTime(after_=started),
    )
    with temporary_settings({PREFECT_API_URL: team_env["PREFECT_API_URL"]}):
        with get_client(sync_client=True) as client:
            deadline = time.monotonic() + 120
            while True:
                runs = client.read_flow_runs(flow_run_filter=wanted)
                states = {run.name: run.state.name for run in runs if run.state}
                left = _chunk_processes()
                if states and all(name in FINISHED for name in states.values()) and not left:
                    break
                assert time.monotonic() < deadline, (states, left)
                time.sleep(1)
            # the parent asked: a chunk still in flight when it stopped was told to cancel
            asked = {
                run.name: [state.name for state in client.read_flow_run_states(run.id)]
                for run in runs
            }
    assert 1 <= len(states) <= 2, states  # only those in flight when it stopped (--parallel 2)
    assert any({"Cancelling", "Cancelled"} & set(history) for history in asked.values()), asked
