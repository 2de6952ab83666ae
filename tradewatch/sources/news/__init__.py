"""News reports about the watched trade: discovered, read, their figures checked.

Not a series source: it runs for the watched series that have ``news_terms``, one month at a
time, and writes its month's one ledger row once every page ran. Light, like every source's
module; ``parts`` holds discovery, reading and loading.
"""

from __future__ import annotations

from ...lazy import lazy_names
from ..base import Run, Source

_HOMES = {
    "CLAIM_TABLE_COLUMNS": "parts",
    "NewsClients": "parts",
    "article_frames": "parts",
    "extract_report": "parts",
    "news_clients": "parts",
    "news_options": "parts",
}
__getattr__ = lazy_names(__name__, _HOMES, globals())


class News(Source):
    """Discovery (GDELT from 2017, the watchlist's feeds) plans the pages; each page is an
    article and its claims, or refused into ``news_rejects`` (never a failed month)."""

    name = "news"
    title = "News reports"
    settings = "tradewatch.sources.news.settings:NewsSettings"
    watches_series = False
    backfill_by_default = False  # GDELT allows one request every 5 seconds: asked for by name
    monthly_window = False  # the target month's reports
    skip_unchanged = False
    parts = "tradewatch.sources.news.parts"
    ledger_at_end = True

    @classmethod
    def configured(cls, config, *, offline, secret):
        from .parts import news_options

        return cls(news_options(config, offline))

    @classmethod
    def watched(cls, config):
        return [s for s in config.series if s.news_terms]

    def client(self, log, offline):
        from .parts import news_clients

        return news_clients(log, offline)

    def plan(self, client, series, months, note):
        from .parts import plan

        return plan(client, series, months, note, self.options)

    def refuse(self, con, request, refused, run, months):
        from .parts import refuse

        refuse(con, request, refused, run, months)

    def finish(self, con, outcomes, notes, months, run):
        from .parts import finish

        return finish(con, outcomes, notes, months, run)

    def months(self, request):
        return [request.month]

    def label(self, request):
        return request.url

    def loaded(self, con, start, end):
        from ...warehouse.news import news_loaded_months

        return {month: set() for month in news_loaded_months(con, start, end)}

    def backfill_runs(self, con, config, months, force):
        """Month by month, skipping months whose reports a run has loaded."""
        series = self.watched(config)
        if not series:
            return [], []
        done = set() if force else self.loaded(con, months[0].first_day, months[-1].first_day)
        skipped = [m for m in months if m.first_day in done]
        return [Run(self, series, [m]) for m in months if m.first_day not in done], skipped
