"""How the extractor reads what real reports do, on sentences written for these tests.

Each case: a text (paragraphs), its publication month, and the claims a careful reader takes, as
(kind, amount as stated in the warehouse's units, first month, last month, basis).
"""

from __future__ import annotations

import pytest

from tradewatch.pipelines.news.claims import extract_claims
from tradewatch.schemas import Month

MT = 1_000_000_000  # kg in a million tonnes

CASES = [
    # "fell to Y ... from X in <month>": each figure its own month
    (
        "Coal imports from Mongolia fell to 2.1 million tonnes that month from 2.6 million "
        "tonnes in May.",
        Month(2019, 7),
        "Mongolian coal shipments to China slid in June",
        [("quantity", 2.1 * MT, "2019-06", "2019-06", "month"),
         ("quantity", 2.6 * MT, "2019-05", "2019-05", "month")],
    ),
    # "X versus Y in <month> and Z in <month year>"
    (
        "The country bought 80.2 million tonnes of iron ore last month, versus 85.4 million "
        "tonnes in March and 78.9 million tonnes in April 2018.",
        Month(2019, 5),
        None,
        [("quantity", 80.2 * MT, "2019-04", "2019-04", "month"),
         ("quantity", 85.4 * MT, "2019-03", "2019-03", "month"),
         ("quantity", 78.9 * MT, "2018-04", "2018-04", "month")],
    ),
    # a comparison with a figure "the previous month" / "a year earlier"
    (
        "Exports to Mongolia in May were worth $31.5 million, down from $35.2 million the "
        "previous month and up from $20.1 million a year earlier.",
        Month(2019, 6),
        None,
        [("value", 31.5e6, "2019-05", "2019-05", "month"),
         ("value", 35.2e6, "2019-04", "2019-04", "month"),
         ("value", 20.1e6, "2018-05", "2018-05", "month")],
    ),
    # year to date, a dateline that is no period, and "on-year" for the change
    (
        "HONG KONG, Aug 9 (Wire) - Iron ore imports in the first seven months rose 4.2 percent "
        "on-year to 620 million tonnes.",
        Month(2019, 8),
        None,
        [("percent", 4.2, "2019-01", "2019-07", "year earlier"),
         ("quantity", 620 * MT, "2019-01", "2019-07", "year to date")],
    ),
    # "since" never gives a period; the month the sentence names does
    (
        "Shipments of coal from Russia hit 3.3 million tonnes in March, the most since "
        "December 2014.",
        Month(2019, 4),
        None,
        [("quantity", 3.3 * MT, "2019-03", "2019-03", "month")],
    ),
    # "respectively" shares months out in order; a change on the month
    (
        "Arrivals of Australian coal were 6.1 million tonnes and 5.4 million tonnes in January "
        "and February, respectively. They fell 11 percent on the month in February.",
        Month(2019, 3),
        None,
        [("quantity", 6.1 * MT, "2019-01", "2019-01", "month"),
         ("quantity", 5.4 * MT, "2019-02", "2019-02", "month"),
         ("percent", -11, "2019-02", "2019-02", "previous month")],
    ),
    # the exporter's side, number words, a value in yuan kept in yuan, a multiple
    (
        "Mongolia's coal exports to China rose two per cent in October. Their value reached "
        "1.2 billion yuan, and shipments of copper ore more than doubled from a year earlier.",
        Month(2019, 11),
        None,
        [("percent", 2, "2019-10", "2019-10", "unstated"),
         ("value", 1.2e9, "2019-10", "2019-10", "month"),
         ("percent", 100, "2019-10", "2019-10", "year earlier")],
    ),
    # a change between two named months
    (
        "Iron ore imports in September were 9 percent higher than in June.",
        Month(2019, 10),
        None,
        [("percent", 9, "2019-09", "2019-09", "named month")],
    ),
    # "the same period" is the months the sentence (or the report) was speaking of
    (
        "Coal imports from Indonesia totalled 120 million tonnes in January-August, while those "
        "from Australia reached 55 million tonnes in the same period.",
        Month(2019, 9),
        None,
        [("quantity", 120 * MT, "2019-01", "2019-08", "year to date"),
         ("quantity", 55 * MT, "2019-01", "2019-08", "year to date")],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("text", "published", "title", "expected"), CASES)
def test_each_figure_gets_its_months_and_basis(text, published, title, expected):
    claims = extract_claims(text, published, title=title)
    got = [(c.kind, c.amount, str(c.period), str(c.period_end), c.basis) for c in claims]
    assert len(got) == len(expected), got
    for (kind, amount, first, last, basis), want in zip(got, expected, strict=True):
        assert (kind, first, last, basis) == (want[0], want[2], want[3], want[4]), got
        assert amount == pytest.approx(want[1]), got


def test_a_value_in_yuan_keeps_its_currency():
    (claim,) = extract_claims("Imports from Russia were 3.5 billion yuan in May.", Month(2019, 6))
    assert (claim.currency, claim.amount) == ("CNY", 3.5e9)


def test_exports_of_the_partner_to_china_are_chinas_imports():
    (claim,) = extract_claims(
        "North Korea's coal exports to China fell to 1.2 million tonnes in May.", Month(2016, 6)
    )
    assert (claim.flow, claim.partner_code) == ("M", 408)


def test_a_report_that_names_no_month_is_read_as_the_month_before_it_and_says_so():
    (claim,) = extract_claims("China imported 1.6 million tonnes of coal.", Month(2017, 9))
    assert (str(claim.period), claim.period_source) == ("2017-08", "publication")


def test_a_yearly_rate_has_no_month():
    (claim,) = extract_claims("Coal exports earned $1 billion a year.", Month(2017, 9))
    assert claim.period is None
