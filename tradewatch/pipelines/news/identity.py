"""Whose trade a figure is: its reporter, partner and flow, as the reporter sees it.

The reporter is the country whose customs or ministry publishes the figure, or the country the
sentence is about ("Japan's exports", "China imported", "the nation's exports" after the country
is named, "arrivals into China"). The flow is that country's: import, export, both ways (total
trade) or the balance (a surplus or a deficit, a figure of its own). The partner is the other
side ("from Brazil", "to the U.S.", "with China"), the world when the sentence names none.

Where nothing in the report says whose trade it is, the reporter is unknown: a claim is never
taken for China's imports by default. A country that publishes no trade statistics (North
Korea) is read through its partner: "North Korea's coal exports to China" are China's imports.
Words are data in ``claim_words``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from urllib.parse import urlsplit

from ...schemas.countries import DEMONYMS, country_code, find_countries
from .claim_words import (
    ADJECTIVE_AFTER,
    ASIDE,
    AUTHORITIES,
    DEFICIT_WORDS,
    FLOW_AFTER,
    FLOW_WORDS,
    LISTED,
    NO_STATISTICS,
    OUTLET_DOMAINS,
    PARTNER_AFTER,
    PARTNER_ALIASES,
    PARTNER_BEFORE,
    SAME_REPORTER,
    SHIPPED,
    SUBJECT_AFTER,
    SUBJECT_BEFORE,
    SURPLUS_WORDS,
    TOTAL_WORDS,
    WEAK_FLOW_WORDS,
)

WORLD = 0
FLIPPED = {"M": "X", "X": "M", "T": "T", "B": "B"}


@dataclass(frozen=True)
class Series:
    """A figure's series as far as the text says it; None where it does not."""

    reporter: int | None
    partner: int | None
    flow: str | None  # M import, X export, T both ways, B balance
    balance: str | None = None  # surplus | deficit, for a balance


@dataclass
class Speaker:
    """What earlier sentences of the report said about whose trade it is."""

    reporter: int | None = None  # the country the report is about
    publisher: int | None = None  # an authority the report named (customs, a ministry)
    partner: int | None = None
    flow: str | None = None
    balance: str | None = None
    subject: int | None = None  # the last country said to trade, before reading its partner's
    whole: int | None = None  # the country the whole report names first as trading
    whole_flow: str | None = None  # the flow the whole report names first
    home: int | None = None  # where the outlet is at home: "the nation" when no country is named


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    code: int
    role: str  # subject | adjective | partner | named


@cache
def _authorities() -> tuple[tuple[re.Pattern, int], ...]:
    out = []
    for pattern, code in AUTHORITIES:
        out.append((re.compile(pattern), country_code(code)))
    return tuple(out)


@cache
def _flow_patterns(weak: bool = False) -> tuple[tuple[re.Pattern, str], ...]:
    words = WEAK_FLOW_WORDS if weak else FLOW_WORDS
    return tuple((re.compile(pattern, re.IGNORECASE), flow) for pattern, flow in words)


@cache
def _silent() -> frozenset[int]:
    return frozenset(country_code(code) for code in NO_STATISTICS)


def outlet_country(url: str | None) -> int | None:
    """The country an outlet publishing at ``url`` is at home in, when its address says so."""
    host = (urlsplit(url).hostname or "") if url else ""
    labels = host.removeprefix("www.").split(".")
    for suffix in (".".join(labels[-3:]), ".".join(labels[-2:]), labels[-1]):
        if suffix in OUTLET_DOMAINS:
            return country_code(OUTLET_DOMAINS[suffix])
    return None


def publisher(sentence: str) -> int | None:
    """The country whose authority the sentence names as the figures' source."""
    for pattern, code in _authorities():
        if pattern.search(sentence):
            return code
    return None


