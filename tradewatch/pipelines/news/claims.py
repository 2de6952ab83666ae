"""Pull every stated trade figure out of a news text: plain regular expressions, no models.

A claim is one figure — a quantity ("1.8 million tons"), a value ("$120 million") or a percent
change ("dropped 27 percent") — with what it is about: the commodity, the countries, the month
or months (resolved against the publication date), the direction and the sentence it came from.
Commodity and countries carry over from earlier sentences (and the title) when a sentence does
not repeat them, as a reader would carry them.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from decimal import Decimal

from ...schemas import Month
from . import settings

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_QUAL = (
    r"(?P<qual>\b(?:about|around|approximately|roughly|nearly|almost|some|close to|just over|"
    r"just under|more than|over|above|at least|less than|under|below|at most|fewer than|"
    r"between)\s+)?"
)
_SCALE = r"(?:\s*(?P<scale>million|mln|mn|m|billion|bn|thousand)\b\.?)?"
_WEIGHT = (
    r"\s*(?P<unit>metric\s+tonnes|metric\s+tons|tonnes|tons|tonne|ton|mt|t|"
    r"kilograms|kilogrammes|kg)\b"
)
_SCALE2 = _SCALE.replace("scale", "scale2")
QUANTITY = re.compile(
    _QUAL
    + rf"(?P<num>{_NUM})(?:{_SCALE})?(?:\s*(?P<sep>-|–|to|and)\s*(?P<num2>{_NUM}))?"
    + _SCALE2
    + _WEIGHT,
    re.IGNORECASE,
)
VALUE = re.compile(
    _QUAL + rf"(?:US\s?\$|\$|USD\s?)\s?(?P<num>{_NUM}){_SCALE}"
    rf"(?:\s*(?P<sep>-|–|to|and)\s*(?:US\s?\$|\$)?\s?(?P<num2>{_NUM}){_SCALE2})?",
    re.IGNORECASE,
)
PERCENT = re.compile(_QUAL + rf"(?P<num>{_NUM})\s*(?:%|percent\b|per cent\b|pct\b)", re.IGNORECASE)
ZERO = re.compile(
    r"\b(?:imported|bought|received|shipped|purchased)\s+(?P<zero>no|zero)\s+"
    r"(?=(?:\w+\s+){0,2}(?:coal|iron ore|anthracite|lignite))",
    re.IGNORECASE,
)
_SCALES = {
    "thousand": Decimal(10**3),
    "m": Decimal(10**6),
    "mn": Decimal(10**6),
    "mln": Decimal(10**6),
    "million": Decimal(10**6),
    "bn": Decimal(10**9),
    "billion": Decimal(10**9),
}
# Kilograms per unit as written, besides tonnes; "Mt" alone is million tonnes (see _unit_kg).
_UNIT_KG = {"kg": Decimal(1), "kilograms": Decimal(1), "kilogrammes": Decimal(1)}

_MONTH_NAMES = {
    "January": 1, "Jan": 1, "February": 2, "Feb": 2, "March": 3, "Mar": 3, "April": 4,
    "Apr": 4, "May": 5, "June": 6, "Jun": 6, "July": 7, "Jul": 7, "August": 8, "Aug": 8,
    "September": 9, "Sept": 9, "Sep": 9, "October": 10, "Oct": 10, "November": 11, "Nov": 11,
    "December": 12, "Dec": 12,
}  # fmt: skip
# Month names are matched with their capital, so "may" the verb is not May the month.
_M = r"(?:" + "|".join(sorted(_MONTH_NAMES, key=len, reverse=True)) + r")\.?"
_Y = r"(?:19|20)\d{2}"
_ORDINALS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11,
}  # fmt: skip
TIME_PATTERNS = [
    (
        "range",
        re.compile(
            rf"\b(?P<link>(?i:between|from))\s+(?P<m1>{_M})(?:,?\s+(?P<y1>{_Y}))?\s+"
            rf"(?i:and|to|through|until)\s+(?P<m2>{_M})(?:,?\s+(?P<y2>{_Y}))?"
        ),
    ),
    (
        "range",
        re.compile(
            rf"\b(?P<m1>{_M})(?:\s+(?P<y1>{_Y}))?\s*[-–]\s*(?P<m2>{_M})(?:,?\s+(?P<y2>{_Y}))?"
        ),
    ),
    (
        "first",
        re.compile(
            r"\b(?:the\s+)?first\s+(?P<n>\d{1,2}|" + "|".join(_ORDINALS) + r")\s+months"
            rf"(?:\s+of\s+(?:(?P<y>{_Y})|(?P<rel>this year|last year|the year)))?",
            re.IGNORECASE,
        ),
    ),
    ("month", re.compile(rf"\b(?P<m1>{_M})(?:,?\s+(?P<y1>{_Y}))?\b")),
    ("relative", re.compile(r"\b(?P<rel>last month|this month)\b", re.IGNORECASE)),
    (
        "year",
        re.compile(
            rf"\b(?i:in|for|of|during|over)\s+(?i:the\s+(?:whole|full)\s+(?:year\s+)?)?"
            rf"(?P<y>{_Y})\b(?!\s*[-–]\s*\d)"
        ),
    ),
    ("year", re.compile(r"\b(?P<rel>last year)\b", re.IGNORECASE)),
]
# What a percent change is measured against, when the text says.
BASIS = re.compile(
    r"(?:\b(?:than|from|compared\s+(?:with|to)|over|on|versus|vs\.?|against)\s+"
    r"(?:(?P<yoy>(?:a|one)\s+year\s+(?:earlier|ago|before)|the\s+same\s+(?:month|period)\s+"
    r"(?:a\s+year\s+(?:earlier|ago)|last\s+year|of\s+(?:the\s+previous|last)\s+year|in\s+"
    rf"(?:{_Y}|the\s+previous\s+year|last\s+year))|(?:a\s+)?year[- ]earlier|last\s+year)"
    r"|(?P<mom>(?:a|one)\s+month\s+(?:earlier|ago|before)|the\s+(?:previous|prior|preceding)\s+"
    r"month|the\s+month\s+before|last\s+month)"
    rf"|(?:(?:the\s+)?(?:level|figure|volume|total)\s+(?:of|in|for)\s+)?(?:in\s+)?(?P<named>{_M})"
    rf"(?:,?\s+(?P<named_y>{_Y}))?))"
    r"|(?P<yoy2>\b(?:year[- ]on[- ]year|year[- ]over[- ]year|y/y|yoy|on\s+the\s+year|"
    r"from\s+a\s+year\s+(?:earlier|ago))\b)"
    r"|(?P<mom2>\b(?:month[- ]on[- ]month|month[- ]over[- ]month|m/m|on\s+the\s+month)\b)",
    re.IGNORECASE,
)
UP = re.compile(
    r"\b(?:ros[e]|rise[ns]?|rising|risen|increas\w*|up|climb\w*|jump\w*|surg\w*|soar\w*|"
    r"gr[eo]w\w*|higher|gain\w*|rebound\w*|doubl\w*|tripl\w*|expand\w*|spik\w*|leapt|leap\w*|"
    r"boost\w*|more)\b",
    re.IGNORECASE,
)
DOWN = re.compile(
    r"\b(?:f[ae]ll|falls|falling|fallen|dropp?\w*|declin\w*|decreas\w*|down|slump\w*|plung\w*|"
    r"slid\w*|slide\w*|lower|tumbl\w*|shr[aiu]nk\w*|sank|sink\w*|plummet\w*|cut|halv\w*|"
    r"contract\w*|dipp?\w*|reduc\w*|less|slow\w*)\b",
    re.IGNORECASE,
)
PER_MONTH = re.compile(
    r"(?:\s+[\w'’-]+){0,4}?\s+(?:a|per|each|every)\s+month\b|\s+monthly\b", re.IGNORECASE
)
TRADE_WORDS = re.compile(
    r"\b(?:import\w*|export\w*|shipment\w*|ship\w*|purchas\w*|bought|buy\w*|sold|sell\w*|"
    r"trade\w*|deliver\w*|suppl\w*|arriv\w*|sourced|received)\b",
    re.IGNORECASE,
)
VALUE_WORDS = re.compile(r"\b(?:worth|value[sd]?|dollars?|revenue|earnings)\b|\$", re.I)
PRICE_WORDS = re.compile(r"\b(?:price|prices|priced|cost|costs)\b", re.IGNORECASE)
TOTAL_WORDS = re.compile(r"\b(?:total|overall|all\s+sources|worldwide|global)\b", re.IGNORECASE)
ALL_GOODS = re.compile(
    r"\b(?:total\s+trade|all\s+goods|total\s+imports\s+from|overall\s+imports\s+from)\b",
    re.IGNORECASE,
)
_ABBREVIATIONS = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|St|No|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|U\.S|U\.N|"
    r"U\.K|Inc|Corp|Co|Ltd|vs|approx|est)\.$"
)


class ClaimError(ValueError):
    """A claim could not be built from a match (a bug in a pattern, not in the text)."""


@dataclass(frozen=True)
class Claim:
    """One figure a text states, in the warehouse's units (kg, USD, percent)."""

    kind: str  # quantity | value | percent
    sentence: str
    stated: str
    commodity: str | None
    hs_code: str | None
    reporter_code: int | None
    partner_code: int | None
    period: Month | None
    period_end: Month | None
    direction: str | None
    qualifier: str | None
    amount: float | None  # kg, USD or the signed percent as stated
    low: float | None
    high: float | None
    tolerance: float  # half a unit of the stated precision, same unit as amount
    basis: str | None = None  # percent: previous month | year earlier | named month
    basis_period: Month | None = None
    basis_period_end: Month | None = None
    per_month: bool = False  # "1.8 million tonnes a month": the months' average, not their sum
    measure: str = "weight"  # weight | value: what a percent change is of
    flow: str = "M"
    sentence_no: int = 0

    def as_record(self) -> dict:
        record = asdict(self)
        for key in ("period", "period_end", "basis_period", "basis_period_end"):
            record[key] = str(record[key] and Month(**record[key])) if record[key] else None
        return record


