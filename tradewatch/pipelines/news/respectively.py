"""A stage of reading a sentence: "…, respectively" shares a list out among the figures in order.

"China's coal imports from Indonesia and Mongolia rose 23 percent and 42 percent, respectively"
gives Indonesia the 23 percent and Mongolia the 42; "exports and imports dropped by 6.4 percent
and 3.2 percent, respectively" gives exports the 6.4 and imports the 3.2 (not both ways' trade);
"imports of iron ore and soybeans dropped … to 803 million tons and 70.01 million tons,
respectively" gives each amount its commodity. A list is the partners, the flows or the
commodities named before the sentence's first figure; the figures of each kind (percents,
amounts) take it when there are as many of them as the list has items. Lists of months are
shared out where the months are read (``months``).
"""

from __future__ import annotations

import re
from dataclasses import replace

from .claim_words import COMMODITIES, LISTED
from .identity import mentions
from .months import Placed

RESPECTIVELY = re.compile(r"\brespectively\b", re.IGNORECASE)
# "exports and imports", "imports and exports": two flows, in this order
FLOW_PAIR = re.compile(r"\b(exports?|imports?)\s+and\s+(exports?|imports?)\b", re.IGNORECASE)


def share_out(text: str, placed: list[Placed]) -> None:
    """Give each figure its item of the sentence's list: a partner or a flow in its series, a
    commodity of its own."""
    if not placed or not RESPECTIVELY.search(text):
        return
    first = min(p.figure.start for p in placed)
    groups: dict[str, list[int]] = {}
    for index, item in enumerate(placed):
        groups.setdefault("percent" if item.figure.kind == "percent" else "amount", []).append(
            index
        )
    partners = _partners(text, first)
    flows = _flows(text, first)
    commodities = _commodities(text, first)
    for indexes in groups.values():
        if len(partners) == len(indexes) > 1:
            for index, partner in zip(indexes, partners, strict=True):
                placed[index].series = replace(placed[index].series, partner=partner)
        if len(flows) == len(indexes) > 1:
            for index, flow in zip(indexes, flows, strict=True):
                placed[index].series = replace(placed[index].series, flow=flow)
        if len(commodities) == len(indexes) > 1:
            for index, commodity in zip(indexes, commodities, strict=True):
                placed[index].commodity = commodity


def _partners(text: str, before: int) -> list[int]:
    """The partners of one list ("from Indonesia and Mongolia") before ``before``."""
    found = [m for m in mentions(text) if m.role == "partner" and m.end <= before]
    run: list = []
    for mention in found:
        between = text[run[-1].end : mention.start] if run else ""
        if run and not LISTED.match(between):
            run = []
        run.append(mention)
    return [m.code for m in run]


def _flows(text: str, before: int) -> list[str]:
    pairs = list(FLOW_PAIR.finditer(text, 0, before))
    if not pairs:
        return []
    return ["M" if word.lower().startswith("import") else "X" for word in pairs[-1].groups()]


def _commodities(text: str, before: int) -> list[str]:
    named = sorted(
        (match.start(), name)
        for name, pattern in COMMODITIES.items()
        for match in pattern.finditer(text, 0, before)
    )
    return list(dict.fromkeys(name for _, name in named))
