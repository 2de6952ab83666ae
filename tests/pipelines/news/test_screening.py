"""Figures that are no trade claim, and the number forms and periods of other stories.

Sentences written for these tests, in the forms reports take (none copied from a report).
"""

from __future__ import annotations

import pytest

from tradewatch.pipelines.news.claims import extract_claims
from tradewatch.schemas import Month

OCT16 = Month(2016, 10)


def stated(text: str, published: Month = OCT16) -> list[str]:
    return [c.stated for c in extract_claims(text, published)]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # forecasts, polls and expectations; the figure compared against is a fact
        ("Economists polled by Reuters expected China's exports to rise 5 percent in September.",
         []),
        ("China's trade surplus is forecast to be $50 billion in October against $42 billion in "
         "September.", ["$42 billion"]),
        ("China's imports rose 3.3 percent in September, compared with the consensus estimate of "
         "a 0.6 percent gain.", ["3.3 percent"]),
        # the actual figure beside expectations is a fact; the expectation stated is not
        ("China's exports rose 4.8% in September, lower than expected as shipments to Japan fell "
         "nearly 10%.", ["4.8%", "nearly 10%"]),
        ("China's exports rose 5% in September, beating expectations of a 3% rise.", ["5%"]),
        ("China's imports fell more than analysts had forecast, down 7% in September.", ["7%"]),
        # tariffs, the economy, production, stocks, exchange rates
        ("Washington's 25 percent tariffs on Chinese goods took effect in September.", []),
        ("China kept its target for economic growth at 6.5 percent for 2016.", []),
        ("China expects to import 90 million tonnes of soybeans against production of 14 million "
         "tonnes.", []),
        ("The yen fell to 110 yen to the dollar in September, helping Japan's exports.", []),
        # but a trade figure in the same sentence is still read
        ("Japan's exports rose 4.2 percent in September despite 15 percent tariffs.",
         ["4.2 percent"]),
    ],
)  # fmt: skip
def test_what_is_no_trade_claim(text, kept):
    assert stated(text) == kept


def test_amounts_in_other_currencies_are_kept_in_their_currency():
    claims = extract_claims(
        "Japan's exports rose to 6.38 trillion yen ($59.6 billion) in September, and the EU's "
        "imports came to €150 billion, Korea's exports to 48.9 trillion won.",
        OCT16,
    )
    assert [(c.amount, c.currency, c.unit) for c in claims] == [
        (6.38e12, "JPY", "JPY"),
        (59.6e9, "USD", "USD"),
        (150e9, "EUR", "EUR"),
        (48.9e12, "KRW", "KRW"),
    ]


def test_volumes_are_kept_beside_tonnes():
    claims = extract_claims(
        "China's crude oil imports were 8.1 million barrels per day in September, and its LNG "
        "imports 5.2 bcm.",
        OCT16,
    )
    assert [(c.amount, c.unit, c.measure) for c in claims] == [
        (8.1e6, "bbl/d", "volume"),
        (5.2e9, "m3", "volume"),
    ]


def test_a_prior_year_figure_in_brackets_is_the_year_befores():
    claims = extract_claims(
        "China's soybean imports from Brazil rose to 13.4 (11.3) mln t in January-May.", OCT16
    )
    assert [(c.amount, str(c.period), str(c.period_end)) for c in claims] == [
        (13.4e9, "2016-01", "2016-05"),
        (11.3e9, "2015-01", "2015-05"),
    ]


def test_a_scale_said_once_carries_to_a_bare_figure():
    claims = extract_claims(
        "China's trade surplus rose to $50 billion in September from $42.1 in August.", OCT16
    )
    assert [c.amount for c in claims] == [50e9, 42.1e9]


@pytest.mark.parametrize(
    ("text", "published", "span"),
    [
        ("China's copper imports were 900,000 tonnes in January and February combined.",
         Month(2016, 3), ("2016-01", "2016-02")),
        ("India's cumulative exports between April 2016 and January 2017 rose to $220 billion.",
         Month(2017, 2), ("2016-04", "2017-01")),
        ("Korea's trade surplus from this year to last month was $80 billion.", OCT16,
         ("2016-01", "2016-09")),
        ("Japan's exports rose 3 percent in the first half of 2016.", OCT16,
         ("2016-01", "2016-06")),
        ("China's imports fell 5 percent in the third quarter of 2016.", OCT16,
         ("2016-07", "2016-09")),
    ],
)  # fmt: skip
def test_periods_of_any_shape(text, published, span):
    ((claim, *_),) = [extract_claims(text, published)]
    assert (str(claim.period), str(claim.period_end)) == span


def test_a_marketing_year_runs_from_its_first_month_to_the_reports():
    claims = extract_claims(
        "China's soybean imports were 8 million tonnes in January. That took imports in the "
        "October through September marketing year to 32 million tonnes. That compares with 29 "
        "million tonnes in the corresponding period last year.",
        Month(2017, 2),
    )
    assert [(str(c.period), str(c.period_end)) for c in claims] == [
        ("2017-01", "2017-01"),
        ("2016-10", "2017-01"),
        ("2015-10", "2016-01"),
    ]


def test_a_month_compared_with_is_the_basis_not_the_figures_month():
    ((claim,),) = [extract_claims("China's iron ore imports fell 4 percent in October on "
                                  "September.", Month(2016, 11))]  # fmt: skip
    assert (str(claim.period), str(claim.basis_period)) == ("2016-10", "2016-09")


@pytest.mark.parametrize(
    ("text", "span"),
    [
        # fiscal years by reporter: Japan's named by the year they start, India's by the year
        # they end, the US federal year from October
        ("Japan's exports rose 4.3 percent in fiscal 2017.", ("2017-04", "2018-03")),
        ("India's exports rose 5 percent in FY2017.", ("2016-04", "2017-03")),
        ("India's exports rose 5 percent in the 2016-17 fiscal year.", ("2016-04", "2017-03")),
        ("U.S. exports rose 2 percent in fiscal 2017.", ("2016-10", "2017-09")),
        ("India's exports rose 5 percent in the year ended March 31, 2017.",
         ("2016-04", "2017-03")),
        # twelve months to a month
        ("Japan's imports fell 2.3 percent in the year to April.", ("2017-05", "2018-04")),
    ],
)  # fmt: skip
def test_fiscal_years_and_twelve_months(text, span):
    ((claim,),) = [extract_claims(text, Month(2018, 5))]
    assert (str(claim.period), str(claim.period_end)) == span


def test_a_forecast_said_after_its_figure_and_a_price_are_no_claims():
    assert stated(
        "Japan's exports rose 2.6 percent in September. The rise compares with a 3.0 percent "
        "increase expected by economists in a Reuters poll. The per-tonne value of the soybean "
        "imports increased 1.3 percent to 4,334.6 yuan."
    ) == ["2.6 percent"]


def test_shipped_from_is_an_import_and_exporters_are_no_flow():
    (claim,) = extract_claims(
        "China's soybean imports rose in September. The top buyer also shipped 2.28 million "
        "tonnes of the oilseed from Argentina, the world's no.3 exporter, in September.",
        OCT16,
    )
    assert (claim.reporter_code, claim.partner_code, claim.flow) == (156, 32, "M")