@dataclass
class _Context:
    """What earlier sentences said, for sentences that do not repeat it."""

    commodity: str | None = None
    reporter: int | None = None
    partner: int | None = None
    # The month the report is about: the first single month it names (title included).
    focus: _Time | None = None


@dataclass(frozen=True)
class _Time:
    start: int
    end: int
    first: Month
    last: Month
    kind: str  # month | range | year | first
    linked: bool = False  # "between A and B" / "from A to B"


def split_sentences(text: str) -> list[str]:
    """Sentences of a text; abbreviations and decimal points do not end one."""
    sentences: list[str] = []
    # Paragraphs are separated by blank lines; a single line break is only wrapping.
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = " ".join(paragraph.split())
        start = 0
        for match in re.finditer(r"[.!?][\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])", paragraph):
            candidate = paragraph[start : match.start() + 1]
            if _ABBREVIATIONS.search(candidate):
                continue
            sentences.append(paragraph[start : match.end()].strip())
            start = match.end()
        if paragraph[start:].strip():
            sentences.append(paragraph[start:].strip())
    return sentences


def extract_claims(text: str, published: Month, title: str | None = None) -> list[Claim]:
    """Every trade figure in ``text``; months resolve against the publication month."""
    context = _Context()
    if title:
        # A headline sets the scene (commodity, countries, month); its figures are repeated in
        # the text, so they are not claims of their own.
        _sentence_claims(title, published, context)
    claims: list[Claim] = []
    for number, sentence in enumerate(split_sentences(text)):
        claims.extend(
            replace(c, sentence_no=number) for c in _sentence_claims(sentence, published, context)
        )
    return claims


