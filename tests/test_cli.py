import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.samples import shared_sample
from tradewatch.cli import build_parser, format_rows, main
from tradewatch.warehouse.db import prefect_servers

README = Path(__file__).resolve().parents[1] / "README.md"


def subcommands() -> list[str]:
    """Every command, nested ones as "news extract"."""
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    names = []
    for name, sub in action.choices.items():
        nested = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
        if nested:
            names.extend(f"{name} {child}" for child in nested[0].choices)
        else:
            names.append(name)
    return names


NO_WAREHOUSE = {"automation"}  # writes a Prefect automation; reads no warehouse


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_command_has_help_takes_warehouse_and_is_documented(name, capsys):
    with pytest.raises(SystemExit) as exited:
        main([*name.split(), "--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    assert "--warehouse" in text or name in NO_WAREHOUSE
    assert f"tradewatch {name}" in README.read_text()


@pytest.mark.parametrize("month", ["2016-13", "2016/9", "Sept 2016", "2016-9x", ""])
def test_bad_month_is_a_usage_error_in_one_line_before_anything_starts(month, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["run", "--month", month, "--offline"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("tradewatch run: argument --month: ") and err.count("\n") == 1, err
    assert repr(month) in err or "not a month" in err


def test_a_malformed_month_exits_2_in_under_a_second_as_a_process(tmp_path):
    """As a user meets it: no Prefect server started first (it took 1.8-3.3 s)."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "tradewatch", "run", "--month", "2016/9"],
        capture_output=True, text=True, cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2 and "expected a month as YYYY-MM" in done.stderr
    assert time.monotonic() - started < 5  # the process's own start included; see benchmarks
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("argv", "suggested"),
    [
        (["bakfill", "2016-01", "2016-02"], "did you mean 'backfill'?"),
        (["staus"], "did you mean 'status'?"),
        (["run", "--ofline"], "did you mean '--offline'?"),
        (["status", "--form", "csv"], "did you mean '--format'?"),
    ],
)
def test_a_mistyped_command_or_flag_gets_a_suggestion_and_no_prefix_match(argv, suggested, capsys):
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert suggested in err and err.count("\n") == 1, err


def test_a_month_not_yet_begun_is_refused(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["run", "--month", "2999-01", "--offline"])
    assert exited.value.code == 2
    assert "2999-01 has not begun" in capsys.readouterr().err


def test_python_dash_m_tradewatch_works():
    done = subprocess.run(
        [sys.executable, "-m", "tradewatch", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout.startswith("tradewatch ")


def test_bad_watchlist_fails_before_any_work(tmp_path, capsys):
    bad = tmp_path / "w.toml"
    bad.write_text('[[series]]\nname = "x"\nreporter = 156\npartner = 408\nhs = "27011"\n')
    assert main(["run", "--watchlist", str(bad), "--offline"]) == 2  # a configuration error
    assert "w.toml, line 5: hs must be" in capsys.readouterr().err


def test_query_refuses_writes_with_nonzero_exit(tmp_path, capsys):
    from contextlib import closing

    from tradewatch.warehouse import connect

    path = str(tmp_path / "w.duckdb")
    with closing(connect(path)):
        pass
    assert main(["query", "delete from trade_vintages", "--warehouse", path]) == 1
    assert "only reads" in capsys.readouterr().err
    assert main(["query", "select 2 as two", "--warehouse", path, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"two": 2}]


def test_formats():
    import datetime as dt

    columns, rows = ["period", "kg"], [(dt.date(2016, 8, 1), 2465000000.0), (None, 0.5)]
    table = format_rows(columns, rows, "table").splitlines()
    assert table[2] == "2016-08-01  2,465,000,000"
    assert table[-1] == "(2 rows)"
    assert format_rows(columns, rows, "csv").splitlines()[1] == "2016-08-01,2465000000.0"
    assert json.loads(format_rows(columns, rows, "json"))[0] == {
        "period": "2016-08-01",
        "kg": 2465000000.0,
    }


def as_user(tmp_path):
    """Run ``tradewatch`` as a user would: a new process, Prefect's defaults, a fresh directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["TRADEWATCH_WAREHOUSE"] = str(tmp_path / "tw.duckdb")

    def tradewatch(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "tradewatch.cli", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=timeout,
        )

    return tradewatch


def assert_clean_run(run: subprocess.CompletedProcess) -> None:
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert not re.search(r"\bERROR\b|Traceback", output), output


def test_offline_run_as_a_user_prints_no_error_and_no_traceback(tmp_path):
    tradewatch = as_user(tmp_path)
    assert_clean_run(tradewatch("run", "--month", "2016-09", "--offline", timeout=300))
    query = tradewatch(
        "query",
        "select period, net_weight_kg from trade_monthly"
        " where hs_code='2701' and partner_code=408 order by period",
    )
    assert query.returncode == 0, query.stderr
    lines = query.stdout.splitlines()
    assert lines[2:5] == [
        "2016-07-01  2,100,000,000",
        "2016-08-01  2,465,000,000",
        "2016-09-01  1,798,000,000",
    ]
    # No PREFECT_API_URL: an event on the run's temporary server reaches no one, so it is not
    # counted as delivered; the alert stays owed to that channel, with the reason.
    owed = tradewatch(
        "query",
        "select channel, delivered_at is null, last_error from ops.alert_deliveries",
        "--format",
        "json",
    )
    ((event,),) = [json.loads(owed.stdout)]
    assert (event["channel"], event["(delivered_at IS NULL)"]) == ("event", True)
    assert "PREFECT_API_URL is unset" in event["last_error"]


def test_on_a_pipe_each_month_comes_out_when_loaded_without_completed_task_lines(tmp_path):
    """stdout and stderr into one pipe, as cron or `| tee` has them: each month's line arrives
    before the flow ends (it came out after, block-buffered) and task runs that merely completed
    are not logged (a backfill printed a hundred such lines)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["TRADEWATCH_WAREHOUSE"] = str(tmp_path / "tw.duckdb")
    run = subprocess.run(
        [sys.executable, "-m", "tradewatch.cli", "backfill", "2016-01", "2016-03", "--offline",
         "--source", "comtrade"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=tmp_path,
        timeout=300,
    )  # fmt: skip
    lines = run.stdout.splitlines()
    assert run.returncode == 0, run.stdout
    first = next(i for i, line in enumerate(lines) if line.startswith("[1/3] comtrade 2016-01"))
    flow_end = next(i for i, line in enumerate(lines) if "Flow run" in line and "Finished" in line)
    assert first < flow_end, run.stdout
    assert not [line for line in lines if "Task run" in line and "Completed()" in line]


def test_offline_run_loads_the_months_news_and_checks_its_claims(tmp_path):
    tradewatch = as_user(tmp_path)
    assert_clean_run(tradewatch("run", "--month", "2016-10", "--offline", timeout=300))
    query = tradewatch("query", "select * from claim_checks", "--format", "json")
    assert query.returncode == 0, query.stderr
    checks = json.loads(query.stdout)
    (claim,) = [c for c in checks if c["stated"] == "1.8 million tons"]
    assert claim["sentence"].startswith("China only imported 1.8 million tons of coal from North")
    assert (claim["commodity"], claim["period"], claim["claimed"]) == (
        "coal",
        "2016-09-01",
        1_800_000_000,
    )
    assert claim["verdict"] == "agrees"
    assert {c["verdict"] for c in checks} == {"agrees"}
    listed = tradewatch("news", "list", "--month", "2016-10")
    assert listed.returncode == 0, listed.stderr
    assert "China's September coal imports from North Korea" in listed.stdout


def test_progress_is_plain_lines_off_a_terminal_and_a_bar_on_one(capsys):
    import datetime as dt
    import io

    from tradewatch.cli import ProgressPrinter
    from tradewatch.flows.progress import ProgressEvent

    event = ProgressEvent(3, 36, "comtrade", dt.date(2015, 3, 1), "loaded")
    with ProgressPrinter(None) as plain:
        plain(event)
    assert capsys.readouterr().out == "[3/36] comtrade 2015-03: loaded\n"
    terminal = io.StringIO()
    with ProgressPrinter(terminal) as bar:
        bar(event)
        bar(ProgressEvent(4, 36, "gacc", dt.date(2015, 4, 1), "failed", "index changed"))
        bar.console.print("a log line")
        bar(ProgressEvent(36, 36, "comtrade", dt.date(2017, 12, 1), "loaded"))
    drawn = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", terminal.getvalue())  # without the colours
    assert "gacc 2015-04: failed (index changed)" in drawn and "a log line" in drawn
    last = drawn.rstrip().splitlines()[-1]
    assert last.startswith("comtrade 2017-12 loaded") and "36/36" in last
    assert "0:00:0" in last and "ETA" in last  # elapsed time and the time remaining


def test_status_prints_the_grid_and_json(tmp_path, capsys, prk_watchlist):
    from contextlib import closing

    from tradewatch.warehouse import Loading, RunIds, connect, record_failure

    path = str(tmp_path / "w.duckdb")
    with closing(connect(path)) as con:
        record_failure(con, Loading("comtrade", RunIds("r"), [dt_date(2016, 2)]), "HTTP 503")
    assert (
        main(
            [
                "status",
                "--from",
                "2016-01",
                "--to",
                "2016-02",
                "--warehouse",
                path,
                "--watchlist",
                prk_watchlist,
            ]
        )
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[2:4] == ["2016-01  never run", "2016-02  failed: HTTP 503"]
    assert (
        main(["status", "--warehouse", path, "--format", "json", "--watchlist", prk_watchlist]) == 0
    )
    assert json.loads(capsys.readouterr().out) == [
        {
            "month": "2016-02",
            "source": "comtrade",
            "state": "failed",
            "detail": "HTTP 503",
            "rows_quarantined": 0,
        }
    ]


def dt_date(year, month):
    import datetime as dt

    return dt.date(year, month, 1)


REPORT = """China's coal imports from North Korea slump

China only imported 1.8 million tons of coal from North Korea last month, according to customs
figures, the lowest since April. Coal shipments dropped 27 percent from August, when they reached
a record 2.465 million tonnes. Beijing says it enforces the United Nations sanctions fully.
"""


def test_news_extract_prints_one_json_object_with_its_claims(tmp_path, capsys):
    text = tmp_path / "report.txt"
    text.write_text(REPORT)
    missing = str(tmp_path / "none.duckdb")
    assert (
        main(["news", "extract", str(text), "--published", "2016-10-24", "--warehouse", missing])
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["title"] == "China's coal imports from North Korea slump"
    assert (report["published_at"], report["published_from"]) == (
        "2016-10-24T00:00:00+00:00",
        "given",
    )
    assert report["checked_against"] is None  # no warehouse: claims without verdicts
    first = report["claims"][0]
    assert (first["stated"], first["period"], first["amount"], first["partner"]) == (
        "1.8 million tons",
        "2016-09",
        1_800_000_000,
        "North Korea",
    )
    assert [c["period"] for c in report["claims"]] == ["2016-09", "2016-09", "2016-08"]


def test_news_extract_reads_an_html_page(capsys):
    page = shared_sample("news_html/trafilatura_reuters.com.parasite.html")
    assert main(["news", "extract", str(page), "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert "published_at: 2020-01-19T12:25:36+00:00" in out
    assert "(0 rows)" in out  # a film review states no trade figure


def test_news_extract_of_plain_text_without_a_date_fails_with_one_line(tmp_path, capsys):
    text = tmp_path / "report.txt"
    text.write_text(REPORT)
    assert main(["news", "extract", str(text)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("tradewatch news extract: file://")
    assert err.endswith("no publication date (plain text carries none: give one)")


def test_news_extract_refuses_a_private_address(capsys):
    assert main(["news", "extract", "http://127.0.0.1:8080/article"]) == 1
    assert "non-public address" in capsys.readouterr().err


def test_a_refused_news_page_is_a_warning_not_an_error(tmp_path):
    tradewatch = as_user(tmp_path)
    run = tradewatch("run", "--month", "2017-10", "--offline", timeout=300)
    assert_clean_run(run)
    assert (
        "refused https://commodityledger.example/video/dandong-bridge.html"
        in run.stderr + run.stdout
    )


def test_a_month_without_an_index_yet_is_no_error(tmp_path):
    # 2019 has no recorded GACC index (404) and no Comtrade data: not published, not failed.
    run = as_user(tmp_path)("run", "--month", "2019-01", "--offline", timeout=300)
    assert_clean_run(run)
    assert "not yet published: comtrade 2019-01, gacc 2019-01" in run.stdout


def test_version_and_exit_codes_are_documented(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith("tradewatch 0.")
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "3 warehouse busy, 4 some months failed" in " ".join(capsys.readouterr().out.split())


def test_each_kind_of_failure_has_its_exit_code():
    from tradewatch.cli import EXIT_BUSY, EXIT_CONFIG, EXIT_MONTHS_FAILED, exit_code
    from tradewatch.errors import IngestFailed
    from tradewatch.warehouse import WarehouseBusy
    from tradewatch.watchlist import WatchlistError

    assert exit_code(WatchlistError("w.toml, line 3: bad")) == EXIT_CONFIG == 2
    assert exit_code(WarehouseBusy("held")) == EXIT_BUSY == 3
    assert exit_code(IngestFailed("comtrade 2016-09: HTTP 503")) == EXIT_MONTHS_FAILED == 4
    assert exit_code(RuntimeError("anything else")) == 1


def test_status_as_csv(tmp_path, capsys):
    warehouse = str(tmp_path / "w.duckdb")
    from contextlib import closing

    from tradewatch.warehouse import connect

    with closing(connect(warehouse)):
        pass
    code = main(["status", "--from", "2016-01", "--to", "2016-02", "--format", "csv",
                 "--warehouse", warehouse])  # fmt: skip
    lines = capsys.readouterr().out.splitlines()
    assert code == 0 and lines[0].startswith("month,census,comext,comtrade,ecb,gacc,hmrc")
    assert lines[1].startswith("2016-01,")


def test_reading_commands_import_neither_prefect_nor_pandas(tmp_path):
    """query, status and alerts answer at once: Prefect, pandas and pandera stay unloaded."""
    warehouse = str(tmp_path / "w.duckdb")
    script = (
        "import sys\n"
        "from tradewatch.cli import main\n"
        "from tradewatch.warehouse import connect\n"
        f"connect({warehouse!r}).close()\n"
        "for argv in (['query', 'select 1'], ['status'], ['alerts']):\n"
        f"    assert main([*argv, '--warehouse', {warehouse!r}]) == 0\n"
        "heavy = sorted(m for m in ('prefect', 'pandas', 'pandera') if m in sys.modules)\n"
        "print(heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_sigterm_stops_the_run_and_prefects_temporary_server(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(TRADEWATCH_WAREHOUSE=str(tmp_path / "tw.duckdb"), PREFECT_HOME=str(tmp_path / "ph"))
    run = subprocess.Popen(
        [sys.executable, "-m", "tradewatch.cli", "backfill", "2015-01", "2017-12", "--offline"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    try:
        for line in run.stderr:
            if "Beginning flow run" in line:  # the temporary server is up and serving
                break
        children = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(run.pid)], capture_output=True, text=True
        ).stdout.split()
        assert children, "the run started no temporary server"
        run.send_signal(signal.SIGTERM)
        assert run.wait(timeout=60) != 0
    finally:
        run.kill()
        run.wait()
    time.sleep(1)
    alive = [pid for pid in children if Path(f"/proc/{pid}").exists()]
    states = [Path(f"/proc/{pid}/stat").read_text().split()[2] for pid in alive]
    assert all(state == "Z" for state in states), f"still running: {alive}"


def test_a_kill_9_while_the_temporary_server_starts_takes_the_server_with_it(tmp_path):
    """Killed before the run lock names its server (the next run's clean-up reads it there),
    the server lived on for good; now it ends with the run, by the parent-death signal."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(TRADEWATCH_WAREHOUSE=str(tmp_path / "tw.duckdb"), PREFECT_HOME=str(tmp_path / "ph"))
    run = subprocess.Popen(
        [sys.executable, "-m", "tradewatch.cli", "backfill", "2015-01", "2017-12", "--offline"],
        stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env, cwd=tmp_path,
    )  # fmt: skip
    server = None
    try:
        for _ in range(1200):  # the server process, as soon as it exists: still starting
            server = next(iter(prefect_servers(run.pid)), None)
            if server:
                break
            time.sleep(0.05)
        assert server, "the run started no temporary server"
        run.kill()
        run.wait()
    finally:
        run.kill()
        run.wait()
    for _ in range(100):
        stat = Path(f"/proc/{server}/stat")
        if not stat.exists() or stat.read_text().split()[2] == "Z":
            break
        time.sleep(0.1)
    else:
        os.kill(server, signal.SIGKILL)
        raise AssertionError(f"the temporary server {server} outlived its killed run")


def test_after_a_kill_9_no_server_is_left_and_the_next_run_clears_half_files(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    warehouse = tmp_path / "tw.duckdb"
    env.update(TRADEWATCH_WAREHOUSE=str(warehouse), PREFECT_HOME=str(tmp_path / "ph"))
    killed = subprocess.Popen(
        [sys.executable, "-m", "tradewatch.cli", "backfill", "2015-01", "2017-12", "--offline"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    try:
        lock = Path(f"{warehouse}.lock")
        for _ in range(600):
            if lock.exists() and "server pid" in lock.read_text():
                break
            time.sleep(0.1)
        servers = re.findall(r"server pid (\d+)", lock.read_text())
        assert servers, lock.read_text()
        killed.kill()  # kill -9: no exit handler runs (the server ends by its parent-death
        killed.wait()  # signal; where there is none, the next run stops it, named in the lock)
    finally:
        killed.kill()
    time.sleep(1)
    (Path(f"{warehouse}.bodies")).mkdir(exist_ok=True)
    (Path(f"{warehouse}.bodies") / ".incoming.half").write_bytes(b"x" * 1000)
    killed_load = Path(f"{warehouse}.staging") / "load-killed"  # a load-file killed mid-load
    killed_load.mkdir(parents=True)
    (killed_load / "rows-000000.parquet").write_bytes(b"x" * 1000)
    run = subprocess.run(
        [sys.executable, "-m", "tradewatch.cli", "run", "--month", "2016-12", "--offline"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    time.sleep(1)
    for pid in servers:
        stat = Path(f"/proc/{pid}/stat")
        assert not stat.exists() or stat.read_text().split()[2] == "Z", f"orphan {pid} alive"
    assert not list(Path(f"{warehouse}.bodies").glob(".incoming.*"))
    assert not killed_load.exists()


def test_news_extract_caps_local_files_like_pages(tmp_path, capsys):
    big = tmp_path / "big.html"
    big.write_bytes(b"<html><body>" + b"<p>coal</p>" * 600_000 + b"</body></html>")
    assert main(["news", "extract", str(big), "--warehouse", str(tmp_path / "none.duckdb")]) == 1
    assert "more than the 5 MB a page may be" in capsys.readouterr().err


@pytest.mark.parametrize(
    "password",
    ["password=hunter2", "password='hunter2 x'", "PASSWORD = hunter2"],
)
@pytest.mark.parametrize(
    "command",
    [
        ["query", "select 1"],
        ["status"],
        ["alerts"],
        ["backfill", "2016-01", "2016-02", "--offline"],
        ["run", "--month", "2016-09", "--offline"],
        ["export", "--to", "out"],
    ],
)
def test_a_password_inline_in_a_lake_address_is_refused_and_never_printed(
    command, password, tmp_path, monkeypatch, capsys
):
    """Refused before anything runs (no Prefect server, no flow run whose parameters would keep
    it, no DuckDB error that would repeat it), with exit 2 and the secret nowhere in the output."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRADEWATCH_DATA_PATH", str(tmp_path / "lake"))
    address = f"ducklake:postgres:dbname=lake host=127.0.0.1 user=tw {password}"
    code = main([*command, "--warehouse", address])
    out = capsys.readouterr()
    assert code == 2
    assert "PGPASSWORD" in out.err and out.err.count("\n") == 1
    assert "hunter2" not in out.out + out.err
    assert not list(tmp_path.iterdir())  # nothing made: no data path, no export folder


def test_a_password_in_a_lake_uri_is_refused_too(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TRADEWATCH_WAREHOUSE", "ducklake:postgres:postgresql://tw:hunter2@h/lake")
    assert main(["status"]) == 2
    assert "hunter2" not in capsys.readouterr().err


def test_the_command_line_is_a_shell_of_short_functions_with_no_sql():
    """Each command is declared beside its handler; none is long, none runs SQL itself."""
    import ast

    for module in ("cli.py", "console.py"):
        text = (Path(__file__).parents[1] / "tradewatch" / module).read_text()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef):
                assert node.end_lineno - node.lineno < 60, f"{module}: {node.name}"
        for marker in ("run_sql(", ".execute(", "connect("):
            assert marker not in text, f"{module} holds {marker}"


def test_serve_without_a_server_to_serve_to_is_refused_at_once(monkeypatch, capsys):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    started = time.monotonic()
    assert main(["serve"]) == 2
    assert "PREFECT_API_URL" in capsys.readouterr().err
    assert time.monotonic() - started < 5  # no temporary server started, nothing served
