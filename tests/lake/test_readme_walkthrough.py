"""The README's "DuckLake on PostgreSQL" and then "Running as a team", followed as written.

Their shell blocks are read out of README.md and run in that order, in one bash session, in a
fresh clone of this repository — so a README that drifts from the code fails here. What differs
from a user typing them, and why:

- ``/var/tmp/`` is a folder of the test's own, and the ports 55432 and 4200 are free ones: the
  suite must not meet a user's server or an earlier run's files;
- the line that makes ``.venv-lake`` links the environment this suite runs in (the same
  install: CI has just run that line), and the line that runs this suite is left out;
- ``PREFECT_HOME`` is the test's; at the end the server and the workers get SIGTERM, as a user
  would stop them, and must be gone within 30 s.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from .conftest import _free_port

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = ("DuckLake on PostgreSQL", "Running as a team")
INSTALL = (
    "python3 -m venv .venv-lake && .venv-lake/bin/pip install -c constraints-lake.txt"
    " -e '.[dev,lake]'"
)
THIS_SUITE = ".venv-lake/bin/python -m pytest tests/lake"


def section_script(readme: str, title: str) -> str:
    """The first bash block of the README's section ``title``."""
    body = readme.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```bash\n(.*?)```", body, re.S)
    assert found, f"no bash block in the README's {title!r}"
    return found.group(1)


def started_with(prefect_home: str) -> list[int]:
    """Processes still running with this ``PREFECT_HOME``: what the walk-through started."""
    mark = f"PREFECT_HOME={prefect_home}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and mark in (proc / "environ").read_bytes().split(b"\0"):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def test_the_readme_lake_then_team_sections_work_as_written(tmp_path):
    if os.geteuid() != 0 or not shutil.which("su"):
        pytest.skip("the README's PostgreSQL steps run `su postgres`: as root only")
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the walk-through starts from a fresh clone")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    scripts = [section_script(readme, title) for title in SECTIONS]
    assert INSTALL in scripts[0] and THIS_SUITE in scripts[0]
    lines = [line for line in "\n".join(scripts).splitlines() if not line.startswith(THIS_SUITE)]
    script = "\n".join(lines).replace(INSTALL, "true  # the suite's own environment, linked")

    # the server's files live where the postgres user can reach them (not under pytest's tmp)
    var_tmp = Path(tempfile.mkdtemp(prefix="tradewatch-readme-"))
    var_tmp.chmod(0o755)
    pg_port, api_port = _free_port(), _free_port()
    script = (
        script.replace("/var/tmp/", f"{var_tmp}/")
        .replace("55432", str(pg_port))
        .replace("127.0.0.1:4200", f"127.0.0.1:{api_port}")
        .replace("--port 4200", f"--port {api_port}")
    )
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    (clone / ".venv-lake").symlink_to(sys.prefix)
    # at the end, as a user stops what they started: SIGTERM to the server and the workers,
    # up to 30 s for them to go, then the database server
    stop = (
        "trap 'pkill -TERM -P $$; for i in $(seq 30); do pgrep -P $$ >/dev/null || break; "
        f'sleep 1; done; su postgres -c "/usr/lib/postgresql/15/bin/pg_ctl -D {var_tmp}/tw-pg/data '
        f"-m immediate stop\" >/dev/null 2>&1' EXIT\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "TRADEWATCH_"))}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    try:
        done = subprocess.run(
            ["bash", "-c", "set -euo pipefail\n" + stop + script],
            cwd=clone, env=env, capture_output=True, text=True, timeout=1500,
        )  # fmt: skip
    finally:
        left = started_with(env["PREFECT_HOME"])
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(var_tmp, ignore_errors=True)
    assert not left, f"still running 30 s after SIGTERM: {left}"
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    assert "Traceback" not in output, output[-6000:]
    # the lake section's query: three 2016 months of North Korea's trade, in tonnes
    assert re.search(r"2016-01-01 +\S.* North Korea +[\d,]+", done.stdout), done.stdout
    # the team's backfill over three workers, its status, and the deployment watched to the end
    assert "chunk" in done.stdout and "completed" in done.stdout, done.stdout[-4000:]
    assert "Completed" in output, output[-4000:]