@lru_cache(maxsize=256)
def mentions(sentence: str) -> tuple[Mention, ...]:
    """Every country the sentence names, with its role: trading, traded with, or just named.

    Each stage asks about the same sentence (every figure's series, its clauses, what it leaves
    for the next): read once."""
    found = [(start, end, code) for start, end, code in find_countries(sentence)]
    found += [
        (m.start(), m.end(), code) for pattern, code in PARTNER_ALIASES
        for m in pattern.finditer(sentence)
    ]  # fmt: skip
    out = []
    for start, end, code in sorted(found):
        before = sentence[max(0, start - 60) : start]
        adjective = sentence[start:end] in DEMONYMS  # "Indonesian imports" is no verb
        if PARTNER_AFTER.match(sentence, end):
            role = "partner"
        elif SUBJECT_BEFORE.search(before) or (
            not adjective and SUBJECT_AFTER.match(sentence, end)
        ):
            role = "subject"
        elif ADJECTIVE_AFTER.match(sentence, end):
            role = "adjective"  # "Japanese exports", "North Korean coal imports"
        elif PARTNER_BEFORE.search(before) or (
            out and out[-1].role == "partner" and LISTED.match(sentence[out[-1].end : start])
        ):
            role = "partner"  # "to China, the United States and Japan": each one a partner
        else:
            role = "named"
        out.append(Mention(start, end, code, role))
    return tuple(out)


def flow_at(
    sentence: str, start: int, position: int, end: int, weak: bool = False
) -> tuple[str | None, int]:
    """The flow word nearest before ``position`` in its clause, else the first after it; not
    one in an aside between dashes ("the deficit — the gap between what the US sells and what
    it buys — rose 7.3%" is the deficit's)."""
    before: list[tuple[int, str]] = []
    after: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []  # "imports and exports" is no export word
    plain = _without_asides(sentence)
    for pattern, flow in _flow_patterns(weak):
        for match in pattern.finditer(plain, start, end):
            if any(match.start() < e and s < match.end() for s, e in taken):
                continue
            taken.append(match.span())
            if match.start() < position:
                before.append((match.start(), flow))
            else:
                after.append((match.start(), flow))
    if before:
        # the last word said before the figure; at one place, the order of FLOW_WORDS
        return max(before, key=lambda b: b[0])[1], max(b[0] for b in before)
    if after:
        return min(after, key=lambda a: a[0])[1], min(a[0] for a in after)
    return None, -1


@lru_cache(maxsize=256)
def _without_asides(sentence: str) -> str:
    """The sentence with its asides between dashes blanked, every other place where it was."""
    return ASIDE.sub(lambda m: " " * len(m.group(0)), sentence)