def _update_context(context: _Context, sentence: str) -> tuple[str | None, int | None, int | None]:
    commodity = _commodity(sentence)
    reporter, partner = _countries(sentence)
    if commodity:
        context.commodity = commodity
    if reporter is not None:
        context.reporter = reporter
    if partner is not None and partner != 0:
        context.partner = partner
    return commodity, reporter, partner


def _commodity(sentence: str) -> str | None:
    if ALL_GOODS.search(sentence):
        return "all goods"
    for name, pattern in settings.COMMODITIES.items():
        if pattern.search(sentence):
            return name
    return None


def _countries(sentence: str) -> tuple[int | None, int | None]:
    """(importer, partner) named in a sentence; partner 0 when China's total is meant."""
    found = []
    for code, pattern in settings.COUNTRIES.items():
        match = pattern.search(sentence)
        if match:
            found.append((match.start(), code))
    found.sort()
    codes = [code for _, code in found]
    if settings.CHINA in codes:
        others = [c for c in codes if c != settings.CHINA]
        return settings.CHINA, (others[0] if others else 0)
    if codes:
        # China is the reporter tradewatch watches; a partner alone implies it.
        return None, codes[0]
    return None, None


def _sentence_claims(sentence: str, published: Month, context: _Context) -> list[Claim]:
    context_commodity, context_reporter, context_partner = (
        context.commodity,
        context.reporter,
        context.partner,
    )
    carried = context.focus
    commodity, reporter, partner = _update_context(context, sentence)
    bases = [(m.start(), m.end(), m) for m in BASIS.finditer(sentence)]
    times = _times(sentence, published, bases)
    # A quantity's month may sit where a change's basis does: "from August, when they
    # reached 2.465 million tonnes".
    all_times = _times(sentence, published, [])
    if context.focus is None:
        single = [t for t in times if t.kind in ("month", "relative")]
        if single:
            context.focus = _Time(-1, -1, single[0].first, single[0].last, "month")
    figures = _figures(sentence)
    if not figures:
        return []
    if PRICE_WORDS.search(sentence) and not TRADE_WORDS.search(sentence):
        figures = [f for f in figures if f.kind != "percent"]
    commodity = commodity or context_commodity
    if commodity is None:
        return []
    if reporter is None and partner is None:
        reporter, partner = context_reporter, context_partner
    elif reporter is None:
        reporter = context_reporter or settings.CHINA
    if partner == 0 and context_partner and not TOTAL_WORDS.search(sentence):
        # "China's coal imports" in a report about one partner mean that partner, unless the
        # sentence says total.
        partner = context_partner
    claims = []
    for index, figure in enumerate(figures):
        next_start = figures[index + 1].start if index + 1 < len(figures) else len(sentence)
        candidates = times if figure.kind == "percent" else all_times
        time = _time_for(figure, candidates, next_start, figures, index) or (
            carried if not times or figure.kind == "percent" else None
        )
        named = _commodity_at(sentence, figure.start) or commodity
        claims.append(
            _claim(
                figure,
                time,
                sentence,
                named,
                settings.COMMODITY_HS.get(named),
                reporter,
                partner,
                bases,
                published,
            )
        )
    return claims


