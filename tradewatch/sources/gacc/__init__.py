"""China's customs (GACC): the monthly tables of its English site, read from their pages.

Light, like every source's module: the page parsers and loaders load with the first request.
"""

from __future__ import annotations

from ...lazy import lazy_names
from ..base import Source

_HOMES = {"GaccAnswer": "parts", "GaccRequest": "parts", "gacc_client": "parts"}
__getattr__ = lazy_names(__name__, _HOMES, globals())

# what GACC's tables publish by commodity (against the world); countries only as hs TOTAL
COMMODITIES = ("2701", "2601")


class Gacc(Source):
    """The years' index pages plan the release pages; a release may be January and February
    combined, known only once parsed, so a page is always loaded again."""

    name = "gacc"
    title = "China Customs (GACC)"
    skip_unchanged = False
    parts = "tradewatch.sources.gacc.parts"

    @classmethod
    def series_problem(cls, series):
        if problem := super().series_problem(series):
            return problem
        if series.hs_code != "TOTAL" and (series.partner != 0 or series.hs_code not in COMMODITIES):
            return (
                "gacc publishes commodities only against the world (partner 0, hs "
                f"{' or '.join(COMMODITIES)}) and countries only as hs TOTAL"
            )
        return None

    def client(self, log, offline):
        from .parts import gacc_client

        return gacc_client(log, offline)

    def plan(self, client, series, months, note):
        from .parts import plan

        return plan(client, series, months, note)

    def months(self, request):
        from ...schemas.series import Month

        return [Month(request.link.year, request.link.month)]

    def label(self, request):
        link = request.link
        return f"gacc {link.table} {link.year}-{link.month:02d} ({link.publication})"
