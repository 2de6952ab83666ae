"""The US Census Bureau's section of the watchlist, ``[census]`` (pydantic: imported when a
watchlist is checked, not by the registry)."""

from __future__ import annotations

from ...watchlist_check import KeyedSection


class CensusSettings(KeyedSection):
    """The watchlist's ``[census]`` section: ``api_key_secret``."""
