"""The news source's section of the watchlist, ``[news]`` (pydantic: imported when a watchlist
is checked, not by the registry)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ...watchlist_check import Section


class NewsSettings(Section):
    """The watchlist's ``[news]`` section: where reports are looked for besides GDELT."""

    gdelt: Annotated[bool, Field(description="true or false")] = True
    feeds: Annotated[
        list[Annotated[str, Field(pattern=r"^https?://\S+$")]],
        Field(description="a list of http(s) URLs"),
    ] = []
