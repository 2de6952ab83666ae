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
    partner for the world), flow and CN8 lines (a heading sums the lines under it)."""

    name = "comext"
    title = "Eurostat Comext"
    parts = "tradewatch.sources.comext.parts"
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
)
"""

    @classmethod
    def configured(cls, config, *, offline, secret):
        return cls({"offline": offline})

    @classmethod
    def series_problem(cls, series):
        from ...schemas.countries import country_name

        if series.reporter not in _eu_reporters():
            return (
                f"comext publishes the EU members' own trade: {country_name(series.reporter)} "
                f"({series.reporter}) is not an EU member"
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
    from ...schemas.countries import m49

    members = (
        "AUT BEL BGR HRV CYP CZE DNK EST FIN FRA DEU GRC HUN IRL ITA LVA LTU LUX MLT NLD POL PRT "
        "ROU SVK SVN ESP SWE GBR"
    )
    return frozenset(m49(code) for code in members.split())