def series_at(
    sentence: str, span: tuple[int, int], clause: tuple[int, int], speaker: Speaker
) -> Series:
    """The series of the figure at ``span`` of ``sentence`` (in its clause ``clause``)."""
    position, figure_end = span
    start, end = clause
    named = mentions(sentence)
    flow, flow_pos = None, -1
    right_after = FLOW_AFTER.match(sentence, figure_end)
    if right_after:  # "a 18.7 percent jump in imports"
        flow, flow_pos = flow_at(sentence, right_after.end(), right_after.end(), end)
    if flow is None:
        flow, flow_pos = flow_at(sentence, start, position, end)
    if flow is None:
        flow, flow_pos = flow_at(sentence, 0, position, len(sentence))
    if flow is None and SHIPPED.search(sentence, start, end):
        flow = _shipped_way(sentence, named, start, end)
    if flow is None:
        flow, flow_pos = flow_at(sentence, start, position, end, weak=True)
    if flow is None:
        flow = speaker.flow or speaker.whole_flow
    said_by = publisher(sentence)
    home = said_by or speaker.publisher or speaker.reporter or speaker.whole

    def nearest(roles: tuple[str, ...]) -> Mention | None:
        found = [m for m in named if m.role in roles]
        return _nearest(found, start, position, end) or _nearest(found, 0, position, len(sentence))

    def own_partner(mention: Mention) -> bool:
        return _own_partner(sentence, mention, position, figure_end)

    trading = nearest(("subject", "adjective"))
    other = nearest(("partner",))
    if other is not None and not own_partner(other):
        other = None
    reporter = trading.code if trading else None
    ends = [m for m in named if m.role == "partner" and start <= m.start < end]
    if reporter is None and {m.code in _silent() for m in ends} == {True, False}:
        # "coal shipments from North Korea to China": China's imports from North Korea
        speaking = next(m for m in ends if m.code not in _silent())
        silent_end = next(m for m in ends if m.code in _silent())
        into = re.search(r"\b(?:to|into)\s+(?:the\s+)?$", sentence[: speaking.start])
        out_of = re.search(r"\bfrom\s+(?:the\s+)?$", sentence[: silent_end.start])
        if into and out_of:
            reporter, partner, flow = speaking.code, silent_end.code, "M"
    if reporter is None and SAME_REPORTER.search(sentence, start, max(start, flow_pos)):
        # "the nation's exports", "its iron ore exports": the country last said to trade, the
        # report's, or, in a report that names none, the outlet's own ("the nation" in Taipei)
        reporter = next(
            (c for c in (speaker.subject, speaker.whole, speaker.home) if c is not None), None
        )
    partner = other.code if other and other.code != reporter else None
    silent = [m for m in named if m.code in _silent() and m.role in ("named", "adjective")]
    if (trading is None or trading.code in _silent()) and silent and home not in (None, *_silent()):
        # "the shipment of North Korean coal and other export items", "imports of North Korean
        # coal": goods from a country without statistics, in its partner's imports
        reporter, partner = home, silent[0].code
        flow = "M" if flow in ("M", "X") else flow
    elif trading and trading.role == "adjective" and flow == "M" and home not in (None, reporter):
        # "Australian coal imports" in a report of China's: where the goods came from
        reporter, partner = home, partner if partner is not None else trading.code
    elif reporter is not None and (
        reporter in _silent() or (home not in (None, reporter) and partner == home)
    ):
        # "North Korea's coal exports to China": China's imports from North Korea
        counterpart = partner if partner is not None else home
        if counterpart not in (None, reporter):
            reporter, partner = counterpart, reporter
            flow = FLIPPED.get(flow, flow) if flow else flow
    if reporter is None and (home != partner or said_by is not None):
        # the report's country, but not for "the deficit with China" in a report about China
        # (whose deficit the text does not say); a customs the sentence names is the reporter
        # ("from China's customs" is then no partner)
        reporter = home
        partner = None if partner == reporter else partner
    if reporter is None:
        rest = [m for m in named if m.role == "named" and m.code not in _silent()]
        reporter = rest[0].code if rest else None
    if partner is None:
        rest = [m for m in named if m.code != reporter and m.role != "subject" and own_partner(m)]
        partner = rest[0].code if rest else None
    if partner is None and speaker.reporter in (None, reporter) and flow in (None, speaker.flow):
        # the same trade goes on ("Iron ore imports fell too"); another flow ("U.S.-bound
        # exports rose 13%. Imports fell 16.3%") is the country's with the world
        partner = None if TOTAL_WORDS.search(sentence) else speaker.partner
    if partner is None and reporter is not None:
        partner = WORLD
    balance = None
    if flow == "B":
        said = re.match(r"\s*(?:in\s+)?(?:a\s+)?(surplus|deficit)\b", sentence[figure_end:], re.I)
        balance = (
            (said and said.group(1).lower())  # "¥434.5 billion in surplus a year before"
            or _balance(sentence[start:end])
            or _balance(sentence)
            or speaker.balance
        )
    return Series(reporter, partner, flow, balance)