def _commodity_at(sentence: str, position: int) -> str | None:
    """The commodity named nearest before ``position`` (else first after it) in a sentence."""
    if ALL_GOODS.search(sentence):
        return "all goods"
    mentions = sorted(
        (match.start(), name)
        for name, pattern in settings.COMMODITIES.items()
        for match in pattern.finditer(sentence)
    )
    before = [name for start, name in mentions if start < position]
    if before:
        return before[-1]
    return mentions[0][1] if mentions else None


@dataclass(frozen=True)
class _Figure:
    kind: str
    start: int
    end: int
    stated: str
    qualifier: str | None
    amount: Decimal
    amount2: Decimal | None
    tolerance: Decimal
    pair: str | None = None  # "from" when this is the first of "from X to Y"
    per_month: bool = False


def _figures(sentence: str) -> list[_Figure]:
    found: list[_Figure] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for match in QUANTITY.finditer(sentence):
        if not free(match.start(), match.end()) or _is_year(match, sentence):
            continue
        found.extend(_quantity(match, sentence))
        taken.append((match.start(), match.end()))
    for match in VALUE.finditer(sentence):
        if free(match.start(), match.end()):
            found.extend(_value(match, sentence))
            taken.append((match.start(), match.end()))
    for match in PERCENT.finditer(sentence):
        if free(match.start(), match.end()) and not _is_share(sentence, match.end()):
            found.append(_percent(match))
            taken.append((match.start(), match.end()))
    for match in ZERO.finditer(sentence):
        if free(match.start("zero"), match.end("zero")):
            found.append(
                _Figure(
                    "quantity",
                    match.start("zero"),
                    match.end("zero"),
                    match.group("zero"),
                    None,
                    Decimal(0),
                    None,
                    Decimal(0),
                )
            )
    return sorted(
        (replace(f, per_month=bool(PER_MONTH.match(sentence, f.end))) for f in found),
        key=lambda f: f.start,
    )


