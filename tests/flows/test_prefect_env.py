"""Prefect's settings as tradewatch's flows see them, in a fresh interpreter."""

import os
import subprocess
import sys

SHOW = (
    "import tradewatch.flows\n"
    "from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS as t,"
    " PREFECT_LOGGING_EXTRA_LOGGERS as x, PREFECT_SERVER_ANALYTICS_ENABLED as a\n"
    "print(t.value(), ','.join(x.value()), a.value())\n"
)


def settings_seen(tmp_path, **env_overrides) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.pop("DO_NOT_TRACK", None)
    env["PREFECT_HOME"] = str(tmp_path / "prefect")
    env.update(env_overrides)
    done = subprocess.run(
        [sys.executable, "-c", SHOW], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


def test_a_slow_first_start_of_the_ephemeral_server_is_waited_for(tmp_path):
    timeout, extra_loggers, analytics = settings_seen(tmp_path)
    assert int(timeout) >= 120  # Prefect's own default, 20 s, is shorter than a busy first start
    assert extra_loggers == "tradewatch"
    assert analytics == "False"


def test_the_users_own_prefect_settings_win(tmp_path):
    timeout, _, analytics = settings_seen(
        tmp_path,
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="7",
        PREFECT_SERVER_ANALYTICS_ENABLED="true",
    )
    assert (timeout, analytics) == ("7", "True")
