"""UN Comtrade's section of the watchlist, ``[comtrade]`` (pydantic: imported when a watchlist
is checked, not by the registry)."""

from __future__ import annotations

from ...watchlist_check import KeyedSection


class ComtradeSettings(KeyedSection):
    """The watchlist's ``[comtrade]`` section: ``api_key_secret``."""
