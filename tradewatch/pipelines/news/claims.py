"""Pull every stated trade figure out of a news text: what it is, whose trade, which months.

A claim is one figure — a quantity ("1.8 million tons", "1.2 million barrels per day"), a value
("$120 million", "6.38 trillion yen") or a percent change ("dropped 27 percent", "more than
doubled") — with the series it is about (reporter, partner, flow, commodity), the month or months
and, for a change, the months it is measured against. Deterministic and explainable: regular
expressions and rules a careful reader follows, no model and no network.

Reading a report is a pipeline of stages, each its own module with its own tests:
1. ``sentences``: the report's sentences, clauses and parts;
2. ``numbers``: the figures a sentence states, with their precision; ``screening``: those that
   are no trade claim (forecasts, tariffs, prices, the economy);
3. ``times`` and ``months``: the time expressions and the months each figure is about;
4. ``identity``: whose trade each figure is (reporter, partner, flow) as the reporter sees it;
5. this module: the claims, with their commodity, direction, bounds and units.
Words, patterns and phrases are data in ``claim_words`` and ``commodities.toml``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, replace
from decimal import Decimal

from ...schemas import Month
from .claim_words import (
    ALL_GOODS,
    ANNUAL_BEFORE,
    APPROXIMATE,
    APPROXIMATE_MARGIN,
    BELOW_ONLY,
    COMMODITIES,
    COMMODITY_HS,
    DATELINE,
    DOWN,
    LOWER_BOUND,
    PER_MONTH,
    PER_YEAR,
    SELF_NAMED,
    TRADE_WORDS,
    UP,
    UPPER_BOUND,
    VALUE_WORDS,
)
from .identity import (
    outlet_country,
    remember,
    report_country,
    report_flow,
    says_nothing,
    series_at,
)
from .months import (
    Context,
    Placed,
    amount_basis,
    change_basis,
    fiscal_year,
    place,
    remember_months,
)
from .numbers import Figure, find_figures, normalize
from .respectively import share_out
from .screening import about_prices, not_a_claim
from .sentences import clause_end, clause_start, headline_from_url, split_sentences
from .times import find_times


@dataclass(frozen=True)
class Claim:
    """One figure a text states, in the warehouse's units (kg, USD or CNY, percent)."""

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
    amount: float | None  # kg, currency units or the signed percent as stated
    low: float | None
    high: float | None
    tolerance: float  # half a unit of the stated precision, same unit as amount
    basis: str | None = None  # month | sum | year to date | previous month | year earlier | ...
    basis_period: Month | None = None
    basis_period_end: Month | None = None
    per_month: bool = False  # "1.8 million tonnes a month": the months' average, not their sum
    measure: str = "weight"  # weight | value: what a percent change is of
    flow: str | None = None  # M imports, X exports, T both ways, B balance; None: not said
    sentence_no: int = 0
    currency: str | None = None  # values: USD or CNY as stated (never converted)
    # where the months came from: the sentence ("text"), earlier sentences or the title
    # ("report"), or, when the report names none, the month before it was published
    # ("publication", an assumption a check must not hold against the report)
    period_source: str | None = None
    balance: str | None = None  # a balance's side: surplus (exports - imports) or deficit
    unit: str | None = None  # what amount is in: kg, bbl/d, m3, a currency, or % for a change

    def as_record(self) -> dict:
        record = asdict(self)
        for key in ("period", "period_end", "basis_period", "basis_period_end"):
            record[key] = str(record[key] and Month(**record[key])) if record[key] else None
        return record


