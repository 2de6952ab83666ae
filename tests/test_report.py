"""The monthly briefing page, from the offline 2016 run, read as HTML and rendered in Chromium.

The Chromium test (Debian's ``chromium``; ``.ci/run`` installs it) renders the September page at
a phone and a desktop width, screenshots both, dumps the DOM, and routes every request through a
recording proxy on 127.0.0.1: the page must ask for nothing. Chromium's own service calls
(updates, time, accounts) also reach the proxy and are set aside by host; a control page with an
outside image and stylesheet shows the proxy catches what a page asks for.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tradewatch.cli import main
from tradewatch.flows import monthly_ingest
from tradewatch.report import report_data, report_markdown, reports_folder
from tradewatch.schemas import Month

pytestmark = pytest.mark.usefixtures("prefect_harness")

# Where Chromium itself calls home (component updates, network time, sign-in): not the page.
CHROMIUM_SERVICES = ("google.com", "googleapis.com", "gvt1.com")


@pytest.fixture
def year_2016(warehouse_path) -> str:
    """January to September 2016 offline, with September's news: the April and September turns."""
    summary = monthly_ingest(
        month="2016-09", window_months=9, offline=True, warehouse=warehouse_path
    )
    assert summary["report"] == str(reports_folder(warehouse_path) / "report-2016-09.html")
    return warehouse_path


def _page(warehouse: str, month: str) -> BeautifulSoup:
    path = reports_folder(warehouse) / f"report-{month}.html"
    if not path.exists():
        assert main(["report", "--month", month, "--warehouse", warehouse]) == 0
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _outside_references(page: BeautifulSoup) -> list[str]:
    """Anything the page would load: scripts, images, stylesheets, frames, CSS urls."""
    found = [str(tag) for tag in page.find_all(["script", "img", "link", "iframe", "object"])]
    found += [str(tag)[:80] for tag in page.find_all(src=True)]
    found += [style.text for style in page.find_all("style") if "url(" in style.text]
    return found


def test_the_run_writes_the_page_and_it_holds_the_turns_figures_sources_and_claims(year_2016):
    september, april = _page(year_2016, "2016-09"), _page(year_2016, "2016-04")
    turn = september.select_one("#reversals article.reversal h3").get_text()
    assert turn == "Coal: China imports from North Korea: turned down, -27.1%"
    assert "2,465,000 t in August → 1,798,000 t in September 2016, after 3 months rising" in (
        september.select_one("#reversals article.reversal p").get_text()
    )
    assert september.select_one("#reversals figure svg") is not None  # its chart, inline
    # how it was judged: a year of history is too little for the seasonal band, and it says so
    assert "Judged by the simple rule" in september.select_one("#reversals p.rule").get_text()
    april_turns = [h.get_text() for h in april.select("#reversals h3")]
    assert "Coal: China imports from North Korea: turned down, -34.9%" in april_turns
    assert len(april.select("#reversals figure div.wide svg")) == len(april_turns)

    rows = september.select("#figures tbody tr")
    assert len(rows) == 6  # three watched Comtrade series, August and September
    for row in rows:  # every figure with the address it came from
        link = row.select_one("a[href]")
        assert link["href"].startswith("https://comtradeapi.un.org/"), row.get_text()
    quotes = [q.get_text() for q in september.select("#claims blockquote")]
    verdicts = [v.get_text() for v in september.select("#claims .verdict")]
    assert any("2.465 million tonnes in August" in q for q in quotes)
    assert verdicts and set(verdicts) <= {"agrees", "disagrees", "unclear", "no data"}
    assert "agrees" in verdicts
    # replayed recordings are not said to be retrieved the day they were replayed
    retrieved = [row.select_one('td[data-label="retrieved"]').get_text() for row in rows]
    assert all(cell.startswith("replayed 20") for cell in retrieved), retrieved
    # a source's months missing for one reason are one line, not one a month
    gaps = [li.get_text() for li in september.select("#gaps li")]
    gacc = [g for g in gaps if g.startswith("China Customs (GACC)")]
    assert gacc == [
        "China Customs (GACC) 2016-01 to 2016-09 (9 months): not available — GACC's English "
        "archive starts in 2018"
    ]
    assert len(gaps) == len({g.split(" 2016")[0] for g in gaps})
    # a phone gets a chart drawn for its width (the desktop's, scaled, had 4 px labels)
    (phone,) = september.select("#reversals figure div.narrow svg")
    assert phone["width"] == "288pt"
    assert september.select_one("#reversals figure div.wide svg")["width"] == "576pt"
    assert _outside_references(september) == []


def test_the_run_leaves_the_report_and_figures_as_prefect_artifacts(year_2016):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=["tradewatch-report", "tradewatch-figures"])
            )
        )
    found = {}  # the test server is shared by the session: this run's are the newest
    for artifact in sorted(artifacts, key=lambda a: a.created):
        found[artifact.key] = artifact
    report, figures = found["tradewatch-report"], found["tradewatch-figures"]
    assert report.type == "markdown" and "file://" not in report.data
    assert "turned down, -27.1%" in report.data
    assert figures.type == "table" and "comtradeapi.un.org" in str(figures.data)


