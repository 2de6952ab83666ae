"""Claim extraction over sentences phrased the many ways reports phrase trade figures."""

from __future__ import annotations

import pytest

from tradewatch.pipelines.news.claims import extract_claims, split_sentences
from tradewatch.pipelines.news.sentences import headline_from_url
from tradewatch.schemas import Month

OCT16 = Month(2016, 10)
T = 1000  # kg per tonne
MT = 1_000_000 * T

# (sentence, published, title for context, expected claims as
#  (kind, period, period_end, amount, direction, partner))
CASES = [
    (
        "China only imported 1.8 million tons of coal from North Korea last month.",
        OCT16,
        None,
        [("quantity", "2016-09", "2016-09", 1.8 * MT, None, 408)],
    ),
    (
        "China's coal imports from North Korea fell from 2.345 to 1.527 million tonnes "
        "between March and April.",
        Month(2016, 5),
        None,
        [
            ("quantity", "2016-03", "2016-03", 2.345 * MT, "down", 408),
            ("quantity", "2016-04", "2016-04", 1.527 * MT, "down", 408),
        ],
    ),
    (
        "Coal imports from North Korea dropped 27% to 1.798 Mt in September, customs data showed.",
        OCT16,
        None,
        [
            ("percent", "2016-09", "2016-09", -27, "down", 408),
            ("quantity", "2016-09", "2016-09", 1.798 * MT, "down", 408),
        ],
    ),
    (
        "Shipments in August were 61 percent higher than a year earlier.",
        Month(2016, 9),
        "China's coal imports from North Korea hit a record",
        [("percent", "2016-08", "2016-08", 61, "up", 408)],
    ),
    (
        "China imported 511,619 tonnes of North Korean coal in September 2017, down 69 percent "
        "from August.",
        Month(2017, 10),
        None,
        [
            ("quantity", "2017-09", "2017-09", 511_619 * T, None, 408),
            ("percent", "2017-09", "2017-09", -69, "down", 408),
        ],
    ),
    ("The UN Security Council voted 15-0 on the resolution in November.", OCT16, None, []),
    (
        "Imports of iron ore from North Korea were worth $12.5 million in October.",
        Month(2016, 11),
        None,
        [("value", "2016-10", "2016-10", 12_500_000, None, 408)],
    ),
    (
        "In 2016 China imported 22.49 million tonnes of North Korean coal.",
        Month(2017, 1),
        None,
        [("quantity", "2016-01", "2016-12", 22.49 * MT, None, 408)],
    ),
    (
        "China imported no coal from North Korea in April, customs data showed.",
        Month(2017, 5),
        None,
        [("quantity", "2017-04", "2017-04", 0, None, 408)],
    ),
    (
        "Pyongyang's coal sales to China climbed to 2.465 million tonnes in August, the highest "
        "this year.",
        Month(2016, 9),
        None,
        [("quantity", "2016-08", "2016-08", 2.465 * MT, "up", 408)],
    ),
    (
        "The figure was up 12.2 percent on the month.",
        Month(2016, 11),
        "China's October coal imports from North Korea",
        [("percent", "2016-10", "2016-10", 12.2, "up", 408)],
    ),
    (
        "Customs data showed China bought 1,230,000 tonnes of coal from North Korea in February.",
        Month(2017, 3),
        None,
        [("quantity", "2017-02", "2017-02", 1_230_000 * T, None, 408)],
    ),
    (
        "Beijing said it had halted purchases, and imports were zero in March, April and May.",
        Month(2017, 6),
        "China stops North Korean coal",
        [
            ("quantity", "2017-03", "2017-03", 0, None, 408),
            ("quantity", "2017-04", "2017-04", 0, None, 408),
            ("quantity", "2017-05", "2017-05", 0, None, 408),
        ],
    ),
    (
        "China imported about 1.82 million tonnes of coal from North Korea in October, "
        "up 1.2% from September.",
        Month(2016, 11),
        None,
        [
            ("quantity", "2016-10", "2016-10", 1.82 * MT, None, 408),
            ("percent", "2016-10", "2016-10", 1.2, "up", 408),
        ],
    ),
    (
        "Imports rose steadily between May and August, reaching 2.465 million tonnes.",
        Month(2016, 9),
        "North Korea's coal exports to China",
        # the end point of the climb is August's figure, not a sum over the months
        [("quantity", "2016-08", "2016-08", 2.465 * MT, "up", 408)],
    ),
    (
        "Chinese buyers took between 1.5 and 2 million tonnes of North Korean coal a month in "
        "the first nine months of 2016.",
        Month(2016, 10),
        None,
        [("quantity", "2016-01", "2016-09", None, None, 408)],
    ),
    (
        "Kim Jong Un's government earned more than $1 billion a year from coal.",
        OCT16,
        None,
        [("value", None, None, 1_000_000_000, None, None)],
    ),
    (
        "About 40 percent of North Korea's exports are coal.",
        OCT16,
        None,
        [],
    ),
    (
        "Coal shipments from North Korea to China slumped 34.9 per cent in April to "
        "1,527,000 tonnes.",
        Month(2016, 5),
        None,
        [
            ("percent", "2016-04", "2016-04", -34.9, "down", 408),
            ("quantity", "2016-04", "2016-04", 1_527_000 * T, "down", 408),
        ],
    ),
    (
        "China's total coal imports rose 5.8 percent year-on-year to 21.3 million tonnes in "
        "September.",
        OCT16,
        "North Korean coal",
        [
            ("percent", "2016-09", "2016-09", 5.8, "up", 0),
            ("quantity", "2016-09", "2016-09", 21.3 * MT, "up", 0),
        ],
    ),
    (
        "The talks lasted 3 hours and 40 minutes, officials said on Sept. 9.",
        OCT16,
        "North Korean coal",
        [],
    ),
    (
        "Purchases of North Korean iron ore fell to 120,000 tonnes in July from 180,000 tonnes "
        "in June.",
        Month(2016, 8),
        None,
        [
            ("quantity", "2016-07", "2016-07", 120_000 * T, "down", 408),
            ("quantity", "2016-06", "2016-06", 180_000 * T, "down", 408),
        ],
    ),
    (
        "China imported 2.4 million metric tons of coal from North Korea in August 2016.",
        Month(2017, 2),
        None,
        [("quantity", "2016-08", "2016-08", 2.4 * MT, None, 408)],
    ),
    (
        "Imports of North Korean coal were 1.64 mln tonnes in August, the data showed.",
        Month(2017, 9),
        None,
        [("quantity", "2017-08", "2017-08", 1.64 * MT, None, 408)],
    ),
    (
        "North Korea shipped less than 2 million tonnes of coal to China in December.",
        Month(2017, 1),
        None,
        [("quantity", "2016-12", "2016-12", 2 * MT, None, 408)],
    ),
    (
        "Coal from Mongolia rose 20 percent in November.",
        Month(2016, 12),
        None,
        [("percent", "2016-11", "2016-11", 20, "up", 496)],
    ),
    (
        "Analysts expect prices to rise in the coming months.",
        OCT16,
        "China's coal imports from North Korea",
        [],
    ),
    (
        "Between January and September, China imported 18.3 million tonnes of coal from "
        "North Korea.",
        OCT16,
        None,
        [("quantity", "2016-01", "2016-09", 18.3 * MT, None, 408)],
    ),
    (
        "Imports in the January-September period fell 12 percent from a year earlier.",
        OCT16,
        "China coal imports from North Korea",
        [("percent", "2016-01", "2016-09", -12, "down", 408)],
    ),
    (
        "That compares with 2.1 million tonnes in July and 1.8 million tonnes in June.",
        Month(2016, 8),
        "North Korean coal exports to China",
        [
            ("quantity", "2016-07", "2016-07", 2.1 * MT, None, 408),
            ("quantity", "2016-06", "2016-06", 1.8 * MT, None, 408),
        ],
    ),
    (
        "China cut its coal imports from North Korea by 75 percent in October compared with "
        "the previous month.",
        Month(2017, 11),
        None,
        [("percent", "2017-10", "2017-10", -75, "down", 408)],
    ),
    (
        "The ship carried 65,000 tonnes of anthracite from Nampo to Longkou in March.",
        Month(2017, 4),
        "North Korea coal",
        [("quantity", "2017-03", "2017-03", 65_000 * T, None, 408)],
    ),
    (
        "Officials in Dandong said 300 trucks crossed the bridge each day.",
        OCT16,
        "North Korean coal",
        [],
    ),
    (
        "Iron ore imports from North Korea jumped 45% last month, while coal imports fell 8%.",
        Month(2016, 12),
        None,
        [
            ("percent", "2016-11", "2016-11", 45, "up", 408),
            ("percent", "2016-11", "2016-11", -8, "down", 408),
        ],
    ),
]


