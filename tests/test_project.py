"""The project's own promises: lint clean, deployments that point at real flows."""

import importlib
import importlib.util
import inspect
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from prefect.client.schemas.schedules import CronSchedule

from tradewatch.flows import deployments, schedules
from tradewatch.warehouse import Warehouse

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(importlib.util.find_spec("ruff") is None, reason="ruff is in the dev extra")
def test_ruff_clean():
    ruff = [sys.executable, "-m", "ruff"]
    lint = subprocess.run([*ruff, "check", str(ROOT)], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout
    fmt = subprocess.run([*ruff, "format", "--check", str(ROOT)], capture_output=True, text=True)
    assert fmt.returncode == 0, fmt.stdout


def load_entrypoint(entrypoint: str):
    module, name = entrypoint.split(":")
    return getattr(importlib.import_module(module), name)


DEPLOYMENTS = yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"]


@pytest.mark.parametrize("deployment", DEPLOYMENTS, ids=lambda d: d["name"])
def test_prefect_yaml_entrypoints_import_and_parameters_match(deployment):
    flow = load_entrypoint(deployment["entrypoint"])
    signature = inspect.signature(flow.fn).parameters
    given = set(deployment.get("parameters") or {})
    assert given <= set(signature), f"unknown parameters {given - set(signature)}"
    required = {n for n, p in signature.items() if p.default is inspect.Parameter.empty}
    assert required <= given, f"parameters the flow requires: {required - given}"
    # a parallel backfill's chunks run N at a time: their parent keeps count, not a limit
    assert deployment.get("concurrency_limit") == (None if deployment["name"] == "chunks" else 1)
    assert deployment["work_pool"]["name"] == "tradewatch"


def test_prefect_yaml_schedules_parse_and_match_serve():
    by_name = {d["name"]: d for d in DEPLOYMENTS}
    assert set(by_name) == {
        schedules.MONTHLY_DEPLOYMENT, schedules.BACKFILL_DEPLOYMENT, schedules.CHUNK_DEPLOYMENT
    }  # fmt: skip
    (monthly,) = by_name["monthly"]["schedules"]
    parsed = CronSchedule(cron=monthly["cron"], timezone=monthly["timezone"])
    assert (parsed.cron, parsed.timezone) == (schedules.MONTHLY_CRON, schedules.TIMEZONE)
    assert "schedules" not in by_name["backfill"]
    assert by_name["monthly"]["entrypoint"] == "tradewatch.flows.monthly:monthly_ingest"
    assert by_name["backfill"]["entrypoint"] == "tradewatch.flows.backfill:backfill"
    assert by_name["chunks"]["entrypoint"] == "tradewatch.flows.backfill:backfill"
    assert "schedules" not in by_name["chunks"]


def test_serve_builds_the_deployments_with_the_same_schedule():
    monthly, backfill, chunks = deployments.build_deployments(Warehouse("/data/tw.duckdb"))
    assert (monthly.name, backfill.name, chunks.name) == ("monthly", "backfill", "chunks")
    assert chunks.schedules in (None, []) and chunks.concurrency_limit is None
    (schedule,) = monthly.schedules
    assert schedule.schedule.cron == schedules.MONTHLY_CRON
    assert schedule.schedule.timezone == schedules.TIMEZONE
    assert monthly.parameters == {"warehouse": "/data/tw.duckdb"}
    assert backfill.schedules in (None, [])
    assert monthly.concurrency_limit == backfill.concurrency_limit == 1


SOURCES = sorted(
    p.name for p in (ROOT / "tradewatch" / "pipelines").iterdir() if (p / "parse.py").exists()
)


def test_every_source_parses_and_writes_in_its_own_modules():
    """The first sources keep their parsers in ``pipelines/<name>/`` and their tables in
    ``warehouse/<name>.py``; a newer one is one package, ``sources/<name>/``, nothing else."""
    from tradewatch.sources import source_names

    for name in source_names():
        split = (ROOT / "tradewatch" / "pipelines" / name / "parse.py").exists()
        if split:
            assert (ROOT / "tradewatch" / "warehouse" / f"{name}.py").exists(), name
        else:
            assert (ROOT / "tradewatch" / "sources" / name / "parse.py").exists(), name


def test_the_shared_loader_takes_no_source_specific_parameter():
    from tradewatch.warehouse import load

    for function in (load.load_payload, load.load_payload_batches):
        names = set(inspect.signature(function).parameters)
        assert not names & {"release_url", "published_at", "also", "combined_keys"}, names
        assert not any(source in name for name in names for source in SOURCES), names


def test_flows_hold_no_sql():
    for path in (ROOT / "tradewatch" / "flows").glob("*.py"):
        text = path.read_text()
        for marker in ("run_sql(", ".execute(", "select ", "insert into", "create table"):
            assert marker not in text, f"{path.name} holds SQL ({marker!r})"


def test_flows_name_no_source_but_ask_the_registry():
    for path in (ROOT / "tradewatch" / "flows").glob("*.py"):
        text = path.read_text()
        for source in SOURCES:
            for marker in (f"pipelines import {source}", f'"{source}"', f"{source}.SOURCE"):
                assert marker not in text, f"{path.name} names {source} ({marker!r})"


def test_no_source_is_named_outside_its_own_files():
    """Read with ``ast``: a registered source's name as a string appears only in its own files
    (``pipelines/<name>/``, ``sources/<name>/``, ``warehouse/<name>.py``) — the registry (the
    entry-point table in pyproject.toml) is the one list of them. The one exception is the
    ``tradewatch news`` command group, a command's name (reading one article), not a source."""
    import ast

    from tradewatch.sources import source_names

    names = set(source_names())
    assert {"comtrade", "gacc", "news"} <= names
    allowed = {("cli.py", "news")}
    found = []
    for path in sorted((ROOT / "tradewatch").rglob("*.py")):
        parts = path.relative_to(ROOT / "tradewatch").parts
        own = {
            name
            for name in names
            if parts[:2] in (("pipelines", name), ("sources", name))
            or parts == ("warehouse", f"{name}.py")
        }
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in names - own:
                if ("/".join(parts), node.value) not in allowed:
                    found.append(f"{'/'.join(parts)}:{node.lineno} {node.value!r}")
    assert not found, found


def _functions():
    """Every function in ``tradewatch/`` as (file, name, parameters without self/cls)."""
    import ast

    for path in sorted((ROOT / "tradewatch").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                args = node.args
                params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
                if params and params[0].arg in ("self", "cls"):
                    params = params[1:]
                yield path.relative_to(ROOT / "tradewatch").as_posix(), node.name, params


def test_no_function_takes_more_than_seven_parameters_but_the_flows_forms():
    """What travels together is one object (``Loading``, ``Job``, ``SeriesFilter``...): only
    the flows whose parameters are a deployment's form in the Prefect UI take more than 7."""
    wide = {(f, n) for f, n, params in _functions() if len(params) > 7}
    assert wide <= {("flows/backfill.py", "backfill"), ("flows/monthly.py", "monthly_ingest")}


def test_the_warehouse_travels_as_the_object_not_its_address():
    """A ``warehouse: str`` parameter only where an address comes in from outside: the flows'
    deployment forms (a Prefect parameter is JSON; the CLI hands them ``--warehouse``)."""
    import ast

    taking_address = {
        (f, n)
        for f, n, params in _functions()
        for p in params
        if p.arg == "warehouse" and p.annotation is not None and "str" in ast.unparse(p.annotation)
    }
    assert taking_address <= {
        ("flows/backfill.py", "backfill"),
        ("flows/monthly.py", "monthly_ingest"),
    }


def test_the_hand_made_sql_mutants_still_name_text_of_the_views():
    """scripts/sql_mutants.py mutates the deciding views by replacing text: each text it
    replaces is in its view once, so the script cannot rot into testing nothing."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("sql_mutants", ROOT / "scripts/sql_mutants.py")
    mutants = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mutants)
    for view, old, new in mutants.MUTANTS:
        assert (mutants.VIEWS / view).read_text().count(old) == 1, (view, old)
        assert old != new
