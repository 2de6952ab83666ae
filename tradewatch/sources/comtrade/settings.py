"""UN Comtrade's section of the watchlist, ``[comtrade]`` (pydantic: imported when a watchlist
is checked, not by the registry)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ...watchlist import BLOCK_NAME
from ...watchlist_check import Section


class ComtradeSettings(Section):
    """The watchlist's ``[comtrade]`` section."""

    api_key_secret: Annotated[
        str,
        Field(
            pattern=BLOCK_NAME,
            description="the name of a Prefect Secret block (lower-case letters, digits, dashes)",
        ),
    ] = ""
