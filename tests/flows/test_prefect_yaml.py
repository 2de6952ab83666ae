"""prefect.yaml's pull step runs where a worker runs: from the installed package, any folder."""

from pathlib import Path

import pytest
import yaml
from prefect.deployments.steps.core import run_steps
from prefect.utilities.asyncutils import run_coro_as_sync

import tradewatch

pytestmark = pytest.mark.usefixtures("prefect_harness")  # the steps resolve variables on a server

PREFECT_YAML = Path(__file__).resolve().parents[2] / "prefect.yaml"


def test_the_pull_step_is_ours_and_runs_in_any_folder(tmp_path, monkeypatch):
    config = yaml.safe_load(PREFECT_YAML.read_text())
    assert config["pull"] == [{"tradewatch.flows.deployments.installed": {}}]
    monkeypatch.chdir(tmp_path)  # a worker's own folder, not the deploying machine's checkout
    outputs = run_coro_as_sync(run_steps(config["pull"], {}))
    assert outputs["version"] == tradewatch.__version__
    assert outputs["directory"] == str(tmp_path)
    for deployment in config["deployments"]:
        assert deployment["entrypoint"].startswith("tradewatch.flows.")  # a module, not a path
