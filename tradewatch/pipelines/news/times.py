"""Time expressions in a report's sentence: what months they name, and in what role.

A time expression is one of
- ``period``: months named outright ("in September", "between May and August", "the first half
  of 2017", "in 2016", "last month");
- ``relative``: months named against the month a figure is about ("a year earlier", "the
  previous month", "from December", "the same period last year") — resolved once that month is
  known;
- ``anaphor``: "that month", "the same period", "the reported month" — the months the report
  was just speaking of;
- ``ignored``: words that look like months but are not a figure's period ("since August 2014",
  "on February 19", a dateline).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from ...schemas import Month
from .claim_words import (
    MONTH,
    MONTH_EARLIER,
    MONTHS,
    NUMBER_WORDS,
    ORDINAL_COUNTS,
    YEAR,
    YEAR_EARLIER,
)

_N = r"(?P<n>\d{1,2}|" + "|".join(NUMBER_WORDS) + r")"
_OF_YEAR = rf"(?:\s+(?:of|in)\s+(?:(?P<y>{YEAR})|(?P<rel>this\s+year|last\s+year|the\s+year)))?"


@dataclass(frozen=True)
class TimeExpr:
    """A time expression at ``start:end`` of the sentence."""

    start: int
    end: int
    role: str  # period | relative | anaphor | ignored
    first: Month | None = None  # period: the months named
    last: Month | None = None
    kind: str = "month"  # month | range | sum | ytd | year | list
    linked: bool = False  # "between A and B" / "from A to B"
    months_back: int = 0  # relative: how far back from the figure's months (12, 1)
    named: int | None = None  # relative: "from December" names the month compared against
    named_year: int | None = None
    months: tuple[Month, ...] = ()  # list: "in February and March"
    wants: str = "any"  # anaphor: "month" for "that month", "any" for "the same period"
    compare: bool = False  # relative: introduced by "from", "than", "compared with"...


def _latest(month: int, year: int | None, not_after: Month) -> Month:
    """The named month in the given year, else its latest occurrence not after ``not_after``."""
    if year:
        return Month(year, month)
    candidate = Month(not_after.year, month)
    return candidate if candidate <= not_after else Month(not_after.year - 1, month)


def _month_no(name: str) -> int:
    return MONTHS[name.rstrip(".")]


def _year(groups: dict, published: Month, key: str = "y", rel: str = "rel") -> int | None:
    if groups.get(key):
        return int(groups[key])
    phrase = " ".join((groups.get(rel) or "").lower().split())
    if phrase == "last year":
        return published.year - 1
    if phrase in ("this year", "the year"):
        return published.year
    return None


def _count(text: str) -> int:
    return int(text) if text.isdigit() else NUMBER_WORDS[text.lower()]


def _ytd(year: int | None, count: int, published: Month) -> tuple[Month, Month] | None:
    """January to the ``count``-th month of ``year`` (the latest such span before publication)."""
    if not 1 <= count <= 12:
        return None
    if year is None:
        year = published.year if published.month > count else published.year - 1
    return Month(year, 1), Month(year, count)


def _period(kind, start, end, first, last, **extra) -> TimeExpr:
    return TimeExpr(start, end, "period", first, last, kind, **extra)


# Each pattern: (name, regex); earlier ones win where they overlap.
PATTERNS: list[tuple[str, re.Pattern]] = [
    ("year_to", re.compile(
        rf"\b(?i:in\s+|for\s+|over\s+)?(?i:the\s+)?(?i:year|12\s+months|twelve\s+months)\s+"
        rf"(?i:to|through|ending(?:\s+in)?|ended)(?:\s+(?i:on))?\s+(?P<m2>{MONTH})(?:\s+\d{{1,2}})?"
        rf"(?:,?\s+(?P<y2>{YEAR}))?(?!\s*\d)"
    )),
    ("ignored_since", re.compile(
        rf"\b(?i:since|as\s+of|before|after|(?:going|dating)\s+back\s+to)\s+(?:(?i:at\s+least)\s+)?(?:(?i:the\s+(?:start|end|"
        rf"beginning)\s+of)\s+)?(?:{MONTH}(?:\s+\d{{1,2}}\b)?,?\s*)?(?:{YEAR})?"
    )),
    ("ignored_date", re.compile(
        rf"\b{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?!\s*(?:[-–]|,\s*{YEAR}\s+[-–]))"
        rf"(?:,\s*{YEAR})?"
    )),
    ("ignored_date", re.compile(rf"\b\d{{1,2}}\s+{MONTH}(?:\s+{YEAR})?")),
    ("ignored_record", re.compile(
        rf"\b(?i:record|peak|high|low)s?\s+(?:(?i:set|seen|reached|hit)\s+)?(?i:in|of)\s+{YEAR}\b"
    )),
    ("ignored_when", re.compile(
        rf"\b(?i:(?:issued|released|published|announced|reported|said)\s+(?:[\w\s]{{0,30}}?\s)?"
        rf"(?:in|on)\s+)?(?i:late|early|mid)[- ]{MONTH}(?:\s+{YEAR})?"
    )),
    ("for_months_until", re.compile(
        rf"(?i:for\s+){_N}\s+(?i:(?:straight|consecutive)\s+)?(?i:months)\s+(?i:until|to|through|"
        rf"till|up\s+to|ending(?:\s+in)?)\s+(?P<m2>{MONTH})(?:,?\s+(?P<y2>{YEAR}))?"
    )),
    ("first_months", re.compile(
        rf"(?i:\b(?:the\s+)?first\s+){_N}\s+(?i:months){_OF_YEAR}", re.IGNORECASE
    )),
    ("first_part", re.compile(
        r"(?i:\b(?:the\s+)?first\s+)(?P<part>half|quarter|(?:two|three)\s+quarters)"
        + _OF_YEAR.replace("(?:of|in)", "(?:of|in)"),
        re.IGNORECASE,
    )),
    ("part_year", re.compile(
        rf"\b(?i:the\s+)?(?P<ord>first|second|third|fourth)\s+(?i:quarter)(?:\s+(?i:of)\s+"
        rf"(?:(?P<y>{YEAR})|(?P<rel>this\s+year|last\s+year)))"
    )),
    ("ytd_last_month", re.compile(
        r"\b(?i:from\s+(?:the\s+(?:start|beginning)\s+of\s+)?this\s+year\s+(?:to|until|"
        r"through)\s+last\s+month)"
    )),
    # "the 2016-17 fiscal year", "the full 2017-18 fiscal", "during 2017-18": a year of two
    # consecutive years is a fiscal one (a crop year says so: "2017/18 marketing year")
    ("fiscal_span", re.compile(
        rf"\b(?P<y>{YEAR})\s*[-–/]\s*(?P<y2>\d{{2}}|{YEAR})\b(?![-–/]?\d)"
        r"(?:\s+(?i:fiscal|financial)(?:\s+(?i:year))?)?(?!\s+(?i:marketing|crop|season|harvest))"
    )),
    ("fiscal_named", re.compile(
        rf"\b(?:(?i:fiscal(?:\s+year)?)\s+|FY\s?)(?P<y>{YEAR}|\d{{2}}\b)"
    )),
    ("so_far", re.compile(
        r"\b(?i:so\s+far\s+this\s+year|year[- ]to[- ]date|in\s+the\s+year\s+to\s+date)"
    )),
    ("marketing_year", re.compile(
        rf"\b(?i:the\s+)?(?P<m1>{MONTH})[-–/\s]*(?i:-?to-?|through|[-–/])\s*(?P<m2>{MONTH})\s+"
        r"(?i:marketing|crop|fiscal|financial|trade)\s+(?i:year)"
    )),
    ("past_months", re.compile(
        rf"\b(?i:over\s+the\s+|in\s+the\s+)?(?i:past|last)\s+{_N}\s+(?i:months)"
    )),
    ("range", re.compile(
        rf"\b(?P<link>(?i:between|from))\s+(?P<m1>{MONTH})(?:,?\s+(?P<y1>{YEAR}))?\s+"
        rf"(?i:and|to|through|until|till)\s+(?P<m2>{MONTH})(?:,?\s+(?P<y2>{YEAR}))?"
    )),
    ("range", re.compile(
        rf"\b(?P<m1>{MONTH})(?:\s+(?P<y1>{YEAR}))?\s*(?:[-–/]|(?i:-?to-?|through))\s*"
        rf"(?P<m2>{MONTH})(?:,?\s+(?P<y2>{YEAR}))?(?:\s+(?i:period))?"
    )),
    ("month_list", re.compile(
        rf"\b(?P<m1>{MONTH})(?:\s+(?P<y1>{YEAR}))?(?P<middle>(?:,\s*{MONTH})*),?\s+(?i:and)\s+"
        rf"(?P<m2>{MONTH})(?:,?\s+(?P<y2>{YEAR}))?(?P<combined>\s+(?i:combined|together))?"
    )),
    ("relative_year", re.compile(YEAR_EARLIER, re.IGNORECASE)),
    ("relative_month", re.compile(MONTH_EARLIER, re.IGNORECASE)),
    ("relative_named", re.compile(
        rf"\b(?i:from|than|compared\s+(?:with|to)|versus|vs\.?|against|over|on)\s+(?:(?i:in|the\s+"
        rf"level\s+(?:of|in)|(?:they|it)\s+(?:were|was)\s+in)\s+)?(?P<m1>{MONTH})(?:,?\s+(?P<y1>{YEAR}))?"
        rf"(?:'s)?(?!\s+(?:and|to|through)\s+{MONTH})"
    )),
    ("relative_year_named", re.compile(
        rf"\b(?i:from|than|compared\s+(?:with|to)|over|on)\s+(?P<y>{YEAR})\b"
    )),
    ("anaphor_month", re.compile(
        r"\b(?i:that\s+month|the\s+(?:reported|same)\s+month|(?:in|during)\s+the\s+month|"
        r"the\s+month\s+under\s+review)\b(?!\s+(?:a\s+year|last\s+year))"
    )),
    ("anaphor_period", re.compile(
        r"\b(?i:(?:in|during|over|for)\s+)?(?i:that\s+period|the\s+same\s+period|this\s+period|"
        r"the\s+period)\b"
    )),
    ("month", re.compile(
        rf"\b(?P<m1>{MONTH})(?:\s+(?:(?i:of)\s+)?(?P<rel>(?i:this|last)\s+(?i:year))|,?\s+(?P<y1>{YEAR}))?"
        rf"(?:'s)?\b"
    )),
    ("last_month", re.compile(r"\b(?i:last\s+month|this\s+month|a\s+month\s+ago)\b")),
    ("year", re.compile(
        rf"\b(?i:in|for|of|during|over|throughout|across)\s+(?i:the\s+(?:whole|full|entire)\s+"
        rf"(?:(?:year|of)\s+)?)?(?P<y>{YEAR})\b(?!\s*[-–]\s*\d)"
    )),
    ("year", re.compile(
        rf"(?<![\d.,$])\b(?P<y>{YEAR})(?:'s)?\s+"
        r"(?=(?i:coal|iron|imports|exports|trade|shipments|arrivals|total|figures?))"
    )),
    ("last_year", re.compile(r"\b(?i:last\s+year|in\s+the\s+past\s+year|this\s+year)\b")),
]  # fmt: skip


def find_times(sentence: str, published: Month) -> list[TimeExpr]:
    """Every time expression of a sentence, in order, none overlapping another."""
    taken: list[tuple[int, int]] = []
    found: list[TimeExpr] = []
    for name, pattern in PATTERNS:
        for match in pattern.finditer(sentence):
            if match.end() == match.start() or any(
                match.start() < e and s < match.end() for s, e in taken
            ):
                continue
            expr = _build(name, match, published)
            if expr is None:
                continue
            found.append(expr)
            taken.append((match.start(), match.end()))
    found.sort(key=lambda t: t.start)
    # "from a year ago and April": a month listed after a comparison is compared against too
    for index in range(1, len(found)):
        before, expr = found[index - 1], found[index]
        if (
            before.role == "relative"
            and expr.role == "period"
            and expr.kind == "month"
            and re.fullmatch(r"\s+(?:and|or)\s+", sentence[before.end : expr.start])
        ):
            found[index] = TimeExpr(
                expr.start, expr.end, "relative", named=expr.first.month,
                named_year=None, compare=True,
            )  # fmt: skip
    return found


def _build(name: str, match: re.Match, published: Month) -> TimeExpr | None:  # noqa: C901
    g, s, e = match.groupdict(), match.start(), match.end()
    if name.startswith("ignored"):
        return TimeExpr(s, e, "ignored")
    if name == "for_months_until":
        last = _latest(_month_no(g["m2"]), _int(g.get("y2")), published)
        count = _count(g["n"])
        return _period("sum", s, e, last.shift(1 - count), last)
    if name == "first_months":
        span = _ytd(_year(g, published), _count(g["n"]), published)
        return _period("ytd", s, e, *span) if span else None
    if name == "first_part":
        part = " ".join(g["part"].lower().split())
        count = {"half": 6, "quarter": 3, "two quarters": 6, "three quarters": 9}[part]
        span = _ytd(_year(g, published), count, published)
        return _period("ytd", s, e, *span) if span else None
    if name == "part_year":
        quarter = ORDINAL_COUNTS[g["ord"].lower()]
        year = _year(g, published)
        return _period("sum", s, e, Month(year, 3 * quarter - 2), Month(year, 3 * quarter))
    if name == "ytd_last_month":
        last = published.shift(-1)
        return _period("ytd", s, e, Month(last.year, 1), last)
    if name == "marketing_year":
        # "the October through September marketing year": from its first month to the report's
        return TimeExpr(s, e, "anaphor", kind="season", wants=f"from{_month_no(g['m1'])}")
    if name in ("fiscal_span", "fiscal_named"):
        # months from April until the reporter is known (months.fiscal_year says whose)
        year = int(g["y"]) if len(g["y"]) == 4 else 2000 + int(g["y"])
        if name == "fiscal_span" and int(g["y2"]) % 100 != (year + 1) % 100:
            return None  # "2016-2018": years, not one fiscal year
        kind = "fiscal start" if name == "fiscal_span" else "fiscal"
        return _period(kind, s, e, Month(year, 4), Month(year + 1, 3), named_year=year)
    if name == "year_to":
        # "in the year to September": the twelve months ending in September
        last = _latest(_month_no(g["m2"]), _int(g.get("y2")), published)
        return _period("sum", s, e, last.shift(-11), last)
    if name == "so_far":
        return TimeExpr(s, e, "anaphor", kind="ytd", wants="ytd")
    if name == "past_months":
        count = _count(g["n"])
        return TimeExpr(s, e, "anaphor", kind="rolling", wants=f"past{count}")
    if name == "range":
        last = _latest(_month_no(g["m2"]), _int(g.get("y2")), published)
        first = _latest(
            _month_no(g["m1"]),
            _int(g.get("y1")) or (last.year if _month_no(g["m1"]) <= last.month else last.year - 1),
            last,
        )
        if first > last:
            return None
        linked = bool(g.get("link"))
        kind = "ytd" if first.month == 1 and not linked else "range"
        return _period(kind, s, e, first, last, linked=linked)
    if name == "month_list":
        names = [g["m1"], *re.findall(MONTH, g.get("middle") or ""), g["m2"]]
        numbers = [_month_no(n) for n in names]
        if all(a > b for a, b in itertools.pairwise(numbers)):
            # "in March and February, respectively": listed from the latest back
            months = [_latest(numbers[0], _int(g.get("y1")) or _int(g.get("y2")), published)]
            for number in numbers[1:]:
                months.append(_latest(number, None, months[-1]))
            return _period("list", s, e, min(months), max(months), months=tuple(months))
        last = _latest(numbers[-1], _int(g.get("y2")), published)
        months, anchor = [last], last
        for number in reversed(numbers[:-1]):
            anchor = _latest(number, None, anchor)
            months.insert(0, anchor)
        if g.get("y1"):
            months[0] = Month(int(g["y1"]), months[0].month)
        if g.get("combined"):
            # "in January and February combined": one figure for the months together
            return _period("sum", s, e, months[0], last)
        return _period("list", s, e, months[0], last, months=tuple(months))
    if name == "relative_year":
        compare = bool(g.get("cmp") or g.get("cmp2"))
        return TimeExpr(s, e, "relative", months_back=12, compare=compare)
    if name == "relative_month":
        return TimeExpr(s, e, "relative", months_back=1, compare=bool(g.get("cmp")))
    if name == "relative_named":
        month, year = _month_no(g["m1"]), _int(g.get("y1"))
        return TimeExpr(s, e, "relative", named=month, named_year=year, compare=True)
    if name == "relative_year_named":
        return TimeExpr(s, e, "relative", kind="year", named_year=int(g["y"]), compare=True)
    if name == "anaphor_month":
        return TimeExpr(s, e, "anaphor", wants="month")
    if name == "anaphor_period":
        return TimeExpr(s, e, "anaphor", wants="any")
    if name == "month":
        year = _int(g.get("y1")) or _year(g, published)
        month = _latest(_month_no(g["m1"]), year, published)
        return _period("month", s, e, month, month)
    if name == "last_month":
        text = match.group(0).lower()
        month = published if text.startswith("this") else published.shift(-1)
        return _period("month", s, e, month, month)
    if name == "year":
        year = int(g["y"])
        return _period("year", s, e, Month(year, 1), Month(year, 12))
    if name == "last_year":
        text = " ".join(match.group(0).lower().split())
        year = published.year if text == "this year" else published.year - 1
        if text == "this year":
            return _period("ytd", s, e, Month(year, 1), max(Month(year, 1), published.shift(-1)))
        return _period("year", s, e, Month(year, 1), Month(year, 12))
    raise ValueError(f"unknown time pattern {name}")


def _int(text: str | None) -> int | None:
    return int(text) if text else None


def resolve_relative(expr: TimeExpr, first: Month, last: Month) -> tuple[Month, Month]:
    """The months a relative expression names, for a figure about ``first`` .. ``last``."""
    if expr.named is not None:
        month = _latest(expr.named, expr.named_year, first.shift(-1))
        return month, month
    if expr.named_year is not None:
        span = Month.span(first, last)
        back = (first.year - expr.named_year) * 12
        if len(span) >= 12 or back <= 0:
            return Month(expr.named_year, 1), Month(expr.named_year, 12)
        return first.shift(-back), last.shift(-back)
    if expr.months_back == 12:
        return first.shift(-12), last.shift(-12)
    count = len(Month.span(first, last))
    return first.shift(-count), last.shift(-count)
