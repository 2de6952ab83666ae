"""Offline replay of the GACC site from the pages in ``recordings/`` (see its README)."""

from __future__ import annotations

from pathlib import Path

import httpx

from . import settings

RECORDINGS = Path(__file__).parent / "recordings"


def replay(request: httpx.Request) -> httpx.Response:
    """Serve a recorded page by its path; anything else is a 404, as on the site."""
    path = (RECORDINGS / request.url.path.lstrip("/")).resolve()
    if RECORDINGS.resolve() not in path.parents or not path.is_file():
        return httpx.Response(404, text="404 Not Found")
    return httpx.Response(
        200, content=path.read_bytes(), headers={"content-type": "text/html; charset=utf-8"}
    )


REPLAYERS = {settings.HOST: replay}
