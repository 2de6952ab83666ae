"""`tradewatch automation` writes an automation Prefect accepts, for the user's own block."""

from __future__ import annotations

import pytest
import yaml
from prefect.blocks.notifications import CustomWebhookNotificationBlock
from prefect.events.schemas.automations import AutomationCore

from tradewatch.cli import main

pytestmark = pytest.mark.usefixtures("prefect_harness")


def test_the_automation_names_the_saved_block_and_validates(tmp_path, capsys):
    block = CustomWebhookNotificationBlock(
        name="hook", url="http://127.0.0.1:9/hook", json_data={"text": "{{body}}"}
    )
    block_id = block.save("tradewatch-alerts", overwrite=True)
    out = tmp_path / "automation.yaml"
    assert main(
        ["automation", "--block", "custom-webhook/tradewatch-alerts", "--out", str(out)]
    ) == 0  # fmt: skip
    automation = AutomationCore.model_validate(yaml.safe_load(out.read_text()))
    (action,) = automation.actions
    assert str(action.block_document_id) == str(block_id)
    assert automation.trigger.expect == {
        "tradewatch.reversal.raised",
        "tradewatch.reversal.retracted",
    }
    assert "prefect automation create --from-file" in capsys.readouterr().out


def test_an_unknown_block_or_a_malformed_id_is_one_clear_line(capsys):
    assert main(["automation", "--block", "custom-webhook/nope"]) == 1
    assert "no notification block 'custom-webhook/nope'" in capsys.readouterr().err
    assert main(["automation", "--block-id", "not-a-uuid"]) == 1
    assert "badly formed" in capsys.readouterr().err
