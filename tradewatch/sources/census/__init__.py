"""US Census Bureau: the United States' monthly imports and exports by HS code and country,
from the international trade API (``timeseries/intltrade/imports/hs`` and ``exports/hs``).

One package, nothing else in tradewatch edited: this module is light (the registry, the
watchlist and ``status`` import it); ``parts`` fetches, parses, checks and loads.
"""

from __future__ import annotations

from ..base import Source

USA = 842  # UN Comtrade's code for the United States (with Puerto Rico and the Virgin Islands)


class Census(Source):
    """A request is one flow, commodity and month for every country (one answer serves every
    watched partner); general imports are the figure (imports for consumption kept beside
    them), exports are total exports. The API key, when there is one, from ``CENSUS_API_KEY``
    or the Prefect Secret the watchlist names (``[census] api_key_secret``)."""

    name = "census"
    title = "US Census Bureau"
    settings = "tradewatch.sources.census.settings:CensusSettings"
    reporter = USA
    parts = "tradewatch.sources.census.parts"
    product_digits = (2, 4, 6, 10)  # HS, and the US's own ten-digit codes
    # Every row of each answer as published: country groups (SUMMARY_LVL CGP) too, general
    # imports and imports for consumption side by side, the quantity with its unit.
    tables = """
create table if not exists census_rows (
    period date not null, flow varchar not null, commodity varchar not null,
    cty_code varchar not null, cty_name varchar not null, summary_lvl varchar,
    partner_code integer, general_usd bigint, consumption_usd bigint, exports_usd bigint,
    quantity double, quantity_unit varchar, exchange_id varchar not null
)
"""

    @classmethod
    def configured(cls, config, *, offline, secret):
        from .parts import api_key

        block = config.settings_for(cls.name).api_key_secret or None
        return cls({"api_key": api_key(block, offline, secret), "offline": offline})

    def client(self, log, offline):
        from .parts import census_client

        return census_client(log, offline)

    def plan(self, client, series, months, note):
        from .parts import plan

        return plan(series, months, note, offline=bool(self.options.get("offline")))

    def fetch(self, client, request):
        from .parts import fetch

        return fetch(client, request, self.options.get("api_key"))

    def check(self, raw):
        from .parse import check

        return check(raw)

    def label(self, request):
        return f"census {request.month} {request.flow} hs {request.hs_code}"