def _is_year(match: re.Match, sentence: str) -> bool:
    # "in 2016 t..." cannot happen with a weight unit, but "2017 to 2018 tonnes" can't either;
    # a bare four-digit year followed by "to" and another year is a span of years.
    return bool(
        match.group("num2")
        and re.fullmatch(_Y, match.group("num"))
        and re.fullmatch(_Y, match.group("num2"))
        and not match.group("scale")
    )


def _is_share(sentence: str, end: int) -> bool:
    """ "40 percent of North Korea's exports" is a share, not a change."""
    return bool(re.match(r"\s+(?:of|share)\b", sentence[end:]))


def _number(text: str) -> tuple[Decimal, Decimal]:
    """The number and half a unit of its last written digit."""
    digits = text.replace(",", "")
    value = Decimal(digits)
    exponent = value.as_tuple().exponent
    return value, Decimal(5).scaleb(exponent - 1)


def _unit_kg(unit: str, scale: str | None) -> Decimal:
    """Kilograms per unit as written."""
    unit = unit.lower()
    if unit in _UNIT_KG:
        return _UNIT_KG[unit]
    if unit == "mt" and not scale:
        # "1.8 Mt" is million tonnes; "1.8 million mt" is metric tonnes.
        return Decimal(1000) * Decimal(10**6)
    return Decimal(1000)


def _qualifier(match: re.Match) -> str | None:
    qual = (match.group("qual") or "").strip().lower()
    return qual or None


def _quantity(match: re.Match, sentence: str) -> list[_Figure]:
    scale1, scale2 = match.group("scale"), match.group("scale2")
    per_kg = _unit_kg(match.group("unit"), scale1 or scale2)
    first = _number(match.group("num"))
    qualifier = _qualifier(match)
    if not match.group("num2"):
        start = match.start("num") if not qualifier else match.start()
        factor = _factor(per_kg, scale1)
        stated = match.group(0).strip()
        return [_point("quantity", start, match.end(), stated, qualifier, first, factor)]
    second = _number(match.group("num2"))
    factor1, factor2 = _factor(per_kg, scale1 or scale2), _factor(per_kg, scale2)
    before = sentence[: match.start()].rstrip().lower()
    if before.endswith("from") and match.group("sep").lower() == "to":
        # "from 2.345 to 1.527 million tonnes": two figures, the second the later.
        unit = match.group("num") + " " + (scale1 or scale2 or "") + " " + match.group("unit")
        later = sentence[match.start("num2") : match.end()]
        return [
            _point("quantity", match.start("num"), match.end("num"), unit, None, first, factor1,
                   pair="from"),
            _point("quantity", match.start("num2"), match.end(), later, None, second, factor2,
                   pair="to"),
        ]  # fmt: skip
    return [_span("quantity", match, first, factor1, second, factor2)]


def _value(match: re.Match, sentence: str) -> list[_Figure]:
    scale1, scale2 = match.group("scale"), match.group("scale2")
    first = _number(match.group("num"))
    if not match.group("num2"):
        stated, qualifier = match.group(0).strip(), _qualifier(match)
        factor = _factor(Decimal(1), scale1)
        return [_point("value", match.start(), match.end(), stated, qualifier, first, factor)]
    second = _number(match.group("num2"))
    factor1, factor2 = _factor(Decimal(1), scale1 or scale2), _factor(Decimal(1), scale2 or scale1)
    return [_span("value", match, first, factor1, second, factor2)]


def _factor(per_unit: Decimal, scale: str | None) -> Decimal:
    """Units of the warehouse per unit written ("million tonnes" → kg)."""
    return per_unit * _SCALES.get((scale or "").lower(), Decimal(1))


def _point(kind, start, end, stated, qualifier, number, factor, pair=None) -> _Figure:
    """One stated figure: its value and half a unit of its precision, scaled."""
    value, half = number
    return _Figure(kind, start, end, stated, qualifier, value * factor, None, half * factor, pair)


def _span(kind, match, first, factor1, second, factor2) -> _Figure:
    """A stated range, "between 1.5 and 2 million tonnes"."""
    (value1, half1), (value2, half2) = first, second
    return _Figure(
        kind,
        match.start(),
        match.end(),
        match.group(0).strip(),
        "between",
        value1 * factor1,
        value2 * factor2,
        max(half1 * factor1, half2 * factor2),
    )