def extract_claims(
    text: str, published: Month | dt.date, title: str | None = None, url: str | None = None
) -> list[Claim]:
    """Every trade figure in ``text``; months resolve against the publication month.

    Given the publication day too, a report that names no month is read as the latest month
    China's customs had published by then (see ``assumed_month``). Given the report's address,
    its slug stands for a title not at hand, and its outlet's country for "the nation" in a
    report that names no country.
    """
    day = published if isinstance(published, dt.date) else None
    published = Month.of(published) if day else published
    context = Context(published=published, published_day=day)
    context.speaker.home = outlet_country(url)
    # a slug is a headline without its small words ("drop February US trade war"): it says whose
    # trade the report is about, not the scene a title sets
    slug = None if title else headline_from_url(url)
    sentences = split_sentences(text)
    context.speaker.whole = report_country([title or slug or "", *sentences])
    if context.speaker.whole is None and SELF_NAMED.search(text):
        context.speaker.whole = context.speaker.home  # "the nation's exports" in Taipei
    context.speaker.whole_flow = report_flow([title or slug or "", *sentences])
    if title:
        # A headline sets the scene (commodity, countries, months); its figures are repeated in
        # the text, so they are not claims of their own.
        _sentence_claims(title, published, context)
    claims: list[Claim] = []
    for number, sentence in enumerate(sentences):
        claims.extend(
            replace(c, sentence_no=number) for c in _sentence_claims(sentence, published, context)
        )
    return claims


def _sentence_claims(original: str, published: Month, context: Context) -> list[Claim]:
    dateline = DATELINE.match(original)
    text = normalize(original[dateline.end() :] if dateline else original)
    times = find_times(text, published)
    figures = find_figures(text, COMMODITIES)
    figures = [f for f in figures if not about_prices(text, f)]
    about_trade = bool(TRADE_WORDS.search(text) or _commodity(text) or context.talking)
    placed = place(text, figures, times, context, published) if about_trade else []
    placed = [p for p in placed if not not_a_claim(text, p)]
    for index, item in enumerate(placed):
        clause = (clause_start(text, item.figure.start), clause_end(text, item.figure.end))
        if index and says_nothing(text, *clause):
            item.series = placed[index - 1].series  # "..., while iron shipments rose 96.9%"
        else:
            span = (item.figure.start, item.figure.end)
            item.series = series_at(text, span, clause, context.speaker)
    share_out(text, placed)  # "from Indonesia and Mongolia rose 23% and 42%, respectively"
    claims = [c for p in placed for c in _claims(text, original, p, context, placed)]
    remember_months(text, times, placed, context, published)
    commodity = _commodity(text)
    context.commodity = commodity or context.commodity
    # the next sentence may go on about the same trade without naming it ("They dropped...")
    context.talking = bool(placed or TRADE_WORDS.search(text) or commodity)
    remember(text, [p.series for p in placed], context.speaker)
    return claims


def _claims(text, original, item: Placed, context: Context, placed) -> list[Claim]:
    figure = item.figure
    commodity = (
        item.commodity or figure.commodity or _commodity_at(text, figure.start) or context.commodity
    )
    series = item.series
    flow = series.flow
    if commodity is None and (
        flow in ("T", "B") or ALL_GOODS.search(text) or series.reporter is not None and flow
    ):
        # "Japan's exports rose 4.2%" in a report that names no commodity: all its goods
        commodity = "all goods"
    amount = figure.amount
    low, high = _bounds(figure)
    direction = figure.direction or _direction(text, figure, clause_start(text, figure.start))
    if figure.kind == "percent" and direction == "down":
        amount, low, high = -amount, _neg(high), _neg(low)
    basis_name, basis_first, basis_last = item.basis or (None, None, None)
    months = item.months
    spans = [(m, m) for m in months] if months else [(item.first, item.last)]
    if item.time is not None and item.time.kind in ("fiscal", "fiscal start"):
        spans = [fiscal_year(item.time, series.reporter)]
    value_words = figure.kind == "percent" and VALUE_WORDS.search(text)
    measure = "value" if figure.kind == "value" or value_words else "weight"
    if figure.unit in ("bbl/d", "m3"):
        measure = "volume"
    unit = figure.unit or figure.currency or {"quantity": "kg", "percent": "%"}[figure.kind]
    if PER_YEAR.match(text, figure.end) or ANNUAL_BEFORE.search(
        text, max(0, figure.start - 60), figure.start
    ):
        spans = [(None, None)]  # "$1 billion a year": a rate, not any month's figure
    out = []
    for first, last in spans:
        if figure.kind != "percent" and item.change:
            basis_name, basis_first, basis_last = change_basis(item, first, last)
        elif figure.kind != "percent":
            basis_name = amount_basis(first, last)
        elif basis_first is not None and len(spans) > 1:
            back = 12 if basis_name == "year earlier" else 1
            basis_first, basis_last = first.shift(-back), last.shift(-back)
        out.append(
            Claim(
                kind=figure.kind,
                sentence=original,
                stated=figure.stated,
                commodity=commodity,
                hs_code=COMMODITY_HS.get(commodity) if commodity else None,
                reporter_code=series.reporter,
                partner_code=series.partner,
                period=first,
                period_end=last,
                direction=direction,
                qualifier=figure.qualifier,
                amount=float(amount) if figure.amount2 is None else None,
                low=_float(low),
                high=_float(high),
                tolerance=float(figure.tolerance),
                basis=basis_name,
                basis_period=basis_first if figure.kind == "percent" or item.change else None,
                basis_period_end=basis_last if figure.kind == "percent" or item.change else None,
                per_month=bool(PER_MONTH.match(text, figure.end)),
                measure=measure,
                flow=flow,
                currency=figure.currency,
                period_source=_source(item, context) if first is not None else None,
                balance=series.balance,
                unit=unit,
            )
        )  # fmt: skip
    return out