@pytest.mark.parametrize(("sentence", "published", "title", "expected"), CASES)
def test_claims_in_sentences(sentence, published, title, expected):
    claims = extract_claims(sentence, published, title=title)
    got = [
        (
            c.kind,
            str(c.period) if c.period else None,
            str(c.period_end) if c.period_end else None,
            c.amount,
            c.direction,
            c.partner_code,
        )
        for c in claims
    ]
    assert len(got) == len(expected), got
    for (kind, period, end, amount, direction, partner), want in zip(got, expected, strict=True):
        assert (kind, period, end, direction, partner) == (
            want[0],
            want[1],
            want[2],
            want[4],
            want[5],
        )
        if want[3] is None:
            assert amount is None
        else:
            assert amount == pytest.approx(want[3])


def test_there_are_at_least_thirty_sentences():
    assert len(CASES) >= 30


def test_the_commodity_of_a_claim_comes_from_the_sentence_first():
    claims = extract_claims(
        "Iron ore imports from North Korea jumped 45% last month, while coal imports fell 8%.",
        Month(2016, 12),
    )
    assert [(c.commodity, c.hs_code) for c in claims] == [
        ("iron ore", "2601"),
        ("coal", "2701"),
    ]


def test_tolerance_is_half_a_unit_of_the_stated_precision():
    one, two = extract_claims(
        "China imported 1.8 million tons of coal from North Korea in September and "
        "511,619 tonnes a year later.",
        Month(2017, 10),
    )
    assert one.tolerance == 0.05 * MT
    assert two.tolerance == 0.5 * T


