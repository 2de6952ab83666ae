"""HMRC's Overseas Trade Statistics: the United Kingdom's trade by CN8 code, country and month,
from the uktradeinfo OData API (``/OTS``, paginated by ``@odata.nextLink``), in pounds.

One package, nothing else in tradewatch edited: this module is light; ``parts`` fetches (every
page) and loads, ``parse`` reads the OData answers.
"""

from __future__ import annotations

from ..base import Source

GBR = 826


class Hmrc(Source):
    """A request is one month and commodity heading for every country, both import flow types
    (EU and non-EU) or both export ones; its pages are followed to the end. Countries are
    HMRC's own ids, read through the ``/Country`` answer (ISO alpha-2) into the one table."""

    name = "hmrc"
    title = "HMRC Overseas Trade Statistics"
    reporter = GBR
    parts = "tradewatch.sources.hmrc.parts"
    currency = "GBP"
    # an answer is many pages: its first page unchanged says nothing of the others
    skip_unchanged = False
    product_digits = (2, 4, 6, 8)  # CN8 codes; a heading sums the codes under it
    tables = """
create table if not exists hmrc_rows (
    period date not null, flow_type_id integer not null, commodity_id bigint not null,
    country_id integer not null, country_alpha varchar, partner_code integer,
    suppression_index integer not null, port_id integer, value_gbp double, net_mass_kg double,
    supp_unit double, exchange_id varchar not null
)
"""

    @classmethod
    def series_problem(cls, series):
        if problem := super().series_problem(series):
            return problem
        if series.hs_code == "TOTAL":
            return "hmrc: watch a commodity code (TOTAL would read every row of the month)"
        return None

    def client(self, log, offline):
        from .parts import hmrc_client

        return hmrc_client(log, offline)

    def plan(self, client, series, months, note):
        from .parts import plan

        return plan(client, series, months, note, offline=bool(self.options.get("offline")))

    def check(self, raw):
        from .parse import check

        return check(raw)

    def label(self, request):
        return f"hmrc {request.month} {request.flow} hs {request.hs_code}"
