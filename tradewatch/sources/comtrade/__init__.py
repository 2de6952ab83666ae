"""UN Comtrade: monthly figures by reporter, partner and HS code, from its API.

This module is light (the registry, the watchlist and ``status`` import it): the parsers and
loaders it runs load with its first request, from ``pipelines/comtrade`` and ``parts``.
"""

from __future__ import annotations

from ...lazy import lazy_names
from ..base import Run, Source, pending_months

_HOMES = {"api_key": "parts", "load_comtrade_file": "parts", "comtrade_client": "parts"}
__getattr__ = lazy_names(__name__, _HOMES, globals())


class Comtrade(Source):
    """Twelve months a call per partner and commodities; the API key, when there is one, from
    ``COMTRADE_API_KEY`` or the Prefect Secret the watchlist names."""

    name = "comtrade"
    title = "UN Comtrade"
    settings = "tradewatch.sources.comtrade.settings:ComtradeSettings"
    default_for_series = True

    @classmethod
    def configured(cls, config, *, offline, secret):
        from .parts import api_key

        block = config.settings_for(cls.name).api_key_secret or None
        return cls({"api_key": api_key(block, offline, secret)})

    def client(self, log, offline):
        from .parts import comtrade_client

        return comtrade_client(log, offline)

    def plan(self, client, series, months, note):
        from ...pipelines.comtrade import plan_requests

        return plan_requests(series, months)

    def fetch(self, client, request):
        from ...pipelines.comtrade import fetch_request

        return fetch_request(client, request, self.options.get("api_key"))

    def check(self, raw):
        from ...pipelines.comtrade import parse_payload
        from ...schemas import check_trade_rows

        return check_trade_rows(parse_payload(raw))

    def load(self, con, raw, checked, run):
        from .parts import load

        return load(con, raw, checked, run)

    def months(self, request):
        return request.months

    def label(self, request):
        return f"comtrade {request.months[0]}..{request.months[-1]} hs {request.hs_codes}"

    def backfill_runs(self, con, config, months, force):
        """Each series only for the months it still needs, twelve months a call, oldest first."""
        loaded = self.loaded(con, months[0].first_day, months[-1].first_day)
        groups = pending_months(self.watched(config), months, loaded, force)
        todo = {m for needed in groups for m in needed}
        requests = sorted(
            (r for needed, group in groups.items() for r in self.plan(None, group, needed, None)),
            key=lambda r: (r.months[0], r.partner, r.hs_codes),
        )
        skipped = [m for m in months if m not in todo]
        return ([Run(self, requests=requests)] if requests else []), skipped
