import os

import pytest

from tradewatch import watchlist
from tradewatch.watchlist import WatchlistError

GOOD = """
[run]
window_months = 4

[[series]]
name = "coal"
reporter = 156
partner = 408
hs = "2701"

[[series]]
name = "iron"
reporter = 156
partner = 408
hs = "2601"
flow = "M"
"""


def test_builtin_default_watches_north_korea_and_coal_from_the_world(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(watchlist.ENV_VAR, raising=False)
    config = watchlist.load()
    assert [(s.reporter, s.partner, s.hs_code, s.flow) for s in config.series] == [
        (156, 408, "2701", "M"),
        (156, 408, "2601", "M"),
        (156, 0, "2701", "M"),
        (156, 408, "TOTAL", "M"),
        (276, 0, "2701", "M"),  # Germany's coal imports, from Eurostat Comext
        (842, 156, "TOTAL", "M"),  # the US's trade with China, from the Census Bureau
        (842, 156, "TOTAL", "X"),
        (826, 0, "2701", "M"),  # the UK's coal imports, from HMRC
    ]
    assert [s.sources for s in config.series][2:] == [
        ("comtrade", "gacc"), ("gacc",), ("comext",), ("census",), ("census",), ("hmrc",)
    ]  # fmt: skip
    assert config.window_months == 3


def test_path_from_environment_and_local_file(monkeypatch, tmp_path):
    (tmp_path / "tradewatch.toml").write_text(GOOD)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(watchlist.ENV_VAR, raising=False)
    assert watchlist.load().window_months == 4
    other = tmp_path / "other.toml"
    other.write_text(GOOD.replace("window_months = 4", "window_months = 6"))
    monkeypatch.setenv(watchlist.ENV_VAR, str(other))
    assert watchlist.load().window_months == 6


@pytest.mark.parametrize(
    "change, message",
    [
        (('hs = "2601"', 'hs = "26x1"'), "line 15: hs must be an HS code"),
        (('hs = "2601"', "hs = 2601"), "line 15: hs must be an HS code"),
        (('flow = "M"', 'flw = "M"'), "line 16: unknown key 'flw'"),
        (('partner = 408\nhs = "2601"', 'partner = 4080\nhs = "2601"'), "line 14: partner must"),
        (("window_months = 4", "window_months = 0"), "line 3: window_months"),
        (("[run]", "[runs]"), "line 2: unknown section"),
        (('name = "iron"', 'name = "coal"'), "line 12: duplicate name"),
        (
            ('reporter = 156\npartner = 408\nhs = "2601"', 'partner = 408\nhs = "2601"'),
            "line 11: series is missing 'reporter'",
        ),
        (("window_months = 4", "window_months = "), "line 3"),
    ],
)
def test_bad_watchlists_fail_naming_the_line(change, message):
    text = GOOD.replace(*change)
    assert text != GOOD
    with pytest.raises(WatchlistError, match=message):
        watchlist.parse(text, "w.toml")


def test_unreadable_path_is_a_clear_error(tmp_path):
    with pytest.raises(WatchlistError, match="cannot read watchlist"):
        watchlist.load(tmp_path / "missing.toml")


def test_alert_settings_globally_and_per_series():
    text = (
        "[alerts]\ntheta = 0.2\nmin_trend_months = 2\nlow_base_tonnes = 50\n"
        'webhook_url = "https://hooks.example.org/x"\n'
        + GOOD.replace('name = "iron"', 'name = "iron"\ntheta = 0.05\nlow_base_tonnes = 0')
    )
    config = watchlist.parse(text, "w.toml")
    assert (config.alerts.theta, config.alerts.min_trend_months, config.alerts.low_base_tonnes) == (
        0.2,
        2,
        50.0,
    )
    coal, iron = config.series
    assert (coal.theta, iron.theta, iron.low_base_tonnes) == (None, 0.05, 0.0)
    assert config.alerts.webhook() == "https://hooks.example.org/x"


def test_webhook_from_the_environment_wins(monkeypatch):
    monkeypatch.setenv(watchlist.WEBHOOK_ENV, "http://127.0.0.1:9/hook")
    assert watchlist.parse(GOOD, "w.toml").alerts.webhook() == "http://127.0.0.1:9/hook"


@pytest.mark.parametrize(
    "alerts, message",
    [
        ("theta = 10", "line 2: theta must be a fraction"),
        ("min_trend_months = 0", "line 2: min_trend_months must be 1-24"),
        ("low_base_tonnes = -1", "line 2: low_base_tonnes must be 0 or more"),
        ('webhook_url = "ftp://x"', "line 2: webhook_url must be an http"),
        ('notification_block = "alerts"', "line 2: notification_block must be 'block-type/name'"),
        ("notify_low_base = 1", "line 2: notify_low_base must be true or false"),
        ("thresh = 0.1", "line 2: unknown key 'thresh' in \\[alerts\\]"),
    ],
)
def test_bad_alert_settings_fail_naming_the_line(alerts, message):
    with pytest.raises(WatchlistError, match=message):
        watchlist.parse(f"[alerts]\n{alerts}\n" + GOOD, "w.toml")


def test_countries_may_be_named_by_iso_code_or_name(tmp_path):
    path = tmp_path / "named.toml"
    path.write_text(
        '[[series]]\nname = "coal"\nreporter = "CHN"\npartner = "North Korea"\nhs = "2701"\n'
    )
    (series,) = watchlist.load(str(path)).series
    assert (series.reporter, series.partner) == (156, 408)


def test_an_unknown_country_name_names_its_line(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        '[[series]]\nname = "coal"\nreporter = 156\npartner = "Atlantis"\nhs = "2701"\n'
    )
    with pytest.raises(WatchlistError, match="line 4: unknown country 'Atlantis'"):
        watchlist.load(str(path))


@pytest.mark.parametrize(
    "change, message",
    [
        # codes are ASCII digits: full-width and Arabic-Indic digits are refused
        (('hs = "2601"', 'hs = "\uff12\uff16\uff10\uff11"'), "line 15: hs must be an HS code"),
        (('hs = "2601"', 'hs = "\u0662\u0666\u0660\u0661"'), "line 15: hs must be an HS code"),
        # true is not 1, 156.0 is not 156, a number is not a name
        (
            (
                'reporter = 156\npartner = 408\nhs = "2601"',
                'reporter = true\npartner = 408\nhs = "2601"',
            ),
            "line 13: reporter must",
        ),
        (('partner = 408\nhs = "2601"', 'partner = 408.0\nhs = "2601"'), "line 14: partner must"),
        (('name = "iron"', "name = 5"), "line 12: name must be lower-case"),
        (('flow = "M"', 'flow = "m"'), "line 16: flow must be 'M'"),
        (("window_months = 4", "window_months = 4.0"), "line 3: window_months must be a whole"),
        (("window_months = 4", "window_months = true"), "line 3: window_months must be a whole"),
        (
            ("[run]", "[[run]]"),
            "line 2: \\[run\\] is one table: write \\[run\\], not \\[\\[run\\]\\]",
        ),
        (
            ("window_months = 4", "window_months = 4\n[comtrade]\napi_key_secret = 5"),
            "line 5: api_key_secret must be the name of a Prefect Secret",
        ),
        (
            ("window_months = 4", 'window_months = 4\n[comtrade]\napi_key_secret = "My Key"'),
            "line 5: api_key_secret must",
        ),
        (
            ("window_months = 4", 'window_months = 4\n[news]\nfeeds = "https://x.org/rss"'),
            "line 5: feeds must be a list of http",
        ),
        (
            ("window_months = 4", "window_months = 4\n[alerts]\nlow_base_tonnes = inf"),
            "line 5: low_base_tonnes must be 0 or more",
        ),
        (
            ("window_months = 4", "window_months = 4\n[alerts]\ntheta = nan"),
            "line 5: theta must be a fraction",
        ),
        (('flow = "M"', "sources = []"), "line 16: sources must be a non-empty list"),
        (('flow = "M"', 'sources = ["comtrade", "eurostat"]'), "line 16: sources must be"),
    ],
)
def test_every_key_is_typed_and_refused_naming_the_line(change, message):
    text = GOOD.replace(*change)
    assert text != GOOD
    with pytest.raises(WatchlistError, match=message):
        watchlist.parse(text, "w.toml")


def test_every_fault_is_reported_at_once_each_on_its_line():
    text = GOOD.replace("window_months = 4", "window_months = 99").replace(
        'hs = "2601"', "hs = 2601"
    )
    with pytest.raises(WatchlistError) as error:
        watchlist.parse(text, "w.toml")
    lines = str(error.value).splitlines()
    assert [line.split(":")[0] for line in lines] == ["w.toml, line 3", "w.toml, line 15"]


def test_a_file_that_is_not_utf8_is_named_with_its_line(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(
        GOOD.replace('name = "iron"', 'name = "fer"  # minerai de fer, \xe9t\xe9').encode("latin-1")
    )
    with pytest.raises(WatchlistError, match=r"latin1.toml, line 12: not UTF-8 text \(byte 0xe9\)"):
        watchlist.load(path)


def test_a_series_list_must_not_be_empty():
    with pytest.raises(WatchlistError, match="no \\[\\[series\\]\\] to watch"):
        watchlist.parse("[run]\nwindow_months = 3\n", "w.toml")


def test_a_checked_watchlist_is_read_back_from_the_cache_without_pydantic(tmp_path):
    """``status`` reads the watchlist on every call: once checked, the same text (same
    tradewatch, same sources) comes back from the cache, equal, and pydantic is not imported."""
    import subprocess
    import sys

    path = tmp_path / "w.toml"
    path.write_text('[comtrade]\napi_key_secret = "my-key"\n\n[news]\nfeeds = []\n' + GOOD)
    env = {**os.environ, "TRADEWATCH_CACHE_DIR": str(tmp_path / "cache")}
    program = (
        "import sys; from tradewatch import watchlist; c = watchlist.load(sys.argv[1]); "
        "print('pydantic' in sys.modules, len(c.series), c.alerts.theta, "
        "sorted(c.sources)); print(c.settings_for('comtrade').api_key_secret)"
    )

    def run() -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", program, str(path)], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()

    first, second = run(), run()
    assert first[0].startswith("True ")  # checked: pydantic's models ran
    assert second[0].startswith("False ")  # read back: no pydantic until a section is asked for
    assert first[0].split(" ", 1)[1] == second[0].split(" ", 1)[1]
    assert first[1] == second[1] == "my-key"
    (kept,) = (tmp_path / "cache" / "watchlists").glob("*.json")
    kept.write_text("{not json")  # a damaged copy is checked again, not trusted
    assert run()[0].startswith("True ")
    path.write_text(path.read_text().replace("window_months = 4", "window_months = 99"))
    with pytest.raises(WatchlistError, match="window_months"):  # new text: checked again
        watchlist.load(path)


def test_the_cache_gives_the_same_watchlist_as_checking(tmp_path, monkeypatch):
    monkeypatch.setenv("TRADEWATCH_CACHE_DIR", str(tmp_path))
    path = tmp_path / "w.toml"
    path.write_text(GOOD)
    checked, kept = watchlist.load(path), watchlist.load(path)
    assert list(tmp_path.glob("watchlists/*.json"))
    assert checked.series == kept.series and checked.alerts == kept.alerts
    assert checked.window_months == kept.window_months
    assert checked.settings_for("news") == kept.settings_for("news")
