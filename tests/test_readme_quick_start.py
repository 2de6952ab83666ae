"""The README's quick start, as written: its commands read out of README.md and run in a new folder.

What differs from a user typing them: the install (``python3 -m venv .venv && .venv/bin/pip
install …``) is the environment this suite runs in, linked as ``.venv``, and the line that runs
the suite is left out. Everything else — the offline run, September's news and briefing, the
first query — runs as printed, so a quick start that drifts from the code fails here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
INSTALL = re.compile(r"python3 -m venv \.venv && \.venv/bin/pip install [^&]+&& ")
THIS_SUITE = ".venv/bin/python -m pytest"


def quick_start_commands() -> list[str]:
    section = README.read_text(encoding="utf-8").split("\n## Quick start\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, re.S)
    lines = [line for block in blocks for line in block.splitlines() if line.strip()]
    assert INSTALL.search(lines[0]), lines[0]
    return [INSTALL.sub("", line) for line in lines if not line.startswith(THIS_SUITE)]


def test_the_quick_start_gives_the_story_and_septembers_briefing_with_its_news(tmp_path):
    commands = quick_start_commands()
    assert [c.split()[1] for c in commands] == ["run", "backfill", "report", "query"]
    (tmp_path / ".venv").symlink_to(sys.prefix)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "TRADEWATCH_"))}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    env["TRADEWATCH_CACHE_DIR"] = str(tmp_path / "cache")
    outputs = []
    for command in commands:
        done = subprocess.run(
            ["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True,
            timeout=600,
        )  # fmt: skip
        output = done.stdout + done.stderr
        assert done.returncode == 0, f"{command}\n{output[-4000:]}"
        assert not re.search(r"\bERROR\b|Traceback", output), f"{command}\n{output[-4000:]}"
        outputs.append(done.stdout)
    # the story, in tonnes: March to April down, August up, September down
    table = outputs[-1]
    for month, tonnes in (
        ("2016-03-01", "2,345,000"), ("2016-04-01", "1,527,000"),
        ("2016-08-01", "2,465,000"), ("2016-09-01", "1,798,000"),
    ):  # fmt: skip
        assert re.search(rf"{month} +coal-chn-prk +comtrade +{tonnes}\b", table), table
    # September's page, as the README's screenshot: the turn and the news with verdicts
    page = (tmp_path / "tradewatch.duckdb.reports" / "report-2016-09.html").read_text()
    assert "turned down, -27.1%" in page
    assert len(re.findall(r'class="verdict"', page)) >= 3, "no news verdicts on the page"