def test_a_range_gives_bounds_not_an_amount():
    (claim,) = extract_claims(
        "Chinese buyers took between 1.5 and 2 million tonnes of North Korean coal a month in "
        "the first nine months of 2016.",
        OCT16,
    )
    assert (claim.low, claim.high, claim.per_month) == (1.5 * MT, 2 * MT, True)


def test_open_bounds_follow_the_qualifier():
    more, less = extract_claims(
        "China imported more than 2 million tonnes of North Korean coal in August and less "
        "than 1.9 million tonnes in September.",
        OCT16,
    )
    assert (more.low, more.high) == (2 * MT, None)
    assert (less.low, less.high) == (None, 1.9 * MT)


def test_a_percent_change_names_what_it_is_measured_against():
    by_month, by_year = extract_claims(
        "Coal imports from North Korea dropped 27% in September from August and were 61 percent "
        "higher than a year earlier.",
        OCT16,
    )
    assert (by_month.basis, str(by_month.basis_period)) == ("named month", "2016-08")
    assert (by_year.basis, str(by_year.basis_period)) == ("year earlier", "2015-09")


def test_a_change_between_two_months_is_the_later_against_the_earlier():
    (claim,) = extract_claims(
        "China's coal imports from North Korea fell 35 percent between March and April.",
        Month(2016, 5),
    )
    assert (str(claim.period), str(claim.basis_period), claim.amount) == ("2016-04", "2016-03", -35)


def test_months_resolve_to_their_latest_occurrence_before_publication():
    (claim,) = extract_claims(
        "China imported 1.685 million tonnes of North Korean coal in December.", Month(2017, 1)
    )
    assert str(claim.period) == "2016-12"


def test_claims_carry_the_month_of_the_sentence_before():
    claims = extract_claims(
        "China's coal imports from North Korea fell sharply in September. "
        "They dropped 27 percent to 1.798 million tonnes.",
        OCT16,
    )
    assert [str(c.period) for c in claims] == ["2016-09", "2016-09"]


def test_sentences_split_at_full_stops_but_not_at_decimals_or_abbreviations():
    assert split_sentences(
        "Imports were 1.8 million tonnes. The U.S. Treasury said so on Sept. 9. Next one."
    ) == [
        "Imports were 1.8 million tonnes.",
        "The U.S. Treasury said so on Sept. 9.",
        "Next one.",
    ]


