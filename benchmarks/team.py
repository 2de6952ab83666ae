"""A Prefect team on one machine, started as the README's "Running as a team" starts it:
``prefect server start``, ``prefect work-pool create tradewatch --type process``,
``prefect deploy --all`` (prefect.yaml) and ``prefect worker start``. Used by the lake tests and
by ``benchmarks/scale.py --workers``."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PREFECT = str(Path(sys.executable).parent / "prefect")


class TeamError(RuntimeError):
    """The server, the pool or the deployments could not be set up: the reason and the log."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prefect(env: dict, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [PREFECT, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    if done.returncode != 0:
        raise TeamError(f"prefect {' '.join(args)}: {done.stdout}{done.stderr}")
    return done


@contextmanager
def team(env: dict, root: Path, workers: int) -> Iterator[tuple[dict, list[Path]]]:
    """A server (on ``PREFECT_API_DATABASE_CONNECTION_URL`` if ``env`` names one), the pool, the
    deployments and ``workers`` workers taking one flow run at a time: (the environment that
    points at them, the workers' log files). Everything is stopped at the end."""
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {k: v for k, v in env.items() if not k.startswith("PREFECT_") or "DATABASE" in k}
    env.update(
        PREFECT_HOME=str(root / "prefect-home"),
        PREFECT_API_URL=f"http://127.0.0.1:{port}/api",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_WORKER_QUERY_SECONDS="1",
        DO_NOT_TRACK="1",
    )
    processes: list[subprocess.Popen] = []

    def start(name: str, *args: str) -> Path:
        log = root / f"{name}.log"
        with log.open("w") as out:
            processes.append(
                subprocess.Popen(
                    [PREFECT, *args], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
                )  # fmt: skip
            )
        return log

    try:
        server_log = start("server", "server", "start", "--host", "127.0.0.1", "--port", str(port))
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(env["PREFECT_API_URL"] + "/health", timeout=2):
                    break
            except OSError:
                if processes[0].poll() is not None or time.monotonic() > deadline:
                    raise TeamError(
                        f"the Prefect server did not start: {server_log.read_text()}"
                    ) from None
                time.sleep(1)
        prefect(env, "work-pool", "create", "tradewatch", "--type", "process")
        prefect(env, "--no-prompt", "deploy", "--all")
        logs = [
            start(
                f"worker-{n}",
                "worker",
                "start",
                "--pool",
                "tradewatch",
                "--limit",
                "1",
                "--name",
                f"worker-{n}",
            )  # fmt: skip
            for n in range(1, workers + 1)
        ]
        yield env, logs
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