def _source(item: Placed, context: Context) -> str:
    if item.how == "publication" or (item.how == "report" and context.assumed):
        return "publication"
    return "report" if item.how == "report" else "text"


def _commodity(sentence: str) -> str | None:
    for name, pattern in COMMODITIES.items():
        if pattern.search(sentence):
            return name
    if ALL_GOODS.search(sentence):
        return "all goods"
    return None


def _commodity_at(sentence: str, position: int) -> str | None:
    """The commodity named nearest before ``position`` in its clause (else first after it)."""
    mentions = sorted(
        (match.start(), name)
        for name, pattern in COMMODITIES.items()
        for match in pattern.finditer(sentence)
    )
    clause = clause_start(sentence, position)
    before = [name for start, name in mentions if clause <= start < position]
    if before:
        return before[-1]
    if ALL_GOODS.search(sentence[clause:position]):
        return "all goods"
    earlier = [name for start, name in mentions if start < position]
    if earlier:
        return earlier[-1]
    return mentions[0][1] if mentions else None


def _direction(sentence: str, figure: Figure, clause_start: int) -> str | None:
    """The nearest direction word before the figure in its clause, or right after it."""
    after = re.match(r"\s*(\w+)", sentence[figure.end : figure.end + 25])
    if after:
        word = after.group(1)
        if UP.fullmatch(word) and word.lower() not in ("up", "more"):
            return "up"
        if DOWN.fullmatch(word) and word.lower() not in ("down", "less", "cut", "below"):
            return "down"
    window = sentence[clause_start : figure.start]
    best: tuple[int, str] | None = None
    for pattern, name in ((UP, "up"), (DOWN, "down")):
        for match in pattern.finditer(window):
            if best is None or match.start() > best[0]:
                best = (match.start(), name)
    return best[1] if best else None


def _bounds(figure: Figure) -> tuple[Decimal | None, Decimal | None]:
    """The interval a figure allows before rounding tolerance; None for an open side."""
    if figure.amount2 is not None:
        return min(figure.amount, figure.amount2), max(figure.amount, figure.amount2)
    qualifier = figure.qualifier or ""
    if qualifier in LOWER_BOUND:
        return figure.amount, None
    if qualifier in UPPER_BOUND:
        return None, figure.amount
    if qualifier in APPROXIMATE:
        margin = abs(figure.amount) * Decimal(str(APPROXIMATE_MARGIN))
        if qualifier in BELOW_ONLY:
            return figure.amount - margin, figure.amount
        return figure.amount - margin, figure.amount + margin
    return figure.amount, figure.amount


def _neg(value: Decimal | None) -> Decimal | None:
    return -value if value is not None else None


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None
