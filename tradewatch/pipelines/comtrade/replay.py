"""Offline replay of the Comtrade API from the recordings shipped in ``recordings/``.

Each recording is the API's complete answer, in its real shape, for one reporter, partner and
flow over every month recorded. A request is answered with the records the API would return for
its periods and commodity codes, serialised the same way every time so a replayed body has a
stable sha256.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

import httpx

from . import settings

RECORDINGS = Path(__file__).parent / "recordings"
_PATHS = {"/public/v1/preview/C/M/HS", "/data/v1/get/C/M/HS"}


RECORDINGS_ENV = "TRADEWATCH_COMTRADE_RECORDINGS"  # another folder of recordings (benchmarks)


def recording_path(reporter: str, partner: str, flow: str) -> Path:
    folder = Path(os.environ.get(RECORDINGS_ENV) or RECORDINGS)
    return folder / f"C_M_HS_r{reporter}_p{partner}_{flow}.json"


@cache
def _records(path: Path) -> tuple[dict, ...]:
    if not path.exists():
        return ()
    return tuple(json.loads(path.read_text(encoding="utf-8"))["data"])


def replay(request: httpx.Request) -> httpx.Response:
    """Answer one Comtrade request as the API would, from the recordings."""
    if request.url.path not in _PATHS:
        return httpx.Response(404, text=f"offline replay: no Comtrade endpoint {request.url.path}")
    query = request.url.params
    wanted = ("reporterCode", "partnerCode", "flowCode", "cmdCode", "period")
    if any(not query.get(name) for name in wanted):
        return httpx.Response(
            400, json={"error": "missing query parameter", "count": 0, "data": []}
        )
    path = recording_path(query["reporterCode"], query["partnerCode"], query["flowCode"])
    codes = set(query["cmdCode"].split(","))
    periods = query["period"].split(",")
    records = [
        r
        for period in periods
        for r in _records(path)
        if r["period"] == period and r["cmdCode"] in codes
    ]
    document = {"elapsedTime": "0.05 secs", "count": len(records), "data": records, "error": ""}
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return httpx.Response(
        200, content=body, headers={"content-type": "application/json; charset=utf-8"}
    )


REPLAYERS = {settings.HOST: replay}
