"""Eurostat Comext: every EU member's trade with every partner, by CN8 product, monthly, from
the bulk file ``full_v2_YYYYMM.7z`` (about 45 MB packed, 400 MB of CSV, 4.9 million rows).

One package, nothing else in tradewatch edited: this module is light (the registry, the
watchlist and ``status`` import it); ``parts`` fetches, streams (``archive``), checks and loads
(``parse``) with the first request.
"""

from __future__ import annotations

from ..base import Source


class Comext(Source):
    """A month is one bulk file; a watched series is its reporter's rows for its partner (every
    partner for the world), flow and CN8 lines (a heading sums the lines under it). The EU as
    reporter (EU27_2020, code 97) sums its 27 members' lines with partners outside it (with the
    world: every partner outside the EU27); the EU as partner, a member's lines with the 26
    others."""

    name = "comext"
    title = "Eurostat Comext"
    parts = "tradewatch.sources.comext.parts"
    currency = "EUR"
    product_digits = (2, 4, 6, 8)  # CN8 lines; a shorter heading sums the lines under it
    aggregates = frozenset({97})  # the EU (EU27_2020): the sum of its members' lines
    # Every row of a month's file as published (codes as text: "39XXXXXX" stays itself), with
    # the exchange and bytes it came from; on a DuckLake, Parquet under the lake's data path.
    tables = """
create table if not exists comext_rows (
    period date not null, reporter varchar not null, partner varchar not null,
    trade_type varchar not null, product_nc varchar not null, product_sitc varchar,
    product_cpa21 varchar, product_cpa22 varchar, product_bec varchar, product_bec5 varchar,
    product_section varchar, flow varchar not null, stat_procedure varchar,
    suppl_unit varchar, value_eur bigint not null, value_nac bigint not null,
    quantity_kg bigint not null, quantity_suppl_unit bigint not null,
    exchange_id varchar not null, sha256 varchar not null
);
-- What each watched series' month is the sum of: its CN8 lines (a heading's every line under
-- it, confidential ones as published), kilograms and euro, from which file.
create table if not exists comext_sums (
    period date not null, series_key varchar not null, series varchar not null,
    hs_code varchar not null, cn8_codes varchar not null, lines integer not null,
    confidential_lines integer not null, quantity_kg bigint not null, value_eur bigint not null,
    exchange_id varchar not null
)
"""

    @classmethod
    def series_problem(cls, series):
        from ...schemas.countries import EU, EU27, country_name, m49

        if problem := super().series_problem(series):
            return problem
        members = _eu_reporters()
        if series.reporter not in members and series.reporter != EU:
            return (
                f"comext publishes the EU members' own trade: {country_name(series.reporter)} "
                f"({series.reporter}) is not an EU member"
            )
        eu27 = {m49(code) for code in EU27} | {EU}
        if series.reporter == EU and series.partner in eu27:
            return (
                "the EU's trade with its own members is no trade of the EU's: watch a member "
                f"for its trade with {country_name(series.partner)}"
            )
        return None

    def client(self, log, offline):
        from .parts import comext_client

        return comext_client(log, offline)

    def plan(self, client, series, months, note):
        from .parts import plan

        return plan(client, series, months, note, bool(self.options.get("offline")))

    def label(self, request):
        return f"comext {request.month}"


def _eu_reporters() -> frozenset[int]:
    """The EU's members as Comext reports them (the 27 since February 2020, and the United
    Kingdom, which Comext keeps as a reporter for the months before)."""
    from ...schemas.countries import EU27, m49

    return frozenset(m49(code) for code in (*EU27, "GBR"))