def test_the_markdown_artifact_links_sources_never_files(year_2016):
    month = Month(2016, 9)
    text = report_markdown(month, report_data(year_2016, month), Path("/srv/w.duckdb.reports/x"))
    assert "file://" not in text
    assert "](https://comtradeapi.un.org/" in text
    assert "**Coal: China imports from North Korea** turned down, -27.1%" in text


class _RecordingProxy:
    def __init__(self):
        self.seen: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's API
                proxy.seen.append(self.path)
                self.send_response(502)
                self.end_headers()

            do_POST = do_CONNECT = do_HEAD = do_GET  # noqa: N815

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def page_requests(self) -> list[str]:
        return [url for url in self.seen if not any(s in url for s in CHROMIUM_SERVICES)]


def _chromium(proxy: _RecordingProxy, *args: str) -> subprocess.CompletedProcess:
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
        f"--proxy-server=http://127.0.0.1:{proxy.server.server_port}",
        "--proxy-bypass-list=<-loopback>", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync",
        "--disable-extensions", "--virtual-time-budget=3000",
    ]  # fmt: skip
    return subprocess.run(
        [shutil.which("chromium"), *flags, *args], capture_output=True, text=True, timeout=120
    )


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", head[16:24])


@pytest.mark.skipif(
    shutil.which("chromium") is None, reason="needs Debian's chromium (apt-get install chromium)"
)
def test_the_page_renders_on_a_phone_and_a_desktop_and_asks_for_nothing(year_2016, tmp_path):
    page = reports_folder(year_2016) / "report-2016-09.html"
    proxy = _RecordingProxy()
    try:
        shots = {}
        for name, width in (("phone", 390), ("desktop", 1280)):
            shots[name] = tmp_path / f"{name}.png"
            done = _chromium(
                proxy, f"--window-size={width},2400", f"--screenshot={shots[name]}", page.as_uri()
            )
            assert shots[name].exists(), done.stderr[-2000:]
            assert _png_size(shots[name]) == (width, 2400)
            assert shots[name].stat().st_size > 30_000  # a page, not a blank
        dom = BeautifulSoup(_chromium(proxy, "--dump-dom", page.as_uri()).stdout, "html.parser")
        assert dom.select_one("#reversals figure svg") is not None
        assert "turned down, -27.1%" in dom.select_one("#reversals h3").get_text()
        assert len(dom.select("#figures tbody a[href]")) == 6
        assert dom.select("#claims .verdict")
        _page(year_2016, "2016-04")  # written by the command
        april = reports_folder(year_2016) / "report-2016-04.html"
        dom = BeautifulSoup(_chromium(proxy, "--dump-dom", april.as_uri()).stdout, "html.parser")
        turns = [h.get_text() for h in dom.select("#reversals h3")]
        assert "Coal: China imports from North Korea: turned down, -34.9%" in turns
        assert len(dom.select("#reversals figure div.wide svg")) == len(turns)
        assert proxy.page_requests() == []

        control = tmp_path / "control.html"
        control.write_text(
            '<html><body><img src="https://example.org/x.png">'
            '<link rel="stylesheet" href="http://example.com/a.css"></body></html>'
        )
        _chromium(proxy, "--dump-dom", control.as_uri())
        assert any("example." in url for url in proxy.page_requests())  # the proxy sees pages'
    finally:
        proxy.server.shutdown()


def test_each_claim_shows_the_customs_figure_in_its_own_terms(warehouse_path):
    """The seed report (October 2016): "dropped 27 percent" is checked against the customs
    percent change, a tonnage against tonnes — not every figure as tonnes ("-0 t")."""
    monthly_ingest(month="2016-10", window_months=3, offline=True, warehouse=warehouse_path)
    page = _page(warehouse_path, "2016-09")
    checks = {
        quote.get_text(): [
            (item.select_one(".stated").get_text(), item.get_text().split(": ", 1)[1])
            for item in quote.find_next_sibling("ul", class_="checks").select("li")
        ]
        for quote in page.select("#claims blockquote")
    }
    percent = [lines for quote, lines in checks.items() if "27 percent" in quote]
    assert percent == [[("27 percent", "agrees; customs \u221227.1%")]]
    tonnes = [lines for quote, lines in checks.items() if "165,000 tonnes" in quote]
    assert tonnes == [[("165,000 tonnes", "agrees; customs: 165,000 t")]]
    # each sentence once, however many figures it states; each verdict under its own figure
    quotes = [quote.get_text() for quote in page.select("#claims blockquote")]
    assert len(quotes) == len(set(quotes))
    assert sum(map(len, checks.values())) == len(page.select("#claims .verdict"))


def test_a_month_never_loaded_or_a_missing_warehouse_is_refused_and_leaves_nothing(
    year_2016, tmp_path, capsys
):
    assert main(["report", "--month", "2019-05", "--warehouse", year_2016]) == 1
    assert "no run has loaded 2019-05" in capsys.readouterr().err
    assert not (reports_folder(year_2016) / "report-2019-05.html").exists()
    missing = str(tmp_path / "nowhere.duckdb")
    assert main(["report", "--month", "2016-09", "--warehouse", missing]) == 1
    assert "no warehouse at" in capsys.readouterr().err
    assert not list(tmp_path.glob("nowhere*"))  # no empty .reports folder either
