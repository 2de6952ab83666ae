"""Stage 3 of reading a report: give every figure the months it is about, and what a change is
measured against.

How a figure finds its months, in order:
1. the time expression right after it ("1.8 million tonnes ... last month", "$70.1 million during
   the same period last year", "2.465 million tonnes in August");
2. a figure compared against ("up from $X", "versus X") takes the months its comparison names;
3. otherwise the months the sentence is about (the nearest time expression before it, else after
   it), skipping those other figures own and those that never name a period ("since 2014",
   "on February 19", a dateline);
4. otherwise the months the report was speaking of ("that month", "the same period", or the
   sentence before).
"from X to Y between March and April" gives X March and Y April; "rose to X between May and
August" gives X August; a total the sentence calls one keeps its whole span. A percent's basis
(``basis_of``) is what the text says it is measured against, else the same months a year
before for a span, else the previous month as a reading the checks do not hold against the
report.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ...schemas import Month
from ...schemas.countries import country_alpha3
from . import settings
from .claim_words import (
    CHANGE_BEFORE,
    CHANGE_OF,
    CONTRAST_BEFORE,
    FISCAL_DEFAULT,
    FISCAL_YEARS,
    SUM_WORDS,
)
from .identity import (
    Series,
    Speaker,
    mentions,
)
from .numbers import Figure
from .sentences import clause_start
from .times import TimeExpr, resolve_relative

_CLAUSE_BREAK = re.compile(r";|\bwhile\b|\bbut\b|\bwhereas\b|\bmeanwhile\b", re.IGNORECASE)
# between a figure and a time expression, these start another event: "after a bump in August"

_OWN_BREAK = re.compile(r"\bafter\b|\bsince\b|\bwhen\b|\bbefore\b", re.IGNORECASE)

_OWN_GAP = 48  # characters between a figure and a time expression that is its own


@dataclass
class Context:
    """What earlier sentences said, for sentences that do not repeat it."""

    commodity: str | None = None
    speaker: Speaker = field(default_factory=Speaker)  # whose trade the report is about
    published: Month = Month(2000, 1)
    published_day: dt.date | None = None
    focus: tuple[Month, Month] | None = None  # the months the last sentence was about
    last_month: tuple[Month, Month] | None = None  # the last single month named
    last_period: tuple[Month, Month] | None = None  # the last months named, of any span
    talking: bool = False  # the last sentence stated figures
    assumed: bool = False  # the focus is the publication month's assumption, not the text's


@dataclass
class Placed:
    """A figure with the months the rules gave it."""

    figure: Figure
    first: Month | None = None
    last: Month | None = None
    how: str = ""  # own | contrast | sentence | report | inferred
    time: TimeExpr | None = None  # its own time expression
    relative: TimeExpr | None = None  # a percent's "on-year", "from December"
    contrast: bool = False  # "up from $X", "versus X": the figure compared against
    change: bool = False  # "up by 5.8 million tons": an amount of change, not a level
    basis: tuple[str, Month, Month] | None = None
    months: tuple[Month, ...] = field(default_factory=tuple)  # a list time: one claim each
    position: int | None = None  # "in February and March, respectively": which one
    series: Series = Series(None, None, None)  # whose trade it is
    commodity: str | None = None  # its own of a list ("iron ore and soybeans …, respectively")


def remember_months(text, times, placed, context: Context, published: Month) -> None:
    """What this sentence leaves for the next: the months it named and was about."""
    for expr in times:
        if expr.role == "period" and expr.first:
            context.last_period = (expr.first, expr.last)
            if expr.first == expr.last:
                context.last_month = (expr.first, expr.last)
        elif expr.role == "relative" and expr.named is not None:
            anchor = (context.focus or (None, published))[1]
            month = _named_month(expr, anchor)
            context.last_month = (month, month)  # "compared with September ... that month"
    said = ("own", "sentence", "report", "inferred", "publication")
    mains = [p for p in placed if p.first and p.how in said and not p.contrast]
    mains = [p for p in mains if p.figure.kind == "percent"] or mains
    periods = [t for t in times if t.role == "period"]
    if mains:
        context.focus = (mains[0].first, mains[0].last)
        context.assumed = mains[0].how == "publication" or (
            mains[0].how == "report" and context.assumed
        )
    elif periods and not placed:
        # a sentence of comparisons only ("up from $99.3 million in April") keeps the focus
        context.focus = (periods[0].first, periods[0].last)
        context.assumed = False


def _gap_ok(gap: str) -> bool:
    return len(gap) <= _OWN_GAP and not _CLAUSE_BREAK.search(gap) and not _OWN_BREAK.search(gap)


def place(text, figures, times, context: Context, published: Month) -> list[Placed]:
    """Give every figure its months (see the module's docstring for the rules)."""
    placed = [Placed(f) for f in figures]
    for index, item in enumerate(placed):
        previous_end = figures[index - 1].end if index else 0
        item.contrast = item.figure.kind != "percent" and bool(
            CONTRAST_BEFORE.search(text[previous_end : item.figure.start])
        )
    owned = _own_times(text, placed, times)
    _share_listed(text, placed)
    free = [t for t in times if t.role in ("period", "anaphor") and id(t) not in owned]
    by_main = {id(p.time) for p in placed if p.time is not None and not p.contrast}
    taken = [t for t in times if t.role == "period" and id(t) in by_main]
    by_contrast = {id(p.time) for p in placed if p.time is not None and p.contrast}
    said = [t for t in times if t.role == "period" and id(t) not in by_contrast]
    mains = _resolve_free(free, said, context)
    for index, item in enumerate(placed):
        _months_of(item, index, placed, mains, taken, text, context)
    _infer_missing(placed, times, context)
    for index, item in enumerate(placed):
        if item.figure.kind == "percent":
            _basis_of(item, index, placed, text)
    _after_percent(text, placed)
    return placed


def _own_times(text: str, placed: list[Placed], times: list[TimeExpr]) -> set[int]:
    """Step 1: the time expression right after a figure, with nothing between, is its own.

    For a percent, a relative expression there is what it is measured against ("on-year",
    "from a year earlier"), and the search goes on for its months. For an amount, a comparison
    ("compared with September") is not its months; a relative expression just before the next
    figure belongs to that figure ("from a year-ago 1.52 million tonnes").
    """
    owned: set[int] = set()
    starts = [p.figure.start for p in placed]
    for index, item in enumerate(placed):
        figure = item.figure
        next_start = starts[index + 1] if index + 1 < len(starts) else None
        reach = figure.end  # a percent reads on: "27 percent in September from August"
        for expr in times:
            if expr.start < figure.end or (next_start is not None and expr.start >= next_start):
                continue
            if not _gap_ok(text[reach : expr.start]) or _time_before(text, times, figure, expr):
                break
            if expr.role == "ignored":
                continue
            if expr.role == "relative":
                if figure.kind == "percent":
                    if item.relative is None:
                        item.relative, reach = expr, expr.end
                        owned.add(id(expr))
                    continue
                if expr.compare or (
                    next_start is not None
                    and re.fullmatch(r"\s*(?:by\s*|of\s*)?", text[expr.end : next_start])
                ):
                    continue  # "up year-on-year by 300,000 tons": the next figure's
            if item.time is None:
                item.time = expr
                owned.add(id(expr))
            if figure.kind != "percent" or item.relative is not None:
                break
            reach = expr.end
        if figure.kind != "percent" and CHANGE_BEFORE.search(
            text, clause_start(text, figure.start), figure.start
        ):
            # "down month-on-month by 5.8 million tons", "up 24.9m tonnes": a change, not a level
            item.change = True
            before = [t for t in times if t.role == "relative" and t.end <= figure.start]
            if before and figure.start - before[-1].end <= 12:
                item.relative = before[-1]
                owned.add(id(before[-1]))
        if item.relative is None and figure.kind == "percent":
            # "a year-on-year decrease of 14.1%", "month-on-month growth of 3%"
            before = [
                t
                for t in times
                if t.role == "relative"
                and t.end <= figure.start
                and CHANGE_OF.fullmatch(text[t.end : figure.start])
            ]
            if before:
                item.relative = before[-1]
                owned.add(id(before[-1]))
        if item.time is None and figure.kind != "percent":
            # "from a year-ago 1.52 million tonnes"; "from the previous month, when 60.57
            # million tons were brought in"
            before = [
                t
                for t in times
                if t.role == "relative"
                and t.end <= figure.start
                and re.fullmatch(r"\s*(?:,?\s*when\s+(?:\w+\s+){0,3})?", text[t.end : figure.start])
            ]
            if before:
                item.time = before[-1]
                owned.add(id(before[-1]))
    return owned


def _time_before(text: str, times: list[TimeExpr], figure: Figure, expr: TimeExpr) -> bool:
    """ "imports in December were 54.1 tonnes, in January they were 53.2": a time after a comma
    starts the next figure's clause when the figure's own clause named its time before it."""
    if "," not in text[figure.end : expr.start]:
        return False
    start = max(clause_start(text, figure.start), text.rfind(",", 0, figure.start) + 1)
    return any(t.role == "period" and start <= t.start < figure.start for t in times)


def _share_listed(text: str, placed: list[Placed]) -> None:
    """Figures listed together share a time: "3.86 million tons and 3.16 million tons in May";
    with "respectively", a list of months is shared out in order."""
    respectively = bool(re.search(r"\brespectively\b", text, re.IGNORECASE))
    for index in range(len(placed) - 2, -1, -1):
        item, following = placed[index], placed[index + 1]
        gap = text[item.figure.end : following.figure.start]
        if (
            item.time is None
            and following.time is not None
            and item.figure.kind == following.figure.kind
            and re.fullmatch(r"\s*(?:,|and|,\s*and|or)\s*", gap)
        ):
            item.time = following.time
            if following.time.kind == "list" and respectively:
                item.position = following.position - 1 if following.position else -1
                if following.position is None:
                    following.position = len(following.time.months) - 1
                    item.position = following.position - 1


def _resolve_free(free: list[TimeExpr], said: list[TimeExpr], context: Context) -> list[tuple]:
    """(position, first, last, expr) for the sentence's own times, anaphors resolved.

    "the same period" is the months named earlier in the sentence, else those the report was
    speaking of.
    """
    out = []
    for index, expr in enumerate(free):
        if expr.role == "anaphor":
            following = free[index + 1] if index + 1 < len(free) else None
            if (
                following is not None
                and following.role == "period"
                and (following.start - expr.end <= 3)
            ):
                continue  # "in the period from January to June": the range says it
            earlier = [t for t in said if t.end <= expr.start]
            if earlier and expr.wants == "any":
                out.append((expr.start, earlier[-1].first, earlier[-1].last, expr))
                continue
            months = _anaphor(expr, context)
            if months:
                out.append((expr.start, *months, expr))
        else:
            out.append((expr.start, expr.first, expr.last, expr))
    return out


def _anaphor(expr: TimeExpr, context: Context) -> tuple[Month, Month] | None:
    if expr.wants == "month":
        return context.last_month or context.focus
    anchor = (context.focus or context.last_period or (None, None))[1]
    if expr.wants == "ytd":
        return (Month(anchor.year, 1), anchor) if anchor else None
    if expr.wants.startswith("from"):
        start = int(expr.wants[4:])
        if not anchor:
            return None
        first = Month(anchor.year if anchor.month >= start else anchor.year - 1, start)
        return first, anchor
    if expr.wants.startswith("past"):
        count = int(expr.wants[4:])
        return (anchor.shift(1 - count), anchor) if anchor else None
    return context.focus or context.last_period


def _months_of(item: Placed, index, placed, mains, taken, text, context: Context) -> None:
    """Steps 1 to 4 for one figure."""
    figure = item.figure
    expr = item.time
    if expr is not None and expr.role == "period":
        item.first, item.last, item.how = expr.first, expr.last, "own"
        if expr.kind == "list":
            item.months = _list_months(item, expr)
        _endpoint(item, text, expr)
        return
    if expr is not None and expr.role == "anaphor":
        months = _anaphor(expr, context)
        if months:
            item.first, item.last, item.how = *months, "own"
            return
    if ((expr is not None and expr.role == "relative") or item.contrast) and not item.change:
        item.how = "contrast"  # its months follow from the figure it is compared with
        return
    relative = item.relative
    if relative is not None and relative.named_year and relative.named is None:
        before = [m for m in mains if m[0] < figure.start]
        if not before:
            # "surged 36.3% from 2016": the year after the one it is measured against
            year = relative.named_year + 1
            item.first, item.last, item.how = Month(year, 1), Month(year, 12), "inferred"
            return
    before = [m for m in mains if m[0] < figure.start]
    after = [m for m in mains if m[0] >= figure.end]
    chosen = before[-1] if before else after[0] if after else None
    if chosen is None and taken:
        # the sentence's only months are another figure's own: "rose 10.5% to $2.55 billion
        # in the first six months", "imported X in April, up 12.75 percent"
        near = sorted(taken, key=lambda t: abs(t.start - figure.start))[0]
        chosen = (near.start, near.first, near.last, near)
    if chosen is not None:
        item.first, item.last, item.how = chosen[1], chosen[2], "sentence"
        if chosen[3].kind == "list":
            item.months = chosen[3].months
        _endpoint(item, text, chosen[3])
        _pair(item, index, placed, text, chosen[3])
    elif context.focus is not None:
        item.first, item.last, item.how = *context.focus, "report"
    else:
        # a report that names no month at all speaks of the latest month customs had
        # published by then (an assumption, and marked as one)
        named = any(m.role == "partner" for m in mentions(text))
        by_partner = bool(context.speaker.partner or named)
        month = assumed_month(context.published, context.published_day, by_partner)
        item.first, item.last, item.how = month, month, "publication"


def _list_months(item: Placed, expr: TimeExpr) -> tuple[Month, ...]:
    if item.position is not None:
        return (expr.months[max(0, min(item.position, len(expr.months) - 1))],)
    return expr.months


def _endpoint(item: Placed, text: str, expr: TimeExpr) -> None:
    """ "rose to X between May and August": X is August's figure.

    Not for a span from January: "between January and September ... to $1.5 billion" is the
    year to date, as customs publishes it; nor for a total the sentence calls one ("cumulative
    exports between April 2025 and January 2026 ... rising to $720.76bn").
    """
    if not expr.linked or item.figure.kind == "percent" or item.first == item.last:
        return
    if item.first.month == 1 or SUM_WORDS.search(text):
        return
    lead = text[max(0, item.figure.start - 40) : item.figure.start]
    if re.search(r"\b(?:to|at|reaching|reached|hit)\s+(?:a\s+|an\s+)?(?:\w+\s+)?$", lead):
        item.first = item.last


def _pair(item: Placed, index, placed, text, expr: TimeExpr) -> None:
    """ "from X to Y between March and April": X is March's figure, Y April's."""
    if not expr.linked or item.first == item.last or item.figure.kind == "percent":
        return
    lead = text[max(0, item.figure.start - 12) : item.figure.start].lower()
    if re.search(r"\bfrom\s*$", lead):
        item.last = item.first
    elif (
        index
        and re.search(r"\bto\s*$", lead)
        and placed[index - 1].figure.kind == (item.figure.kind)
    ):
        item.first = item.last


def _infer_missing(placed: list[Placed], times: list[TimeExpr], context: Context) -> None:
    """Months nothing named outright: from what a figure is compared with, or against."""
    if not any(p.first and p.how != "contrast" and not p.contrast for p in placed):
        months = _month_after_comparison(placed, times, context)
        for item in placed if months is not None else ():
            if item.first is None and item.how != "contrast":
                item.first, item.last, item.how = *months, "inferred"
    for index, item in enumerate(placed):
        if item.how != "contrast" or item.first is not None:
            continue
        reference = _reference(placed, index)
        if reference is None and context.focus and item.time and item.time.role == "relative":
            # "That compares with 29.7 million mt in the corresponding period last year": the
            # months the report is speaking of, a year back
            reference = Placed(item.figure, *context.focus)
        if reference is None:
            continue
        expr = item.time if item.time is not None and item.time.role == "relative" else None
        if expr is None:
            percent = _nearest_percent(placed, index)
            expr = percent.relative if percent is not None else None
        if expr is None:
            expr = TimeExpr(0, 0, "relative", months_back=1)  # "up from $X": the month before
        item.first, item.last = resolve_relative(expr, reference.first, reference.last)


def _month_after_comparison(placed, times, context: Context) -> tuple[Month, Month] | None:
    """ "down 5.7% from 73.14 million tonnes in July": the figure is August's."""
    named = [t for t in times if t.role == "relative" and t.named is not None]
    if named:
        anchor = (context.focus or (None, None))[1]
        if named[0].named_year or anchor:
            month = _named_month(named[0], anchor)
            return month.shift(1), month.shift(1)
    contrasts = [p for p in placed if p.contrast and p.how == "own" and p.first == p.last]
    if contrasts:
        month = contrasts[0].first.shift(1)
        return month, month
    return None


def _named_month(expr: TimeExpr, anchor: Month | None) -> Month:
    if expr.named_year:
        return Month(expr.named_year, expr.named)
    candidate = Month(anchor.year, expr.named)
    return candidate if candidate <= anchor else Month(anchor.year - 1, expr.named)


def _reference(placed: list[Placed], index: int) -> Placed | None:
    """The figure a contrast figure is compared with: the nearest main one before it."""
    candidates = [p for p in placed[:index] if p.first is not None and p.how != "contrast"]
    amounts = [p for p in candidates if p.figure.kind != "percent" and not p.contrast]
    chosen = (amounts or candidates or [None])[-1]
    if chosen is None:
        later = [p for p in placed[index + 1 :] if p.first is not None and not p.contrast]
        chosen = later[0] if later else None
    return chosen


def _nearest_percent(placed: list[Placed], index: int) -> Placed | None:
    for item in reversed(placed[:index]):
        if item.figure.kind == "percent":
            return item
    return None


def _after_percent(text: str, placed: list[Placed]) -> None:
    """ "surged 36.3% from 2016 to 25.3 million tonnes": the amount has the change's months."""
    for index in range(1, len(placed)):
        item, previous = placed[index], placed[index - 1]
        if previous.figure.kind != "percent" or item.figure.kind == "percent":
            continue
        if item.how not in ("sentence", "report", "") or previous.first is None:
            continue
        gap = text[previous.figure.end : item.figure.start]
        if re.fullmatch(r"[^,;]{0,40}?\bto\s+(?:a\s+(?:near\s+)?record\s+|stand\s+at\s+)?", gap):
            item.first, item.last, item.how = previous.first, previous.last, "sentence"


def _basis_of(item: Placed, index: int, placed: list[Placed], text: str) -> None:
    """What a percent change is measured against."""
    if item.first is None:
        return
    if item.relative is not None:
        first, last = resolve_relative(item.relative, item.first, item.last)
        item.basis = (_basis_name(item.relative), first, last)
        return
    expr = item.time
    if expr is not None and expr.linked and expr.first != expr.last and expr.first.month != 1:
        # "fell 35% between March and April": April against March
        item.basis = ("named month", expr.first, expr.first)
        item.first = item.last = expr.last
        return
    # "down by 5.8 million tons (-27%)": a percent in brackets after a change shares its basis
    previous = placed[index - 1] if index else None
    if (
        previous is not None
        and previous.change
        and previous.relative is not None
        and re.fullmatch(r"\s*\(\s*[-+−]?\s*", text[previous.figure.end : item.figure.start])
    ):
        first, last = resolve_relative(previous.relative, item.first, item.last)
        item.basis = (_basis_name(previous.relative), first, last)
        return
    # "up 3% from 91.52 million tonnes in May": against the figure it is compared with
    following = placed[index + 1] if index + 1 < len(placed) else None
    if following is not None and following.contrast and following.first:
        item.basis = (
            _basis_for(item, following.first, following.last),
            following.first,
            following.last,
        )
        return
    # "rose 23 percent and 42 percent, respectively, from the same month last year"
    for other in placed[index + 1 :]:
        if other.figure.kind != "percent":
            break
        if other.relative is not None:
            first, last = resolve_relative(other.relative, item.first, item.last)
            item.basis = (_basis_name(other.relative), first, last)
            return
    for other in reversed(placed[:index]):
        if (
            other.figure.kind == "percent"
            and other.basis
            and other.basis[0]
            in (
                "year earlier",
                "previous month",
            )
        ):
            back = (
                12 if other.basis[0] == "year earlier" else len(Month.span(item.first, item.last))
            )
            item.basis = (other.basis[0], item.first.shift(-back), item.last.shift(-back))
            return
    if item.first != item.last:
        # a change over several months, unless it says otherwise, is on the same months a
        # year before, as customs reports it
        item.basis = ("year earlier", item.first.shift(-12), item.last.shift(-12))
    else:
        # "dropped 27% in September": the report does not say against what; the previous
        # month is the likeliest reading, and checks treat it as a reading, not the report's
        item.basis = ("unstated", item.first.shift(-1), item.last.shift(-1))


def _basis_name(expr: TimeExpr) -> str:
    if expr.named is not None:
        return "named month"
    if expr.named_year is not None or expr.months_back == 12:
        return "year earlier"
    return "previous month"


def _basis_for(item: Placed, first: Month, last: Month) -> str:
    if first == item.first.shift(-12):
        return "year earlier"
    if last == item.first.shift(-1) and first == last:
        return "previous month"
    return "named month"


def change_basis(item: Placed, first: Month | None, last: Month | None):
    """What an amount of change is measured against: what the text says, else unstated."""
    if first is None:
        return None, None, None
    expr = item.relative
    if expr is None:
        return "change unstated", first.shift(-1), last.shift(-1)
    begin, end = resolve_relative(expr, first, last)
    return "change on " + _basis_name(expr), begin, end


def amount_basis(first: Month | None, last: Month | None) -> str | None:
    """A month's figure, a year-to-date total (January to a month before December) or a sum."""
    if first is None:
        return None
    if first == last:
        return "month"
    if first.month == 1 and first.year == last.year and last.month < 12:
        return "year to date"
    return "sum"


def assumed_month(published: Month, day: dt.date | None, by_partner: bool) -> Month:
    """The latest month China's customs had published by the report's day.

    Its preliminary totals come out around the 10th of the next month, the detail by partner
    around the 20th: a report on the 8th of December about a partner is about October. Without
    the day, the month before publication.
    """
    if day is None:
        return published.shift(-1)
    ready_by = settings.DETAIL_RELEASE_DAY if by_partner else settings.TOTALS_RELEASE_DAY
    return published.shift(-1 if day.day >= ready_by else -2)


def fiscal_year(expr: TimeExpr, reporter: int | None) -> tuple[Month, Month]:
    """The months of "fiscal 2017", "FY17" or "the 2016-17 fiscal year" for the reporter."""
    alpha3 = country_alpha3(reporter) if reporter is not None else None
    start, named = FISCAL_YEARS.get(alpha3, FISCAL_DEFAULT)
    year = expr.named_year
    if expr.kind == "fiscal" and named == "end" and start > 1:
        year -= 1  # India's FY2017 ends in March 2017
    first = Month(year, start)
    return first, first.shift(11)