def _percent(match: re.Match) -> _Figure:
    value, half = _number(match.group("num"))
    return _Figure(
        "percent",
        match.start("num"),
        match.end(),
        match.group(0).strip(),
        _qualifier(match),
        value,
        None,
        half,
    )


def _times(sentence: str, published: Month, bases: list) -> list[_Time]:
    taken = [(s, e) for s, e, _ in bases]
    times: list[_Time] = []
    for kind, pattern in TIME_PATTERNS:
        for match in pattern.finditer(sentence):
            if any(not (match.end() <= s or match.start() >= e) for s, e in taken):
                continue
            resolved = _resolve(kind, match, published)
            if resolved is None:
                continue
            first, last = resolved
            linked = kind == "range" and bool(match.groupdict().get("link"))
            times.append(_Time(match.start(), match.end(), first, last, kind, linked))
            taken.append((match.start(), match.end()))
    return sorted(times, key=lambda t: t.start)


def _month_number(name: str) -> int:
    return _MONTH_NAMES[name.rstrip(".")]


def _latest(month: int, year: str | None, not_after: Month) -> Month:
    """The named month in the given year, else its latest occurrence not after ``not_after``."""
    if year:
        return Month(int(year), month)
    candidate = Month(not_after.year, month)
    return candidate if candidate <= not_after else Month(not_after.year - 1, month)


def _resolve(kind: str, match: re.Match, published: Month) -> tuple[Month, Month] | None:
    groups = match.groupdict()
    if kind == "range":
        y1, y2 = groups.get("y1"), groups.get("y2")
        last = _latest(_month_number(groups["m2"]), y2, published)
        first = _latest(_month_number(groups["m1"]), y1, last)
        return (first, last) if first <= last else None
    if kind == "month":
        month = _latest(_month_number(groups["m1"]), groups.get("y1"), published)
        return month, month
    if kind == "relative":
        month = published.shift(-1) if groups["rel"].lower() == "last month" else published
        return month, month
    if kind == "year":
        year = int(groups["y"]) if groups.get("y") else published.year - 1
        return Month(year, 1), Month(year, 12)
    if kind == "first":
        n = groups["n"]
        count = int(n) if n.isdigit() else _ORDINALS[n.lower()]
        if not 1 <= count <= 12:
            return None
        rel = (groups.get("rel") or "").lower()
        if groups.get("y"):
            year = int(groups["y"])
        elif rel == "last year":
            year = published.year - 1
        else:
            year = published.year if published.month > count else published.year - 1
        return Month(year, 1), Month(year, count)
    raise ClaimError(f"unknown time kind {kind}")


def _time_for(
    figure: _Figure, times: list[_Time], next_start: int, figures: list[_Figure], index: int
) -> _Time | None:
    if not times:
        return None
    if figure.pair in ("from", "to"):
        linked = [t for t in times if t.linked and t.first != t.last]
        if linked:
            month = linked[0].first if figure.pair == "from" else linked[0].last
            return _Time(linked[0].start, linked[0].end, month, month, "month")
    following = [t for t in times if figure.end <= t.start < next_start]
    if following:
        return following[0]
    previous_end = figures[index - 1].end if index else 0
    preceding = [t for t in times if t.end <= figure.start and t.start >= previous_end]
    if preceding:
        return preceding[-1]
    preceding = [t for t in times if t.end <= figure.start]
    later = [t for t in times if t.start >= figure.end]
    if later:
        return later[0]
    return preceding[-1] if preceding else None


def _direction(sentence: str, figure: _Figure, previous_end: int) -> str | None:
    """The nearest direction word before the figure in its clause, or right after it."""
    after = sentence[figure.end : figure.end + 25]
    after_match = re.match(r"\s*(\w+)", after)
    if after_match:
        word = after_match.group(1)
        if UP.fullmatch(word) and word.lower() not in ("up", "more"):
            return "up"
        if DOWN.fullmatch(word) and word.lower() not in ("down", "less", "cut"):
            return "down"
    window = sentence[previous_end : figure.start]
    best: tuple[int, str] | None = None
    for pattern, name in ((UP, "up"), (DOWN, "down")):
        for match in pattern.finditer(window):
            if best is None or match.start() > best[0]:
                best = (match.start(), name)
    return best[1] if best else None