def _own_partner(sentence: str, mention: Mention, position: int, figure_end: int) -> bool:
    """A country the figure at ``position`` may be traded with: before it, or after it with no
    other flow word between ("exports rose 4.8%, as shipments to the U.S. fell 10%": the U.S. is
    the later figure's)."""
    return mention.start < position or not any(
        pattern.search(sentence, figure_end, mention.start) for pattern, _ in _flow_patterns()
    )


def says_nothing(sentence: str, start: int, end: int) -> bool:
    """The clause names no country and no flow: "while iron shipments rose 96.9 percent"."""
    if any(start <= m.start < end for m in mentions(sentence)):
        return False
    return flow_at(sentence, start, start, end)[0] is None


def report_flow(sentences: list[str]) -> str | None:
    """The first flow a report names, for sentences before it that name none."""
    for sentence in sentences:
        flow = flow_at(sentence, 0, 0, len(sentence))[0]
        if flow is not None:
            return flow
    return None


def report_country(sentences: list[str]) -> int | None:
    """The country a whole report is about: the first whose authority it names, else the first
    it says trades ("China's imports"), for sentences before it that name none."""
    for sentence in sentences:
        said_by = publisher(sentence)
        if said_by is not None:
            return said_by
    for role in ("subject", "adjective"):
        for sentence in sentences:
            for mention in mentions(sentence):
                if mention.role == role and mention.code not in _silent():
                    return mention.code
    return None


def remember(sentence: str, series: list[Series], speaker: Speaker) -> None:
    """What this sentence leaves for the next: the reporter, publisher, partner and flow."""
    said_by = publisher(sentence)
    if said_by is not None:
        speaker.publisher = said_by
    subjects = [m for m in mentions(sentence) if m.role in ("subject", "adjective")]
    if subjects:
        speaker.subject = subjects[-1].code
    if series:
        last = series[-1]
        if last.reporter is not None:
            if last.reporter != speaker.reporter:
                speaker.partner = None
            speaker.reporter = last.reporter
        if last.partner is not None:
            speaker.partner = last.partner
        speaker.flow = last.flow or speaker.flow
        speaker.balance = last.balance or speaker.balance
        return
    if said_by is not None and speaker.reporter is None:
        speaker.reporter = said_by
    named = mentions(sentence)
    if named:
        # a sentence without figures (a headline) still says whose trade the report is about
        said = series_at(sentence, (len(sentence), len(sentence)), (0, len(sentence)), speaker)
        if said.reporter is not None and said.reporter not in _silent():
            speaker.reporter = said.reporter
        if said.partner:
            speaker.partner = said.partner
        silent = [m.code for m in named if m.code in _silent()]
        if silent and not said.partner:
            speaker.partner = silent[0]  # "North Korea coal": the story is about its goods
        speaker.flow = said.flow or speaker.flow
    else:
        speaker.flow = flow_at(sentence, 0, 0, len(sentence))[0] or speaker.flow


def _nearest(
    found: list[Mention] | tuple[Mention, ...], start: int, position: int, end: int
) -> Mention | None:
    """The mention nearest before ``position`` in the clause, else the first after it in it."""
    before = [m for m in found if start <= m.start < position]
    if before:
        return before[-1]
    after = [m for m in found if position <= m.start < end]
    return after[0] if after else None


def _shipped_way(sentence: str, named: tuple[Mention, ...], start: int, end: int) -> str | None:
    """ "shipped ... from Argentina": imports; "shipped ... to China": exports."""
    for mention in named:
        if start <= mention.start < end and mention.role == "partner":
            before = sentence[max(0, mention.start - 12) : mention.start]
            if re.search(r"\bfrom\s+(?:the\s+)?$", before):
                return "M"
            if re.search(r"\bto\s+(?:the\s+)?$", before):
                return "X"
    return None


def _balance(text: str) -> str | None:
    deficit, surplus = DEFICIT_WORDS.search(text), SURPLUS_WORDS.search(text)
    if deficit and (not surplus or deficit.start() < surplus.start()):
        return "deficit"
    return "surplus" if surplus else None