def test_a_quantity_takes_the_month_a_change_is_measured_from():
    percent, quantity = extract_claims(
        "Coal imports from North Korea dropped 27 percent in September from August, when they "
        "reached 2,465,000 tonnes.",
        OCT16,
    )
    assert (str(percent.period), str(percent.basis_period)) == ("2016-09", "2016-08")
    assert str(quantity.period) == "2016-08"


def test_a_percent_change_in_value_is_measured_in_dollars():
    (claim,) = extract_claims(
        "The value of China's coal imports from North Korea rose 12 percent in August.", OCT16
    )
    assert claim.measure == "value"


def test_a_wrapped_line_does_not_end_a_sentence():
    assert split_sentences(
        "Shipments dropped 27 percent from August, when they\nreached 2.4 Mt."
    ) == ["Shipments dropped 27 percent from August, when they reached 2.4 Mt."]


@pytest.mark.parametrize(
    ("url", "headline"),
    [
        ("https://uk.example.com/chinas-coal-imports-north-korea-ease-sanctions-095106630.html",
         "China's coal imports North Korea ease sanctions"),
        ("https://www.example.com/article/us-china-trade/china-first-quarter-imports-fall-87-"
         "percent-idUSKBN1HU0BL", "China first quarter imports fall 87 percent"),
        ("https://example.com/2014/10/22/japan-s-exports-up-in/22922611007/",
         "Japan's exports up in"),
        ("https://example.com/south-koreas-exports-shrink-in-september",
         "South Korea's exports shrink in September"),
        ("https://example.com/a/exports-negative-for-8th-month.r1XjrUorDi.html",
         "Exports negative for 8th month"),
        ("https://example.com/articles/japan-exports-shrink-3.4-deficit-at-%247.64-bln",
         "Japan exports shrink 3.4 deficit at $7.64 bln"),
        ("https://example.com/view.php?ud=20170627000608", None),
        ("https://example.com/News/biz/archives/2012/03/08/2003527222", None),
        (None, None),
    ],
)  # fmt: skip
def test_a_news_address_spells_its_headline(url, headline):
    assert headline_from_url(url) == headline


def test_an_ordinal_is_no_fraction_a_fraction_is_a_percent():
    ordinal = extract_claims(
        "Japan's exports rose for a third straight month in September, up 4.2%.", OCT16
    )
    assert [c.stated for c in ordinal] == ["4.2%"]
    assert extract_claims("Japan's trade surplus fell for a fifth time in September.", OCT16) == []
    fraction = extract_claims("Japan's coal imports fell by a third in September.", OCT16)
    assert [(c.stated, c.amount) for c in fraction] == [("a third", -33.3)]


@pytest.mark.parametrize(
    ("sentence", "months"),
    [
        ("India's exports rose 9.78% for the full 2017-18 fiscal.", ("2017-04", "2018-03")),
        ("India's imports rose 19.59% to $459.67 billion during 2017-18.", ("2017-04", "2018-03")),
        ("For the fiscal year ended on March 31, India's exports fell 7.26%.",
         ("2017-04", "2018-03")),
        ("China's soybean imports rose 5% in the 2017/18 marketing year.", None),
    ],
)  # fmt: skip
def test_fiscal_years_as_indian_reports_write_them(sentence, months):
    claims = extract_claims(sentence, Month(2018, 4))
    got = (str(claims[0].period), str(claims[0].period_end))
    if months is None:
        assert got != ("2017-04", "2018-03")  # a crop year is not a fiscal one
    else:
        assert got == months


def test_years_apart_are_not_a_fiscal_year_and_the_gap_between_flows_is_a_balance():
    claims = extract_claims("India's exports rose 5% between 2016-2018.", Month(2018, 4))
    assert (str(claims[0].period), str(claims[0].period_end)) != ("2016-04", "2017-03")
    gap = extract_claims(
        "India's trade deficit, the gap between imports and exports, was $20.78 billion in March.",
        Month(2018, 4),
    )
    assert [(c.flow, c.balance) for c in gap] == [("B", "deficit")]
