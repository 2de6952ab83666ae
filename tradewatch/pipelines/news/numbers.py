"""The figures a sentence states: quantities, values and percents, with their precision.

Pure functions over one sentence. ``normalize`` first rewrites what reports spell out
("37-point-nine percent", "two per cent", "one-and-a-half billion", "$ 880 million") into
digits, keeping everything else as written; ``find_figures`` then reads every figure with its
qualifier ("about", "more than", a range), its scale and unit, and half a unit of its last
written digit as its tolerance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .claim_words import (
    CURRENCY_AFTER,
    CURRENCY_BEFORE,
    FRACTIONS,
    MULTIPLES,
    NUMBER,
    NUMBER_WORDS,
    ORDINAL_AFTER,
    QUALIFIERS,
    SCALE,
    SCALES,
    VOLUME_UNITS,
    WEIGHT_UNIT,
    WEIGHT_UNITS,
    YEAR,
)

_WORD = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_HALVES = {"a-half": "5", "a-quarter": "25", "three-quarters": "75"}


def normalize(sentence: str) -> str:
    """The sentence with spelled-out numbers as digits; nothing else changes."""
    text = re.sub(
        rf"(\d+)-point-(\d+|{_WORD})\b",
        lambda m: f"{m.group(1)}.{NUMBER_WORDS.get(m.group(2).lower(), m.group(2))}",
        sentence,
        flags=re.IGNORECASE,
    )
    text = re.sub(
        rf"\b({_WORD})-point-({_WORD}|\d+)\b",
        lambda m: (
            f"{NUMBER_WORDS[m.group(1).lower()]}.{NUMBER_WORDS.get(m.group(2).lower(), m.group(2))}"
        ),
        text,
        flags=re.IGNORECASE,
    )
    text = _PRIOR_IN_BRACKETS.sub(_prior_said, text)
    text = re.sub(
        rf"\b({_WORD})[- ]and[- ](a[- ]half|a[- ]quarter|three[- ]quarters)\b",
        lambda m: (
            f"{NUMBER_WORDS[m.group(1).lower()]}." + _HALVES[m.group(2).lower().replace(" ", "-")]
        ),
        text,
        flags=re.IGNORECASE,
    )
    text = re.sub(
        rf"\b({_WORD})(?=[- ](?:per\s*cent|percent|million|billion|thousand)\b)",
        lambda m: str(NUMBER_WORDS[m.group(1).lower()]),
        text,
        flags=re.IGNORECASE,
    )
    text = re.sub(r"(US\s?\$|\$)\s+(?=\d)", r"\1", text)
    return re.sub(r"(?<=[a-z])(?=(?:USD|US\$)\s?\d)", " ", text)


# "13.4 (13.3) mln t", "917,000 (1.3 mln) t": this year's figure, the year before's in brackets
_PRIOR_IN_BRACKETS = re.compile(
    rf"(?<![\d.,])(?P<a>{NUMBER})(?:\s*(?P<sa>{SCALE}))?\s*\(\s*(?P<b>{NUMBER})(?:\s*"
    rf"(?P<sb>{SCALE}))?\s*\)\s*(?P<sc>{SCALE})?\s*(?P<u>{WEIGHT_UNIT})\b",
    re.IGNORECASE,
)


def _prior_said(match: re.Match) -> str:
    unit, shared = match.group("u"), match.group("sc") or ""
    first = " ".join(filter(None, [match.group("a"), match.group("sa") or shared, unit]))
    prior = " ".join(filter(None, [match.group("b"), match.group("sb") or shared, unit]))
    return f"{first} (against {prior} a year earlier)"


@dataclass(frozen=True)
class Figure:
    """One stated figure at ``start:end`` of the normalized sentence."""

    kind: str  # quantity | value | percent
    start: int
    end: int
    stated: str
    qualifier: str | None
    amount: Decimal  # kg, the currency's units, or the percent (unsigned)
    amount2: Decimal | None  # the other end of a stated range
    tolerance: Decimal
    currency: str | None = None
    direction: str | None = None  # when the figure itself says it ("doubled", "(-27%)")
    commodity: str | None = None  # "no iron ore, coal or lead": each zero names its own
    unit: str | None = None  # a quantity's unit: kg, or bbl/d and m3 for volumes


_QUAL = r"(?P<qual>\b(?:" + "|".join(q.replace(" ", r"\s+") for q in QUALIFIERS) + r")\s+)?"
_SC = rf"(?:\s*-?\s*(?P<scale>{SCALE})\b)?"
_SC2 = _SC.replace("scale", "scale2")
_NUM1 = rf"(?<![\d.,])(?P<num>{NUMBER})"
_NUM2 = rf"(?P<num2>{NUMBER})"
QUANTITY = re.compile(
    _QUAL + rf"(?!{YEAR}\s*(?:-|–|to|and)\s)" + _NUM1
    + rf"(?:{_SC})?(?:\s*(?P<sep>-|–|to|and)\s*{_NUM2})?" + _SC2
    + rf"\s*-?\s*(?P<unit>{WEIGHT_UNIT})\b(?!\s*(?:\$|US))",
    re.IGNORECASE,
)  # fmt: skip
VOLUME = re.compile(
    _QUAL + _NUM1 + _SC + r"\s*(?P<unit>" + "|".join(f"(?:{p})" for p in VOLUME_UNITS) + r")(?!\w)",
    re.IGNORECASE,
)
_CUR_BEFORE = "|".join(f"(?:{p})" for p in CURRENCY_BEFORE)
_CUR_AFTER = "|".join(f"(?:{p})" for p in CURRENCY_AFTER)
VALUE_BEFORE = re.compile(
    _QUAL + rf"(?P<cur>{_CUR_BEFORE})\s?{_NUM1}{_SC}"
    rf"(?:\s*(?P<sep>-|–|to|and)\s*(?:{_CUR_BEFORE})?\s?{_NUM2}{_SC2})?",
    re.IGNORECASE,
)
_SCALED_VALUE = re.compile(
    rf"(?P<cur>{_CUR_BEFORE})\s?(?:{NUMBER})\s*-?\s*(?P<scale>{SCALE})\b", re.IGNORECASE
)
VALUE_AFTER = re.compile(_QUAL + rf"{_NUM1}{_SC}\s+(?P<cur>{_CUR_AFTER})\b", re.IGNORECASE)
PERCENT = re.compile(
    _QUAL + rf"(?P<sign>[-+−])?{_NUM1}(?:\s*(?:%|percent|per\s*cent)?\s*(?P<sep>-|–|to)\s*{_NUM2})?"
    r"\s*(?:%|percent\b|per\s*cent\b|pct\b)(?!\s*(?:of|share)\b)(?!age)",
    re.IGNORECASE,
)
FRACTION = re.compile(
    _QUAL
    + r"\b(?:a|one)[- ](?P<frac>"
    + "|".join(FRACTIONS)
    + rf")\b(?!\s+of\b)(?!\s+(?:{ORDINAL_AFTER})s?\b)",
    re.IGNORECASE,
)
MULTIPLE = re.compile("|".join(f"(?P<m{i}>{p})" for i, p in enumerate(MULTIPLES)), re.IGNORECASE)
# "no iron ore, coal or lead from North Korea": the list ends where the sentence goes on
_COMMODITY_LIST = (
    r"(?P<items>[\w\s,-]{2,60}?)(?=\s+(?:from|in|since|during|last|this|for|to|after|at|"
    r"until)\b|[.;:]|$)"
)
ZERO = [
    re.compile(
        r"\b(?:imported|imports|bought|received|purchased|shipped|were|was|had)\s+"
        r"(?P<zero>no)\s+" + _COMMODITY_LIST, re.IGNORECASE
    ),
    re.compile(
        r"\b(?P<zero>no)\s+(?P<items>[\w\s-]{2,30}?)\s+(?:imports|shipments|purchases|arrivals)\b",
        re.IGNORECASE,
    ),
    re.compile(r"\b(?:to|at|were|was|of)\s+(?P<zero>zero)\b", re.IGNORECASE),
    re.compile(
        r"\bdid\s+not\s+(?:import|buy|purchase)\s+(?:any\s+)?(?P<items>[\w\s-]{2,30}?)\s+"
        r"(?:from\s+[\w\s]+?\s+)?(?P<zero>at\s+all)\b", re.IGNORECASE
    ),
]  # fmt: skip


def half_unit(text: str) -> tuple[Decimal, Decimal]:
    """The number written and half a unit of its last written digit."""
    value = Decimal(text.replace(",", ""))
    return value, Decimal(5).scaleb(value.as_tuple().exponent - 1)


def _scale(name: str | None) -> Decimal:
    return Decimal(SCALES.get((name or "").lower().rstrip("."), 1))


def _qualifier(match: re.Match) -> str | None:
    qual = " ".join((match.group("qual") or "").lower().split())
    return qual or None


def _taken(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(start < e and s < end for s, e in spans)


def find_figures(sentence: str, commodity_names: dict[str, re.Pattern]) -> list[Figure]:
    """Every figure in a (normalized) sentence, in order; none overlaps another."""
    found: list[Figure] = []
    spans: list[tuple[int, int]] = []

    def keep(figures: list[Figure], start: int, end: int) -> None:
        if figures and not _taken(spans, start, end):
            found.extend(figures)
            spans.append((start, end))

    for match in QUANTITY.finditer(sentence):
        keep(_quantity(match, sentence), match.start(), match.end())
    for match in VOLUME.finditer(sentence):
        keep(_volume(match), match.start(), match.end())
    for pattern in (VALUE_BEFORE, VALUE_AFTER):
        for match in pattern.finditer(sentence):
            keep(_value(match), match.start(), match.end())
    for match in PERCENT.finditer(sentence):
        keep(_percent(match), match.start(), match.end())
    for match in FRACTION.finditer(sentence):
        value = Decimal(str(FRACTIONS[match.group("frac").lower()]))
        keep([_fig("percent", match, value, value * Decimal("0.1"))], match.start(), match.end())
    for match in MULTIPLE.finditer(sentence):
        index = int(next(k for k, v in match.groupdict().items() if v)[1:])
        value, direction, qualifier = list(MULTIPLES.values())[index]
        amount = Decimal(value)
        figure = Figure(
            "percent", match.start(), match.end(), match.group(0), qualifier, amount, None,
            amount * Decimal("0.05"), None, direction,
        )  # fmt: skip
        keep([figure], match.start(), match.end())
    for pattern in ZERO:
        for match in pattern.finditer(sentence):
            keep(_zeros(match, commodity_names), match.start("zero"), match.end("zero"))
    return sorted(found, key=lambda f: (f.start, f.end))


def _fig(kind, match, amount, tolerance, **extra) -> Figure:
    """A figure from its match; it starts at its qualifier, currency sign or number."""
    groups = match.groupdict()
    qualifier = _qualifier(match) if "qual" in groups else None
    if qualifier:
        start = match.start()
    elif groups.get("cur") and match.start("cur") < match.start("num"):
        start = match.start("cur")
    elif groups.get("num"):
        start = match.start("num")
    else:
        start = match.start()
    stated = match.string[start : match.end()].strip()
    return Figure(kind, start, match.end(), stated, qualifier, amount, None, tolerance, **extra)


def _quantity(match: re.Match, sentence: str) -> list[Figure]:
    num, num2 = match.group("num"), match.group("num2")
    scale1, scale2 = match.group("scale"), match.group("scale2")
    if num2 and re.fullmatch(YEAR, num) and re.fullmatch(YEAR, num2) and not scale1:
        return []  # "2017 to 2018 tons" cannot be; a span of years
    if re.fullmatch(YEAR, num) and not (scale1 or scale2) and not num2:
        return []  # "in 2016 t..." is a year
    unit = " ".join(match.group("unit").lower().split())
    per_kg = Decimal(WEIGHT_UNITS[unit])
    if unit == "mt" and not (scale1 or scale2):
        per_kg = Decimal(10**9)  # "27.1Mt" is million tonnes; "1.8 million mt" metric tonnes
    first = half_unit(num)
    if not num2:
        factor = per_kg * _scale(scale1 or scale2)
        return [_fig("quantity", match, first[0] * factor, first[1] * factor)]
    second = half_unit(num2)
    factor1, factor2 = per_kg * _scale(scale1 or scale2), per_kg * _scale(scale2)
    if (
        sentence[: match.start()].rstrip().lower().endswith("from")
        and match.group("sep").lower() == "to"
    ):
        # "from 2.345 to 1.527 million tonnes": two figures, the second the later one
        return [
            Figure("quantity", match.start("num"), match.end("num"), num, None,
                   first[0] * factor1, None, first[1] * factor1),
            Figure("quantity", match.start("num2"), match.end(),
                   sentence[match.start("num2") : match.end()], None, second[0] * factor2, None,
                   second[1] * factor2),
        ]  # fmt: skip
    return [_range("quantity", match, first, factor1, second, factor2)]


def _volume(match: re.Match) -> list[Figure]:
    """ "1.2 million barrels per day", "5 bcm": a volume in its own unit, never as tonnes."""
    said = match.group("unit")
    unit = next(u for p, u in VOLUME_UNITS.items() if re.fullmatch(p, said, re.IGNORECASE))
    value, half = half_unit(match.group("num"))
    factor = _scale(match.group("scale"))
    if unit == "bcm":
        unit, factor = "m3", factor * 10**9
    return [_fig("quantity", match, value * factor, half * factor, unit=unit)]


def _currency(text: str) -> str:
    for pattern, code in (*CURRENCY_BEFORE.items(), *CURRENCY_AFTER.items()):
        if re.fullmatch(pattern, text.strip() + (" " if pattern.endswith(r"\s") else ""), re.I):
            return code
    return "USD"


def _value(match: re.Match) -> list[Figure]:
    currency = _currency(match.group("cur"))
    scale1 = match.group("scale")
    scale2 = match.groupdict().get("scale2")
    first = half_unit(match.group("num"))
    num2 = match.groupdict().get("num2")
    if not num2:
        factor = _scale(scale1 or _carried_scale(match, currency))
        figure = _fig("value", match, first[0] * factor, first[1] * factor, currency=currency)
        return [figure]
    second = half_unit(num2)
    factor1, factor2 = _scale(scale1 or scale2), _scale(scale2 or scale1)
    return [_range("value", match, first, factor1, second, factor2, currency)]


def _carried_scale(match: re.Match, currency: str) -> str | None:
    """ "$37 billion in December against $40.21 in November": the scale said before carries."""
    if Decimal(match.group("num").replace(",", "")) >= 1000:
        return None
    said = [
        m for m in _SCALED_VALUE.finditer(match.string, 0, match.start())
        if _currency(m.group("cur")) == currency
    ]  # fmt: skip
    return said[-1].group("scale") if said else None


def _percent(match: re.Match) -> list[Figure]:
    first = half_unit(match.group("num"))
    sign = match.group("sign")
    direction = "down" if sign in ("-", "−") else "up" if sign == "+" else None
    if match.group("num2"):
        return [
            _range("percent", match, first, Decimal(1), half_unit(match.group("num2")), Decimal(1))
        ]
    return [_fig("percent", match, first[0], first[1], direction=direction)]


def _range(kind, match, first, factor1, second, factor2, currency=None) -> Figure:
    """A stated range, "between 1.5 and 2 million tonnes", "25 to 73 percent"."""
    (value1, half1), (value2, half2) = first, second
    return Figure(
        kind, match.start(), match.end(), match.group(0).strip(), "between", value1 * factor1,
        value2 * factor2, max(half1 * factor1, half2 * factor2), currency,
    )  # fmt: skip


def _zeros(match: re.Match, commodity_names: dict[str, re.Pattern]) -> list[Figure]:
    """ "no iron ore, coal or lead": a zero for each commodity named; "to zero": one zero."""
    items = match.groupdict().get("items")
    names: list[str | None] = [None]
    if items is not None:
        names = [name for name, pattern in commodity_names.items() if pattern.search(items)]
        if not names:
            return []
    start, end = match.start("zero"), match.end("zero")
    stated = match.group(0).strip()
    return [
        Figure("quantity", start, end, stated, None, Decimal(0), None, Decimal(0), commodity=name)
        for name in names
    ]
