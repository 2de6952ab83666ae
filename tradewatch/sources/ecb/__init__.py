"""The ECB's euro reference rates, monthly averages: what reads a value published in euro,
yuan, pounds, won or yen in US dollars beside it.

One package, nothing else in tradewatch edited: this module is light; ``parts`` fetches and
loads, ``parse`` reads the data API's CSV.
"""

from __future__ import annotations

from ..base import Run, Source


class Ecb(Source):
    """A request is one month's rates for every currency (one answer); not a series source —
    it runs whenever a watched series' source publishes another currency than US dollars."""

    name = "ecb"
    title = "ECB exchange rates"
    watches_series = False
    parts = "tradewatch.sources.ecb.parts"

    @classmethod
    def watched(cls, config):
        """The series whose values are published in another currency than US dollars: the
        rates are what reads them in dollars (none such: the ECB is not asked)."""
        from ..base import source_class

        return [
            s for s in config.series
            if any(source_class(name).currency != "USD" for name in s.sources)
        ]  # fmt: skip

    def loaded(self, con, start, end):
        """The months whose rates a run has loaded (no series: a month is one answer)."""
        from ...warehouse.status import month_history

        history = month_history(con, start, end)
        return {
            period: set()
            for (source, period), row in history.items()
            if source == self.name and row[2] == "loaded"
        }

    def backfill_runs(self, con, config, months, force):
        """The months whose rates are not loaded yet, in one run."""
        series = self.watched(config)
        if not series:
            return [], []
        done = set() if force else self.loaded(con, months[0].first_day, months[-1].first_day)
        todo = [m for m in months if m.first_day not in done]
        skipped = [m for m in months if m.first_day in done]
        return ([Run(self, series, todo)] if todo else []), skipped

    def client(self, log, offline):
        from .parts import ecb_client

        return ecb_client(log, offline)

    def plan(self, client, series, months, note):
        from .parts import plan

        return plan(months, note, offline=bool(self.options.get("offline")))

    def check(self, raw):
        from .parse import check

        return check(raw)

    def label(self, request):
        return f"ecb {request.month}"
