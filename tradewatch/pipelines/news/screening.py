"""Stage 2 of reading a report: figures that are no trade claim.

A forecast, a poll or an expectation ("economists polled by Reuters expected exports to rise
9.1 percent") is not a figure customs published — though the figure it is compared against is
("against $40.21 in November"); tariffs, duties, the economy's growth and targets, production,
stocks and exchange rates are not trade; a price ("USD 162.8 per tonne", "prices rose 5%") is
not a trade value. Words are data in ``claim_words``.
"""

from __future__ import annotations

import re

from .claim_words import (
    COMPARED_BEFORE,
    FORECAST_AFTER,
    FORECAST_BEFORE,
    NOT_TRADE_AFTER,
    NOT_TRADE_BEFORE,
    PER_UNIT,
    PRICE_OF,
    PRICE_WORDS,
    THAN_EXPECTED,
    TRADE_WORDS,
)
from .months import Placed
from .numbers import Figure
from .sentences import clause_start, part_start


def not_a_claim(text: str, item: Placed) -> bool:
    """A forecast, a tariff, the economy's growth or a stock: not a figure of trade."""
    figure = item.figure
    part = text[part_start(text, figure.start) : figure.start]
    if NOT_TRADE_BEFORE.search(part) or NOT_TRADE_AFTER.match(text, figure.end):
        return True
    compared = item.contrast or COMPARED_BEFORE.search(part)  # "from August's $52.05 billion"
    if FORECAST_AFTER.match(text, figure.end):
        return True  # "a 3.0 per cent increase expected by economists"
    return not compared and bool(FORECAST_BEFORE.search(THAN_EXPECTED.sub(" ", part)))


def about_prices(text: str, figure: Figure) -> bool:
    """A price ("USD 162.8 per tonne") or a change of one ("prices rose 5%"), not trade."""
    if figure.kind == "value" and PER_UNIT.match(text, figure.end):
        return True
    clause = text[clause_start(text, figure.start) : figure.start]
    if figure.kind in ("value", "percent") and PRICE_OF.search(clause):
        return True  # "the per-tonne value of the soybean imports increased 1.3 percent"
    if figure.kind != "percent":
        return False
    # an aside between dashes or brackets is not what changed
    clause = re.sub(r"\s[-–—]{1,2}\s.*?\s[-–—]{1,2}\s|\([^)]*\)", " ", clause)
    prices = [m.end() for m in PRICE_WORDS.finditer(clause)]
    trade = [m.end() for m in TRADE_WORDS.finditer(clause)]
    return bool(prices) and (not trade or prices[-1] > trade[-1])
