"""PostgreSQL stopped in the middle of a lake backfill: a line per failure, not a traceback; the
months loaded stay whole, and a rerun loads the rest once."""

from __future__ import annotations

import re
import subprocess
import sys
from contextlib import closing

from .conftest import (
    READER,
    WRITER,
    _as_postgres,
    create_lake_database,
    pg_start,
    pg_stop,
    running_postgres,
)
from .test_lake import _env


def test_postgresql_stopped_mid_backfill_is_a_few_lines_and_a_rerun_completes(
    tmp_path, monkeypatch
):
    from tradewatch.warehouse import connect

    with running_postgres() as (host, port, _, data):
        create_lake_database(host, port, "lake")
        address = f"ducklake:postgres:dbname=lake host={host} port={port} user={WRITER}"
        env = {
            **_env(address),
            "TRADEWATCH_DATA_PATH": str(tmp_path / "lake-data"),
            "TRADEWATCH_LAKE_READER": READER,
            "PREFECT_HOME": str(tmp_path / "prefect-home"),
        }
        command = [sys.executable, "-m", "tradewatch.cli", "backfill", "2015-01", "2018-12",
                   "--offline", "--source", "comtrade", "--wait", "5"]  # fmt: skip
        run = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        lines = []
        try:
            for line in run.stdout:
                lines.append(line)
                if re.match(r"\[\d+/48\] comtrade \S+: loaded", line):
                    break  # the first year is in: now the catalog goes away
            stopped = _as_postgres(*pg_stop(data))
            assert stopped.returncode == 0, stopped.stderr
            lines += run.stdout.readlines()
            code = run.wait(timeout=300)
        finally:
            run.kill()
            run.wait()
        output = "".join(lines)
        assert code == 4, output
        assert "Traceback" not in output and "| ERROR" not in output, output
        assert "cannot reach the lake's catalog at" in output.splitlines()[-2] + output, output
        assert len(output.splitlines()) < 80, output  # the months' lines, not tracebacks

        started = _as_postgres(*pg_start(data, port))
        assert started.returncode == 0, started.stderr
        rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        monkeypatch.setenv("TRADEWATCH_DATA_PATH", env["TRADEWATCH_DATA_PATH"])
        monkeypatch.setenv("TRADEWATCH_LAKE_READER", READER)
        with closing(connect(address, read_only=True)) as con:
            months = con.execute(
                "select count(distinct period) from ops.runs"
                " where source = 'comtrade' and status = 'loaded'"
            ).fetchall()
            doubled = con.execute(
                "select count(*) from (select source, reporter_code, partner_code, hs_code, flow,"
                " period, vintage from trade_vintages group by all having count(*) > 1)"
            ).fetchall()
        assert months == [(48,)] and doubled == [(0,)]