def _basis(
    figure: _Figure, bases: list, next_start: int, published: Month, period: Month
) -> tuple[str, Month, Month] | None:
    for start, _end, match in bases:
        if not figure.end <= start < next_start + 40:
            continue
        if match.group("yoy") or match.group("yoy2"):
            return "year earlier", period.shift(-12), period.shift(-12)
        if match.group("mom") or match.group("mom2"):
            return "previous month", period.shift(-1), period.shift(-1)
        if match.group("named"):
            month = _latest(_month_number(match.group("named")), match.group("named_y"), period)
            return "named month", month, month
    return None


def _claim(
    figure: _Figure,
    time: _Time | None,
    sentence: str,
    commodity: str,
    hs_code: str | None,
    reporter: int | None,
    partner: int | None,
    bases: list,
    published: Month,
) -> Claim:
    period = time.first if time else None
    period_end = time.last if time else None
    amount = figure.amount
    low, high = _bounds(figure)
    previous_end = _clause_start(sentence, figure.start)
    direction = _direction(sentence, figure, previous_end)
    basis = basis_period = basis_period_end = None
    if figure.kind == "percent":
        if direction == "down":
            amount, low, high = -amount, _neg(high), _neg(low)
        if time and time.linked and time.first != time.last:
            # "fell 35% between March and April": April against March.
            basis, basis_period, basis_period_end = "named month", time.first, time.first
            period = period_end = time.last
        elif period is not None and period == period_end:
            found = _basis(figure, bases, len(sentence), published, period)
            basis, basis_period, basis_period_end = found or (
                "previous month",
                period.shift(-1),
                period.shift(-1),
            )
        elif period is not None:
            found = _basis(figure, bases, len(sentence), published, period)
            months = Month.span(period, period_end)
            basis = "year earlier"
            basis_period, basis_period_end = period.shift(-12), period_end.shift(-12)
            if found and found[0] != "year earlier":
                basis, basis_period, basis_period_end = (
                    "previous period",
                    period.shift(-len(months)),
                    period.shift(-1),
                )
    return Claim(
        kind=figure.kind,
        sentence=sentence,
        stated=figure.stated,
        commodity=commodity,
        hs_code=hs_code,
        reporter_code=reporter,
        partner_code=partner,
        period=period,
        period_end=period_end,
        direction=direction,
        qualifier=figure.qualifier,
        amount=float(amount) if figure.amount2 is None else None,
        low=_float(low),
        high=_float(high),
        tolerance=float(figure.tolerance),
        basis=basis,
        basis_period=basis_period,
        basis_period_end=basis_period_end,
        per_month=figure.per_month,
        measure="value" if figure.kind == "value" or _about_value(sentence, figure) else "weight",
    )


def _about_value(sentence: str, figure: _Figure) -> bool:
    return figure.kind == "percent" and bool(VALUE_WORDS.search(sentence))


def _clause_start(sentence: str, position: int) -> int:
    cut = max(sentence.rfind(mark, 0, position) for mark in (";", ":", " but ", " while "))
    return cut + 1 if cut >= 0 else 0


def _bounds(figure: _Figure) -> tuple[Decimal | None, Decimal | None]:
    """The interval a figure allows before rounding tolerance; None for an open side."""
    if figure.amount2 is not None:
        return min(figure.amount, figure.amount2), max(figure.amount, figure.amount2)
    qualifier = figure.qualifier or ""
    if qualifier in ("more than", "over", "above", "at least", "just over"):
        return figure.amount, None
    if qualifier in ("less than", "under", "below", "at most", "fewer than", "just under"):
        return None, figure.amount
    if qualifier in settings.APPROXIMATE:
        margin = abs(figure.amount) * Decimal(str(settings.APPROXIMATE_MARGIN))
        if qualifier in ("nearly", "almost"):
            return figure.amount - margin, figure.amount
        return figure.amount - margin, figure.amount + margin
    return figure.amount, figure.amount


def _neg(value: Decimal | None) -> Decimal | None:
    return -value if value is not None else None


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None
