"""Offline replay of GDELT, feeds and article pages from ``recordings/`` (see its README)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import httpx

from . import settings

RECORDINGS = Path(__file__).parent / "recordings"
PAGES = RECORDINGS / "pages"
# The recorded outlets' feeds, read offline besides the watchlist's own.
RECORDED_FEEDS = ("https://www.yalutrade.example/feed/",)
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/rss+xml; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
}


def replay_gdelt(request: httpx.Request) -> httpx.Response:
    """The month's recorded artlist answer; GDELT's empty object for months not recorded."""
    start = parse_qs(request.url.query.decode()).get("startdatetime", [""])[0]
    path = RECORDINGS / "gdelt" / f"{start[:4]}-{start[4:6]}.json"
    body = path.read_bytes() if path.is_file() else b"{}"
    return httpx.Response(200, content=body, headers={"content-type": "application/json"})


def replay_page(request: httpx.Request) -> httpx.Response:
    """A recorded page by host and path (``index.*`` for a path ending in /); else 404."""
    root = (PAGES / request.url.host).resolve()
    path = (root / request.url.path.lstrip("/")).resolve()
    if request.url.path.endswith("/") or path.is_dir():
        path = next(iter(sorted(path.glob("index.*"))), path / "index.html")
    if root not in path.parents or not path.is_file():
        return httpx.Response(404, text="404 Not Found")
    content_type = _TYPES.get(path.suffix, "application/octet-stream")
    return httpx.Response(200, content=path.read_bytes(), headers={"content-type": content_type})


def replayers() -> dict:
    hosts = {p.name: replay_page for p in PAGES.iterdir() if p.is_dir()} if PAGES.is_dir() else {}
    return {**hosts, settings.GDELT_HOST: replay_gdelt}
