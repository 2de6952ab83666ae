"""Download monthly Comtrade data: I/O only, no parsing."""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import httpx

from ...schemas import Month, Series, series_key
from ..errors import SourceHTTPError
from ..http import EXCHANGE_ID
from . import settings


@dataclass(frozen=True)
class ComtradeRequest:
    """One API call: one reporter, partner and flow; several commodities and months."""

    reporter: int
    partner: int
    flow: str
    hs_codes: tuple[str, ...]
    months: tuple[Month, ...]

    def series_keys(self) -> list[str]:
        return [series_key(self.reporter, self.partner, hs, self.flow) for hs in self.hs_codes]

    def params(self) -> dict[str, str]:
        return {
            "reporterCode": str(self.reporter),
            "partnerCode": str(self.partner),
            "flowCode": self.flow,
            "cmdCode": ",".join(self.hs_codes),
            "period": ",".join(m.yyyymm for m in self.months),
            **settings.FIXED_PARAMS,
        }


@dataclass(frozen=True)
class RawPayload:
    """The bytes one request brought back, and where and when they came from."""

    request: ComtradeRequest
    url: str
    status: int
    body: bytes
    fetched_at: dt.datetime
    exchange_id: str | None
    endpoint: str


class ComtradeHTTPError(SourceHTTPError):
    """Comtrade answered with an error status after the client's retries."""

    def __init__(self, url: str, status: int, body: bytes) -> None:
        super().__init__(url, status, body[:200].decode("utf-8", "replace"))


def plan_requests(series: Iterable[Series], months: Iterable[Month]) -> list[ComtradeRequest]:
    """Group series into as few calls as the API allows, months oldest first."""
    groups: dict[tuple[int, int, str], set[str]] = defaultdict(set)
    for s in series:
        groups[(s.reporter, s.partner, s.flow)].add(s.hs_code)
    ordered = sorted(set(months))
    requests = []
    for (reporter, partner, flow), codes in sorted(groups.items()):
        hs = tuple(sorted(codes))
        per_call = max(
            1, min(settings.MAX_PERIODS_PER_CALL, settings.MAX_RECORDS["preview"] // len(hs))
        )
        for start in range(0, len(ordered), per_call):
            chunk = tuple(ordered[start : start + per_call])
            requests.append(ComtradeRequest(reporter, partner, flow, hs, chunk))
    return requests


def api_key_from_env() -> str | None:
    """The subscription key from ``COMTRADE_API_KEY``, if set and not blank."""
    return (os.environ.get(settings.API_KEY_ENV) or "").strip() or None


def fetch_request(
    client: httpx.Client, request: ComtradeRequest, api_key: str | None = None
) -> RawPayload:
    """Make one call; the keyless preview unless a subscription key is given."""
    endpoint, url = ("data", settings.DATA_URL) if api_key else ("preview", settings.PREVIEW_URL)
    headers = {settings.API_KEY_HEADER: api_key} if api_key else {}
    response = client.get(url, params=request.params(), headers=headers)
    exchange_id = response.extensions.get(EXCHANGE_ID)
    if response.status_code != 200:
        raise ComtradeHTTPError(str(response.url), response.status_code, response.content)
    return RawPayload(
        request=request,
        url=str(response.url),
        status=response.status_code,
        body=response.content,
        fetched_at=dt.datetime.now(dt.UTC),
        exchange_id=exchange_id,
        endpoint=endpoint,
    )
